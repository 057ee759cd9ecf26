import pytest

from firegrid.ops.testing import RedisServer, redis_or_skip


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server for one test; yields the RedisServer (url, stop(), start())."""
    redis_or_skip()
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()
