"""Liveness and readiness: /healthz always answers; /readyz checks a real Redis (then stopped), the
broker, Mosquitto, ingest lag and the schedule's last runs, and never shows a secret."""

import datetime
import socket
import threading

import pytest
from django.test import Client
from django.utils import timezone

from firegrid.iot.models import Message
from firegrid.iot.pipeline import ingest
from firegrid.iot.testing import make_device, message
from firegrid.iot.tests.conftest import mosquitto  # noqa: F401 - the real broker fixture
from firegrid.ops import health, jobs
from firegrid.ops.models import JobRun
from firegrid.ops.testing import free_port
from firegrid.org.testing import PASSWORD

pytestmark = pytest.mark.django_db


def use_redis(settings, url, *, broker=True):
    """Point the cache, sessions and (by default) the Celery broker at `url`, as settings.py does."""
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = url if broker else ""
    settings.CACHES = {
        "default": {
            "BACKEND": "firegrid.core.cache.TolerantRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "firegrid-test",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def all_jobs_ran(settings):
    for name in settings.JOB_INTERVALS:
        jobs.run_recorded(name, lambda: {"ok": True})


def readyz(client=None):
    response = (client or Client()).get("/readyz")
    return response, response.json()


def test_healthz_answers_200_with_its_keys(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_stays_200_when_the_database_is_unreachable(client, settings):
    """Liveness does not depend on the database: it reports it but still answers 200."""
    from django.db import connections

    params = connections["default"].settings_dict
    saved = dict(params)
    if connections["default"].vendor == "postgresql":
        params["PORT"] = str(free_port())  # nothing listens there
    else:
        params["NAME"] = "/nonexistent-folder/firegrid.sqlite3"
    try:
        response = client.get("/healthz")
        ready, body = readyz()
    finally:
        params.clear()
        params.update(saved)
    assert response.status_code == 200 and response.json()["database"].startswith("error: ")
    assert ready.status_code == 503 and body["status"] == "down"
    assert body["checks"]["database"]["status"] == "down"
    assert body["checks"]["jobs"] == {"status": "down", "error": "database"}


def test_readyz_with_a_real_redis_then_redis_stopped(world, settings, redis_server):
    use_redis(settings, redis_server.url)
    all_jobs_ran(settings)
    response, body = readyz()
    assert response.status_code == 200, body
    assert body["status"] == "ok", body
    assert body["checks"]["redis"]["status"] == "ok"
    assert body["checks"]["celery_broker"] == {"status": "ok", "same_as": "redis"}
    assert body["checks"]["jobs"]["status"] == "ok" and body["checks"]["jobs"]["stale"] == []

    staff = Client(headers={"Accept-Language": "en"})
    login = staff.post("/accounts/login/", {"username": world.district_admin.username, "password": PASSWORD})
    assert login.status_code == 302, login.content[:500]
    assert staff.get("/").status_code == 200

    redis_server.stop()
    response, body = readyz()
    # the pages work without Redis, so by default the process stays in the load balancer
    assert response.status_code == 200, body
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["status"] == "down"
    assert body["checks"]["redis"]["error"] in ("ConnectionError", "TimeoutError")
    assert body["checks"]["celery_broker"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"
    page = staff.get("/")
    assert page.status_code == 200  # TolerantRedisCache: a miss; the session comes from the database
    assert world.district_admin.username.encode() in page.content

    settings.READY_REDIS_REQUIRED = True
    response, body = readyz()
    assert response.status_code == 503 and body["status"] == "down"
    assert body["checks"]["redis"]["status"] == "down"

    redis_server.start()  # back on the same port
    settings.READY_REDIS_REQUIRED = False
    response, body = readyz()
    assert response.status_code == 200 and body["status"] == "ok", body


def test_a_separate_celery_broker_is_checked_on_its_own(settings, redis_server):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = redis_server.url.replace("/0", "/1")
    settings.READY_CHECK_JOBS = False
    _, body = readyz()
    assert body["checks"]["redis"] == {"status": "off"}
    assert body["checks"]["celery_broker"]["status"] == "ok"
    assert body["status"] == "ok"
    redis_server.stop()
    response, body = readyz()
    assert response.status_code == 200 and body["status"] == "degraded"
    assert body["checks"]["celery_broker"]["status"] == "down"


def test_no_password_or_address_in_the_answer(settings):
    port = free_port()
    settings.REDIS_URL = f"redis://:s3cret-pass@127.0.0.1:{port}/0"
    settings.CELERY_BROKER_URL = f"amqp://firegrid:other-s3cret@127.0.0.1:{port}//"
    settings.MQTT_URL = f"mqtt://device:mqtt-s3cret@127.0.0.1:{port}"
    settings.READY_CHECK_MQTT = True
    response, body = readyz()
    assert body["checks"]["redis"]["status"] == "down"
    assert body["checks"]["celery_broker"]["status"] == "down"
    assert body["checks"]["mqtt"]["status"] == "down"
    text = response.content.decode()
    for secret in ("s3cret", str(port), "firegrid:", "device:", "127.0.0.1"):
        assert secret not in text


def test_a_server_that_never_answers_is_down_after_the_timeout(settings):
    """A port that accepts connections and never replies (a hung Redis): the check gives up at 1 s."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        settings.REDIS_URL = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        settings.CELERY_BROKER_URL = ""
        response, body = readyz()
    finally:
        stop.set()
        thread.join()
        for sock in accepted:
            sock.close()
        listener.close()
    assert response.status_code == 200 and body["status"] == "degraded"
    assert body["checks"]["redis"]["status"] == "down"
    assert body["checks"]["redis"]["error"] in ("TimeoutError", "Timeout")


def test_mqtt_is_checked_only_when_asked(settings, mosquitto):  # noqa: F811
    settings.MQTT_URL = mosquitto
    _, body = readyz()
    assert body["checks"]["mqtt"] == {"status": "off"}
    settings.READY_CHECK_MQTT = True
    _, body = readyz()
    assert body["checks"]["mqtt"]["status"] == "ok"
    settings.MQTT_URL = f"mqtt://127.0.0.1:{free_port()}"
    response, body = readyz()
    assert body["checks"]["mqtt"]["status"] == "down"
    assert response.status_code == 200 and body["status"] == "degraded"


def test_ingest_lag_is_flagged_only_when_devices_exist(world, settings):
    settings.INGEST_LAG_WARN_SECONDS = 900
    _, body = readyz()
    assert body["checks"]["ingest"]["devices"] is False
    assert (
        body["checks"]["ingest"]["status"] == "ok" and body["checks"]["ingest"]["last_message_at"] == "never"
    )

    device, key = make_device("electrical_monitor", place=world.shop_a)
    _, body = readyz()  # just registered: no message yet, not late yet
    assert body["checks"]["ingest"]["status"] == "ok"

    long_ago = timezone.now() - datetime.timedelta(seconds=1800)
    results = ingest(
        [(device.ident, message(key, values={"residual_current_ma": 5}, ts=long_ago))], now=long_ago
    )
    assert results[0].status == "accepted"
    response, body = readyz()
    assert body["checks"]["ingest"]["status"] == "stale"
    assert 1790 <= body["checks"]["ingest"]["lag_seconds"] <= 1900
    assert response.status_code == 200 and body["status"] == "degraded"

    ingest([(device.ident, message(key, values={"residual_current_ma": 6}))])
    _, body = readyz()
    assert body["checks"]["ingest"]["status"] == "ok"
    assert body["checks"]["ingest"]["lag_seconds"] <= 60
    assert Message.objects.count() == 2


def test_devices_that_never_sent_anything_are_flagged_after_the_warning_time(world, settings):
    settings.INGEST_LAG_WARN_SECONDS = 900
    make_device("electrical_monitor", place=world.shop_a)
    later = timezone.now() + datetime.timedelta(seconds=1000)
    assert health.check_ingest(later)["status"] == "stale"


def test_a_stale_sweep_is_reported(settings):
    settings.READY_CHECK_JOBS = True
    all_jobs_ran(settings)
    _, body = readyz()
    assert body["checks"]["jobs"]["status"] == "ok"
    interval = settings.JOB_INTERVALS["sweep_hazards"]
    JobRun.objects.filter(name="sweep_hazards").update(
        finished_at=timezone.now() - datetime.timedelta(seconds=3 * interval + 60)
    )
    response, body = readyz()
    assert response.status_code == 200 and body["status"] == "degraded"
    assert body["checks"]["jobs"]["status"] == "stale"
    assert body["checks"]["jobs"]["stale"] == ["sweep_hazards"]
    entry = body["checks"]["jobs"]["jobs"]["sweep_hazards"]
    assert entry["status"] == "stale" and entry["age_seconds"] >= 3 * interval + 60
    assert body["checks"]["jobs"]["jobs"]["sweep_devices"]["status"] == "ok"


def test_a_job_that_never_ran_is_not_flagged_on_a_fresh_install(settings):
    settings.READY_CHECK_JOBS = True
    installed = health.installed_at()
    assert installed is not None
    fresh = health.check_jobs(installed + datetime.timedelta(seconds=30))
    assert fresh["status"] == "ok"
    assert fresh["jobs"]["sweep_devices"] == {
        "last_success": "never",
        "age_seconds": None,
        "interval_seconds": settings.JOB_INTERVALS["sweep_devices"],
        "status": "ok",
    }
    # a day later the minutely sweep is overdue; the daily jobs are still within 3 × their interval
    later = health.check_jobs(installed + datetime.timedelta(days=1))
    assert later["status"] == "stale"
    assert "sweep_devices" in later["stale"] and "extend_plans" not in later["stale"]
    assert later["jobs"]["sweep_devices"]["last_success"] == "never"


def test_jobs_are_not_judged_without_a_scheduler(settings):
    settings.CELERY_BROKER_URL = ""
    settings.READY_CHECK_JOBS = None
    assert health.check_jobs(timezone.now() + datetime.timedelta(days=30))["status"] == "off"


def test_probes_pass_the_host_check_and_the_https_redirect(settings):
    """A load balancer probes by address over plain HTTP: no 400, no redirect."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["firegrid.example.org"]
    probe = Client(HTTP_HOST="10.0.0.5:8001")
    assert probe.get("/healthz").status_code == 200
    assert probe.get("/readyz").status_code == 200
    assert probe.get("/accounts/login/").status_code == 400  # everything else still checks the host
    site = Client(HTTP_HOST="firegrid.example.org")
    assert site.get("/accounts/login/").status_code == 301  # and is still sent to HTTPS
