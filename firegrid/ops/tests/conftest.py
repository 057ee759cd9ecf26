import pytest

from firegrid.ops.testing import RedisServer, redis_or_skip
from firegrid.ops.tests.workers import broker, running_worker


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server for one test; yields the RedisServer (url, stop(), start())."""
    redis_or_skip()
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def celery_worker(redis_server, settings):
    """A real Celery worker (in a thread) consuming from the real Redis broker."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with broker(redis_server.url), running_worker() as worker:
        yield worker
