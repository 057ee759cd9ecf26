"""Liveness and readiness: what a load balancer and an operator ask of a web process.

`/healthz` (liveness) answers 200 whenever the process can run a view; it never waits long on anything
(its `database` field comes from the same bounded check as below and is for information only).

`/readyz` (readiness) checks, each bounded by CHECK_TIMEOUT seconds and run side by side:

- database: SELECT 1 on a connection of its own (required: down → "down", HTTP 503);
- redis: PING on REDIS_URL when it is set ("off" otherwise). Pages keep working without Redis (the cache
  misses, sessions come from the database), so by default Redis down makes the answer "degraded" (200)
  and a load balancer keeps the process; READY_REDIS_REQUIRED=true makes it "down" (503);
- celery_broker: CELERY_BROKER_URL when it is set and is not REDIS_URL (then it is the redis check);
- mqtt: a TCP connection to MQTT_URL's host and port, only with READY_CHECK_MQTT=true;
- ingest: seconds since the newest stored device message; "stale" beyond INGEST_LAG_WARN_SECONDS when
  active devices exist (with devices but no message yet, counted from the oldest device's creation);
- jobs: the last success of each scheduled job (JOB_INTERVALS) — "stale" when older than 3× its interval.
  A job that never ran is reported as "never" and is only stale once 3× its interval has passed since the
  ops tables were created (the install), so a fresh install is not flagged. On by default when a broker
  (CELERY_BROKER_URL) runs the schedule; READY_CHECK_JOBS=true/false decides otherwise.

Overall: "down" if a required check is down, "degraded" if any other check is down or stale, else "ok".
The answer names no host, user or password: only statuses, ages, timings and error class names.
"""

import concurrent.futures
import contextlib
import socket
import time
from urllib.parse import urlsplit

import kombu
import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

from firegrid.iot.mqtt import parse_url as parse_mqtt_url

CHECK_TIMEOUT = 1.0
STALE_FACTOR = 3

OK, DOWN, STALE, OFF = "ok", "down", "stale", "off"


def _elapsed_ms(started):
    return round((time.monotonic() - started) * 1000, 1)


def _failure(exc, started):
    return {"status": DOWN, "error": type(exc).__name__, "ms": _elapsed_ms(started)}


# ---- the network checks (each runs in a worker thread) ----


def check_database(alias=DEFAULT_DB_ALIAS):
    """SELECT 1 on a new connection (not the request's): a hung server cannot hold the caller, and the
    connection is closed again whatever happens."""
    started = time.monotonic()
    base = connections[alias]
    params = {**base.settings_dict, "OPTIONS": dict(base.settings_dict.get("OPTIONS") or {})}
    params["OPTIONS"].pop("pool", None)  # one plain connection, not a pool of its own each time
    if base.vendor == "postgresql":
        params["OPTIONS"].setdefault("connect_timeout", 2)  # libpq's least; the caller waits 1 s
    wrapper = type(base)(params, alias)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        return _failure(exc, started) | {"vendor": base.vendor}
    finally:
        with contextlib.suppress(Exception):  # a broken connection may fail to close
            wrapper.close()
    return {"status": OK, "vendor": base.vendor, "ms": _elapsed_ms(started)}


def redis_client(url, timeout=CHECK_TIMEOUT):
    """A client that gives up after `timeout` seconds and never retries (redis-py retries by default)."""
    return redis.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def check_redis(url):
    started = time.monotonic()
    client = redis_client(url)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return _failure(exc, started)
    finally:
        client.close()
    return {"status": OK, "ms": _elapsed_ms(started)}


def check_broker(url):
    """The Celery broker: PING for Redis, one connection attempt (no retries) for anything else."""
    if urlsplit(url).scheme in ("redis", "rediss"):
        return check_redis(url)
    started = time.monotonic()
    try:
        with kombu.Connection(url, connect_timeout=CHECK_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=0)
    except Exception as exc:  # noqa: BLE001
        return _failure(exc, started)
    return {"status": OK, "ms": _elapsed_ms(started)}


def check_mqtt(url):
    """A TCP connection to the broker's port (an MQTT CONNECT would need credentials and a client id)."""
    started = time.monotonic()
    try:
        broker = parse_mqtt_url(url)
        with socket.create_connection((broker.host, broker.port), timeout=CHECK_TIMEOUT):
            pass
    except Exception as exc:  # noqa: BLE001
        return _failure(exc, started)
    return {"status": OK, "ms": _elapsed_ms(started)}


def run_bounded(checks, timeout=CHECK_TIMEOUT):
    """Run {name: callable} side by side; a check not done after `timeout` s is down ("Timeout"). The
    pool is not waited for: a check still stuck finishes (and closes its connection) on its own."""
    if not checks:
        return {}
    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    try:
        futures = {name: pool.submit(fn) for name, fn in checks.items()}
        concurrent.futures.wait(futures.values(), timeout=timeout + 0.1)
        results = {}
        for name, future in futures.items():
            if future.done():
                results[name] = future.result()
            else:
                future.cancel()
                results[name] = {"status": DOWN, "error": "Timeout", "ms": _elapsed_ms(started)}
        return results
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


