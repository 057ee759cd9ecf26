"""A Redis cache that degrades to a miss when Redis is down: pages keep working without it."""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

log = logging.getLogger(__name__)

# After a failure, do not try Redis again for this many seconds (no connect timeout on every call).
RETRY_AFTER_SECONDS = 5


def _tolerant(method, fallback):
    def call(self, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return fallback(*args, **kwargs) if callable(fallback) else fallback
        try:
            return getattr(super(TolerantRedisCache, self), method)(*args, **kwargs)
        except Exception as exc:  # redis.exceptions.ConnectionError, TimeoutError, ...
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            log.warning("cache unavailable (%s): %s", method, exc)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = method
    return call


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis for every call, which registers ~170 response callbacks
    each time (a tenth of a millisecond, as much as the round trip on loopback). A redis.Redis is
    thread-safe and only borrows connections from its pool: keep one per pool."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class TolerantRedisCache(RedisCache):
    """RedisCache whose reads miss and writes are dropped while Redis is unreachable."""

    _down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    get = _tolerant("get", lambda key, default=None, version=None: default)
    get_many = _tolerant("get_many", lambda keys, version=None: {})
    set = _tolerant("set", None)
    set_many = _tolerant("set_many", lambda data, *a, **k: list(data))
    add = _tolerant("add", False)
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    touch = _tolerant("touch", False)
    has_key = _tolerant("has_key", False)
    incr = _tolerant("incr", None)
    clear = _tolerant("clear", None)
