"""Structured logs: the JSON formatter's lines parse, carry the request id (from nginx's X-Request-ID or
made up, echoed in the response) and the exception text; LOG_FORMAT defaults to json in production."""

import datetime
import io
import json
import logging
import os
import pathlib
import re
import subprocess
import sys

import pytest
from django.test import Client

from firegrid.ops.logging import JsonFormatter, RequestIdFilter, TextFormatter

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture
def json_lines():
    """Records of the django.request and firegrid loggers as JSON lines, through the configured filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger("django.request"), logging.getLogger("firegrid.test")]
    saved = [(logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        # whatever other tests in this process did to the logging tree (a worker's set-up, a level)
        logger.setLevel(logging.INFO)
        logger.disabled = False
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger, (level, disabled) in zip(loggers, saved, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled


@pytest.mark.django_db
def test_a_request_id_from_nginx_is_logged_and_echoed(json_lines):
    client = Client(headers={"X-Request-ID": "3f2a9c0d5e7b4a1c9d8e7f6a5b4c3d2e"})
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "3f2a9c0d5e7b4a1c9d8e7f6a5b4c3d2e"
    # a response the view returns (not raises) is logged by Django after the middleware has returned
    refused = Client(headers={"X-Request-ID": "req-from-nginx-0042"}).get("/metrics", REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 403 and refused["X-Request-ID"] == "req-from-nginx-0042"
    lines = json_lines()
    by_message = {line["message"]: line for line in lines}
    assert by_message["Not Found: /no-such-page/"]["request_id"] == "3f2a9c0d5e7b4a1c9d8e7f6a5b4c3d2e"
    assert by_message["Not Found: /no-such-page/"]["level"] == "WARNING"
    assert by_message["Not Found: /no-such-page/"]["logger"] == "django.request"
    assert by_message["Forbidden: /metrics"]["request_id"] == "req-from-nginx-0042"
    logging.getLogger("firegrid.test").info("after the request")
    assert "request_id" not in json_lines()[-1]  # outside a request there is none


@pytest.mark.django_db
@pytest.mark.parametrize("offered", ['x"><script>', "short", "a" * 200, "id with spaces 123", None])
def test_a_missing_or_malformed_request_id_is_replaced(offered):
    headers = {"X-Request-ID": offered} if offered is not None else {}
    response = Client(headers=headers).get("/healthz")
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    other = Client(headers=headers).get("/healthz")
    assert other["X-Request-ID"] != response["X-Request-ID"]


def test_json_lines_carry_time_level_exception_and_extra_fields(json_lines):
    log = logging.getLogger("firegrid.test")
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        log.exception("sweep %s failed", "sweep_hazards", extra={"job": "sweep_hazards", "attempt": 3})
    log.warning("火警 %d", 1)
    failed, chinese = json_lines()
    assert failed["message"] == "sweep sweep_hazards failed"
    assert failed["level"] == "ERROR" and failed["logger"] == "firegrid.test"
    assert "ZeroDivisionError: division by zero" in failed["exception"]
    assert failed["job"] == "sweep_hazards" and failed["attempt"] == 3
    stamp = datetime.datetime.fromisoformat(failed["time"])
    assert stamp.utcoffset() == datetime.timedelta(0)
    assert abs((datetime.datetime.now(datetime.UTC) - stamp).total_seconds()) < 3600
    assert chinese["message"] == "火警 1"


def test_the_text_form_has_the_request_id_field():
    record = logging.LogRecord("firegrid.test", logging.INFO, __file__, 1, "plain %s", ("line",), None)
    assert TextFormatter().format(record).endswith("INFO firegrid.test [-] plain line")


def run_settings(tmp_path, **env):
    code = (
        "import django, logging; django.setup(); from django.conf import settings; "
        "print(settings.LOG_FORMAT); logging.getLogger('firegrid.check').warning('hello %s', 'world')"
    )
    environment = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="firegrid.settings",
        FIREGRID_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    for name in ("LOG_FORMAT", "FIREGRID_ENV"):
        if name not in env:
            environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {"FIREGRID_ENV": "production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "firegrid.example.org"}


def test_production_logs_json_by_default_and_text_on_request(tmp_path):
    done = run_settings(tmp_path, **PRODUCTION)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "json"
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello world" and line["logger"] == "firegrid.check"

    done = run_settings(tmp_path, LOG_FORMAT="text", **PRODUCTION)
    assert done.returncode == 0 and done.stdout.strip() == "text"
    assert done.stderr.strip().splitlines()[-1].endswith("WARNING firegrid.check [-] hello world")


def test_a_bad_log_format_stops_start_up(tmp_path):
    done = run_settings(tmp_path, LOG_FORMAT="xml")
    assert done.returncode != 0
    assert "LOG_FORMAT='xml': use json or text." in done.stderr


def test_celery_logs_through_the_same_configuration():
    """The worker and beat do not replace the root logger's handlers: their lines are JSON in production."""
    from firegrid.celery import app

    assert app.conf.worker_hijack_root_logger is False
