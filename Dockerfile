# firegrid image: one image for every process of deploy/processes.toml (compose.yaml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    FIREGRID_VAR_DIR=/var/lib/firegrid MEDIA_ROOT=/var/lib/firegrid/media

# WeasyPrint (PDF) needs Pango; CJK fonts for the documents; gettext for the catalogues; the PostgreSQL
# client for `firegrid backup`/`restore`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/firegrid
COPY requirements.txt pyproject.toml ./
RUN python -m venv .venv && .venv/bin/pip install -r requirements.txt
COPY . .
RUN .venv/bin/pip install --no-deps -e . \
 && (cd firegrid && ../.venv/bin/python ../manage.py compilemessages -l zh_Hans) \
 && FIREGRID_ENV=production SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=build \
    .venv/bin/python manage.py collectstatic --noinput -v 0 \
 && useradd --system --home /var/lib/firegrid firegrid \
 && mkdir -p /var/lib/firegrid/media && chown -R firegrid:firegrid /var/lib/firegrid

ENV PATH=/opt/firegrid/.venv/bin:$PATH
USER firegrid
EXPOSE 8001 9000
CMD ["gunicorn", "firegrid.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