# ---- the database-backed checks (run in the request thread once the database answered) ----


def _age(then, now):
    return None if then is None else max(0, round((now - then).total_seconds()))


def installed_at():
    """When this site's ops tables were created (the ops app's first migration), or None."""
    from django.db.migrations.recorder import MigrationRecorder

    return (
        MigrationRecorder.Migration.objects.filter(app="ops")
        .order_by("applied")
        .values_list("applied", flat=True)
        .first()
    )


def jobs_enabled():
    flag = getattr(settings, "READY_CHECK_JOBS", None)
    return bool(settings.CELERY_BROKER_URL) if flag is None else bool(flag)


def check_jobs(now=None):
    """Last success of every scheduled job; stale beyond STALE_FACTOR × its interval (see the module)."""
    from firegrid.ops.jobs import last_success

    now = now or timezone.now()
    enabled = jobs_enabled()
    installed = None
    jobs = {}
    stale = []
    for name, interval in sorted(settings.JOB_INTERVALS.items()):
        limit = STALE_FACTOR * interval
        last = last_success(name)
        if last is None:
            if installed is None:
                installed = installed_at() or now
            late = (now - installed).total_seconds() > limit
            entry = {"last_success": "never", "age_seconds": None}
        else:
            late = (now - last).total_seconds() > limit
            entry = {"last_success": last.isoformat(), "age_seconds": _age(last, now)}
        entry |= {"interval_seconds": interval, "status": STALE if late else OK}
        if late:
            stale.append(name)
        jobs[name] = entry
    status = OFF if not enabled else (STALE if stale else OK)
    return {"status": status, "stale": stale, "jobs": jobs}


def check_ingest(now=None):
    """Seconds since the newest stored device message (the newest id: an index lookup, not a scan)."""
    from firegrid.iot.models import Device, Message

    now = now or timezone.now()
    warn = settings.INGEST_LAG_WARN_SECONDS
    last = Message.objects.order_by("-pk").values_list("received_at", flat=True).first()
    devices = Device.objects.filter(is_active=True)
    has_devices = devices.exists()
    result = {
        "last_message_at": last.isoformat() if last else "never",
        "lag_seconds": _age(last, now),
        "warn_after_seconds": warn,
        "devices": has_devices,
    }
    if not has_devices:
        return {"status": OK} | result
    if last is None:  # devices but no message yet: counted from the first device registered
        last = devices.order_by("created_at").values_list("created_at", flat=True).first()
    late = last is not None and (now - last).total_seconds() > warn
    return {"status": STALE if late else OK} | result


# ---- the answers ----


def network_checks():
    """{name: callable} of the checks that talk to another server, as configured."""
    checks = {"database": check_database}
    redis_url = settings.REDIS_URL
    broker_url = settings.CELERY_BROKER_URL
    if redis_url:
        checks["redis"] = lambda: check_redis(redis_url)
    if broker_url and broker_url != redis_url:
        checks["celery_broker"] = lambda: check_broker(broker_url)
    if settings.READY_CHECK_MQTT:
        checks["mqtt"] = lambda: check_mqtt(settings.MQTT_URL)
    return checks


def readiness():
    """(overall status, {check: result}) — see the module docstring."""
    results = run_bounded(network_checks())
    if "redis" not in results:
        results["redis"] = {"status": OFF}
    if "celery_broker" not in results:
        broker_url = settings.CELERY_BROKER_URL
        if not broker_url:
            results["celery_broker"] = {"status": OFF}  # no broker: tasks run inline
        else:  # the same server as the cache
            results["celery_broker"] = {"status": results["redis"]["status"], "same_as": "redis"}
    if "mqtt" not in results:
        results["mqtt"] = {"status": OFF}
    now = timezone.now()
    for name, check in (("ingest", check_ingest), ("jobs", check_jobs)):
        if results["database"]["status"] != OK:
            results[name] = {"status": DOWN, "error": "database"}
            continue
        try:
            results[name] = check(now)
        except Exception as exc:  # noqa: BLE001
            results[name] = {"status": DOWN, "error": type(exc).__name__}
    required = {"database"} | ({"redis"} if settings.REDIS_URL and settings.READY_REDIS_REQUIRED else set())
    if any(results[name]["status"] == DOWN for name in required):
        overall = "down"
    elif any(r["status"] in (DOWN, STALE) for r in results.values()):
        overall = "degraded"
    else:
        overall = "ok"
    return overall, results


def liveness():
    """The process answers; the database field is informational (bounded, never fails the answer)."""
    database = run_bounded({"database": check_database})["database"]
    return {
        "status": "ok",
        "database": database["status"] if database["status"] == OK else f"error: {database['error']}",
        "vendor": database["vendor"] if "vendor" in database else connections[DEFAULT_DB_ALIAS].vendor,
    }
