"""Scale-out settings: Redis cache and sessions that survive a Redis outage, S3 uploads as a setting,
a read replica router, the job schedule — each read from the environment as production would."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from firegrid.core import cache as tolerant
from firegrid.core.db_router import ReplicaRouter, reading_from_replica
from firegrid.org.models import Region


def settings_with(**env):
    """Import firegrid.settings afresh with `env`; return the values we look at, or the error."""
    code = (
        "import json\n"
        "try:\n"
        "    import firegrid.settings as s\n"
        "except Exception as exc:\n"
        "    print(json.dumps({'error': str(exc)}))\n"
        "else:\n"
        "    print(json.dumps({'storage': s.STORAGES['default'], 'caches': getattr(s, 'CACHES', None),"
        " 'session': getattr(s, 'SESSION_ENGINE', 'db'), 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
        " 'broker': s.CELERY_BROKER_URL, 'databases': sorted(s.DATABASES),"
        " 'schedule': {k: v['schedule'] for k, v in s.CELERY_BEAT_SCHEDULE.items()}}, default=str))\n"
    )
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_redis_tasks_run_inline_and_sessions_stay_in_the_database():
    values = settings_with()
    assert values["eager"] is True
    assert values["caches"] is None
    assert values["session"] == "db"


def test_with_redis_the_cache_sessions_and_broker_are_shared():
    values = settings_with(REDIS_URL="redis://10.0.0.5:6379/0")
    assert values["caches"]["default"]["BACKEND"] == "firegrid.core.cache.TolerantRedisCache"
    assert values["session"] == "django.contrib.sessions.backends.cached_db"
    assert values["broker"] == "redis://10.0.0.5:6379/0"
    assert values["eager"] is False


def test_uploads_go_to_an_s3_bucket_when_asked():
    values = settings_with(
        MEDIA_STORAGE="s3", S3_BUCKET="firegrid-uploads", S3_ENDPOINT_URL="https://minio.local"
    )
    assert values["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert values["storage"]["OPTIONS"]["bucket_name"] == "firegrid-uploads"
    assert values["storage"]["OPTIONS"]["endpoint_url"] == "https://minio.local"
    assert values["storage"]["OPTIONS"]["querystring_auth"] is True  # private uploads, signed links


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MEDIA_STORAGE": "s3"}, "S3_BUCKET"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE"),
        ({"JOB_INTERVALS": "sweep_devices=5"}, "JOB_INTERVALS"),
        ({"JOB_INTERVALS": "sweep_everything=60"}, "sweep_everything"),
    ],
)
def test_bad_operations_settings_stop_start_up_naming_the_setting(env, named):
    assert named in settings_with(**env)["error"]


def test_the_schedule_can_be_changed_from_the_environment():
    schedule = settings_with(JOB_INTERVALS="sweep_devices=30")["schedule"]
    assert schedule["sweep_devices"] == 30.0
    assert schedule["sweep_hazards"] == 900.0


def test_a_replica_is_configured_from_its_url():
    values = settings_with(DATABASE_REPLICA_URL="postgres://ro:pw@10.0.0.6:5432/firegrid")
    assert values["databases"] == ["default", "replica"]


def test_the_router_sends_reads_in_a_report_block_to_the_replica_and_writes_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(Region) == "default"
    with reading_from_replica():
        assert router.db_for_read(Region) == "replica"
        assert router.db_for_write(Region) == "default"
    assert router.db_for_read(Region) == "default"
    assert router.allow_migrate("replica", "org") is False


@pytest.fixture
def redis_cache(redis_server, monkeypatch):
    monkeypatch.setattr(tolerant, "RETRY_AFTER_SECONDS", 0.5)
    location = {
        "default": {
            "BACKEND": "firegrid.core.cache.TolerantRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=location):
        yield caches["default"], redis_server


def test_the_cache_misses_instead_of_failing_while_redis_is_down(redis_cache):
    cache, server = redis_cache
    cache.set("figure", 42)
    assert cache.get("figure") == 42
    server.stop()
    assert cache.get("figure", "fallback") == "fallback"  # a miss, not an exception
    cache.set("figure", 43)  # dropped, not raised
    assert cache.add("lock", 1) is False
    assert cache.get_many(["figure"]) == {}
    server.start()
    time.sleep(0.6)  # past the back-off
    cache.set("figure", 44)
    assert cache.get("figure") == 44


def test_the_cache_keeps_one_redis_client_per_pool_across_calls_and_threads(redis_cache):
    import threading

    cache, _server = redis_cache
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client and cache._cache.get_client() is client
    results = []

    def work(n):
        for i in range(50):
            cache.set(f"k{n}-{i}", i)
            results.append(cache.get(f"k{n}-{i}") == i)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 200 and all(results)
    assert cache.get_many([f"k{n}-49" for n in range(4)]) == {f"k{n}-49": 49 for n in range(4)}
