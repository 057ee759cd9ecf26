"""/metrics: Prometheus text that parses, request counts by view name, ingest counters and lag read from
the database, alarms, hazard cases, failed jobs, the Celery queue on a real Redis, access control, and
prometheus_client's multi-process mode across real processes."""

import datetime
import json
import os
import pathlib
import subprocess
import sys

import kombu.pools
import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from firegrid.celery import app
from firegrid.hazards.choices import OPEN_STATUSES
from firegrid.hazards.models import HazardCase
from firegrid.iot import actions
from firegrid.iot.api.telemetry import record_counts
from firegrid.iot.models import IngestCount
from firegrid.iot.pipeline import count, ingest
from firegrid.iot.testing import make_device, message
from firegrid.ops import jobs, metrics

pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _fresh_ingest_totals():
    """The settled sums are kept per process; each test's database starts empty."""
    metrics.INGEST_TOTALS.reset()
    yield
    metrics.INGEST_TOTALS.reset()


def scrape(client=None, **extra):
    response = (client or Client()).get("/metrics", **extra)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def value(families, family, sample_name=None, **labels):
    """The value of the one sample of `family` with these labels (None if there is none)."""
    found = [
        s.value
        for s in families[family].samples
        if (sample_name is None or s.name == sample_name)
        and all(s.labels.get(k) == v for k, v in labels.items())
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


def test_the_request_counter_counts_by_view_name_not_path(world):
    client = Client(headers={"Accept-Language": "en"})
    before = scrape()
    base = value(before, "firegrid_http_requests", "firegrid_http_requests_total", view="login", method="GET")
    client.get("/accounts/login/")
    client.get("/accounts/login/?next=/places/123/")
    client.get("/no-such-page/at/all/")
    after = scrape()
    count = value(after, "firegrid_http_requests", "firegrid_http_requests_total", view="login", method="GET")
    assert count - (base or 0) == 2
    assert value(after, "firegrid_http_requests", view="login", method="GET", status="2xx") == count
    unresolved = value(after, "firegrid_http_requests", view="<unresolved>", method="GET", status="4xx")
    assert unresolved >= 1
    views = {s.labels["view"] for s in after["firegrid_http_requests"].samples}
    assert not any(v.startswith("/") for v in views)  # no paths as label values
    histogram = value(
        after,
        "firegrid_http_request_duration_seconds",
        "firegrid_http_request_duration_seconds_count",
        view="login",
        method="GET",
    )
    assert histogram >= 2


def test_ingest_counters_and_lag_after_messages_through_the_pipeline(world, api_client):
    device, key = make_device("electrical_monitor", place=world.shop_a)
    body = {
        "messages": [
            {"device": device.ident, **message(key, as_bytes=False, values={"residual_current_ma": 5})},
            {"device": device.ident, **message(key, as_bytes=False, values={"residual_current_ma": 6})},
            {"device": device.ident, **message("wrong-key", as_bytes=False, values={"x": 1})},
            {"device": "no-such-device", **message(key, as_bytes=False, values={"x": 1})},
        ]
    }
    response = api_client.post(
        "/api/v1/iot/telemetry", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["accepted"] == 2
    # the MQTT ingest's own counters, written as its process does
    minute = timezone.now().replace(second=0, microsecond=0)
    IngestCount.objects.create(minute=minute, process="ingest-host-1", name="accepted", count=7)
    IngestCount.objects.create(
        minute=minute - datetime.timedelta(minutes=40), process="ingest-host-2", name="accepted", count=3
    )
    families = scrape()
    messages = "firegrid_ingest_messages"
    assert value(families, messages, channel="http", outcome="accepted") == 2
    assert value(families, messages, channel="http", outcome="rejected") == 2
    assert value(families, messages, channel="mqtt", outcome="accepted") == 10
    assert value(families, "firegrid_ingest_rejected", channel="http", reason="bad_key") == 1
    assert value(families, "firegrid_ingest_rejected", channel="http", reason="unknown_device") == 1
    lag = value(families, "firegrid_ingest_lag_seconds")
    assert lag is not None and 0 <= lag < 60

    # a message the pipeline stored 20 minutes ago (its `now`), counted as the HTTP ingest counts
    past = timezone.now() - datetime.timedelta(minutes=20)
    results = ingest([(device.ident, message(key, values={"residual_current_ma": 7}, ts=past))], now=past)
    record_counts(count(results))
    families = scrape()
    assert value(families, messages, channel="http", outcome="accepted") == 3
    assert 1190 <= value(families, "firegrid_ingest_lag_seconds") < 1300


def test_settled_ingest_minutes_are_summed_once_and_new_ones_added():
    t0 = timezone.now().replace(second=0, microsecond=0)
    rows = [(t0 - datetime.timedelta(minutes=30), 5), (t0 - datetime.timedelta(minutes=10), 7), (t0, 11)]
    for minute, n in rows:
        IngestCount.objects.create(minute=minute, process="ingest-a", name="accepted", count=n)
    totals = metrics.IngestTotals()
    assert totals.totals(t0) == {("mqtt", "accepted"): 23}
    # the current minute keeps growing; a later minute arrives; the scrape moves on 20 minutes
    IngestCount.objects.filter(minute=t0).update(count=13)
    IngestCount.objects.create(
        minute=t0 + datetime.timedelta(minutes=1), process="ingest-a", name="accepted", count=2
    )
    assert totals.totals(t0 + datetime.timedelta(minutes=20)) == {("mqtt", "accepted"): 27}
    assert totals.totals(t0 + datetime.timedelta(minutes=21)) == {("mqtt", "accepted"): 27}  # nothing twice
    IngestCount.objects.create(
        minute=t0 + datetime.timedelta(minutes=21), process="http", name="accepted", count=4
    )
    assert totals.totals(t0 + datetime.timedelta(minutes=21)) == {
        ("mqtt", "accepted"): 27,
        ("http", "accepted"): 4,
    }


def test_alarms_latency_hazard_cases_and_failed_jobs(world):
    device, key = make_device("smoke_detector", place=world.shop_a)
    published = timezone.now() - datetime.timedelta(seconds=5)
    assert ingest([(device.ident, message(key, events=["smoke"], ts=published))])[0].status == "accepted"
    from firegrid.iot.models import Alarm

    alarm = Alarm.objects.get(device=device)
    actions.open_case(alarm, actor=world.grid_worker_a)
    with pytest.raises(ZeroDivisionError):
        jobs.run_recorded("sweep_tasks", lambda: 1 / 0)
    jobs.run_recorded("sweep_hazards", lambda: {"escalated": 0})

    families = scrape()
    assert value(families, "firegrid_alarms_active", kind="fire") == 1
    assert value(families, "firegrid_alarm_latency_window_alarms") == 1
    p95 = value(families, "firegrid_alarm_latency_p95_seconds")
    assert 5 <= p95 < 60  # device time 5 s before the ingest; the commit follows at once
    open_cases = HazardCase.objects.filter(status__in=OPEN_STATUSES).count()
    assert open_cases >= 1
    assert sum(s.value for s in families["firegrid_hazard_cases_open"].samples) == open_cases
    assert value(families, "firegrid_job_failures_24h", job="sweep_tasks") == 1
    assert value(families, "firegrid_job_failures_24h", job="sweep_hazards") == 0
    assert value(families, "firegrid_job_last_success_timestamp_seconds", job="sweep_hazards") > 0
    assert value(families, "firegrid_job_last_success_timestamp_seconds", job="sweep_tasks") is None
    assert all(s.value == 1 for s in families["firegrid_metrics_part_up"].samples)


def test_the_celery_queue_length_on_a_real_redis(settings, redis_server):
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=redis_server.url, task_always_eager=False)
    kombu.pools.reset()
    app._after_fork()
    try:
        for _ in range(3):  # no worker runs: they wait in the queue
            app.send_task("sweep_devices")
    finally:
        app.conf.update(saved)
        kombu.pools.reset()
        app._after_fork()
    settings.CELERY_BROKER_URL = redis_server.url
    assert value(scrape(), "firegrid_celery_queue_length", queue="celery") == 3
    redis_server.stop()  # the scrape still answers; the queue part says it could not be read
    families = scrape()
    assert "firegrid_celery_queue_length" not in families
    assert value(families, "firegrid_metrics_part_up", part="queue") == 0
    assert value(families, "firegrid_metrics_part_up", part="jobs") == 1


def test_metrics_refused_to_other_addresses_and_relayed_requests(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    # through a proxy on the same host: REMOTE_ADDR is loopback, the client is someone else
    assert Client().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    assert Client().get("/metrics", REMOTE_ADDR="::1").status_code == 200
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert Client().get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    bearer = {"HTTP_AUTHORIZATION": "Bearer scrape-token-0123456789"}
    assert Client().get("/metrics", REMOTE_ADDR="192.0.2.1", **bearer).status_code == 200
    wrong = {"HTTP_AUTHORIZATION": "Bearer scrape-token-wrong"}
    assert Client().get("/metrics", REMOTE_ADDR="192.0.2.1", **wrong).status_code == 403
    assert Client().get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


def test_openmetrics_when_the_scraper_asks_for_it():
    response = Client().get("/metrics", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.rstrip().endswith(b"# EOF")


CHILD = """
import django, sys
django.setup()
from django.test import Client
from firegrid.ops import metrics
for _ in range(int(sys.argv[1])):
    assert Client().get("/healthz").status_code == 200
if sys.argv[2] == "render":
    sys.stdout.write(metrics.render()[0].decode())
"""


def test_multiprocess_mode_sums_the_workers(tmp_path):
    """Two worker processes count their requests into PROMETHEUS_MULTIPROC_DIR; the second renders the sum."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="firegrid.settings",
        PROMETHEUS_MULTIPROC_DIR=str(folder),
        FIREGRID_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        LOG_LEVEL="ERROR",
    )

    def run(requests, render):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(requests), "render" if render else "-"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    run(2, False)
    text = run(3, True)  # its own 3 and the first worker's 2
    families = {family.name: family for family in text_string_to_metric_families(text)}
    assert value(families, "firegrid_http_requests", view="healthz", method="GET", status="2xx") == 5
    assert len(list(folder.glob("*.db"))) >= 2
    # the database-backed part still answers (here an empty database: its parts say they failed)
    assert value(families, "firegrid_metrics_part_up", part="ingest") == 0
