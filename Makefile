# firegrid: two commands set up a fresh machine.
#   make run   — install into .venv, migrate SQLite under var/, load the demo district, serve :8000
#   make test  — the whole test suite (set DATABASE_URL to run it on PostgreSQL)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers; 2 matches the 2-core machines we run on
WORKERS ?= 2

.PHONY: install run test lint check-migrations check-deploy messages clean prod-check

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "firegrid is starting: open http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/v1/docs/)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(VENV)/bin/pytest -n $(WORKERS) -p no:cacheprovider

lint: install
	$(VENV)/bin/ruff check .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

check-deploy: install
	FIREGRID_ENV=production SECRET_KEY=ci-only-$$(date +%s)-a-long-random-enough-secret-key-value-xyz \
	ALLOWED_HOSTS=firegrid.example.org $(PY) manage.py check --deploy --fail-level WARNING

# The production stack on loopback (PostgreSQL, Redis, Mosquitto, nginx, gunicorn, ingest, Celery worker
# and beat, GB/T 26875 gateway), checked end to end and stopped: see deploy/README.md.
prod-check: install
	$(PY) deploy/prodcheck.py $(PROD_CHECK_ARGS)

# Regenerate the .po catalogues after adding strings (needs GNU gettext), then compile them.
messages: install
	cd firegrid && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete \
	  --ignore 'static/vendor/*'
	cd firegrid && ../$(PY) ../manage.py compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var .pytest_cache
