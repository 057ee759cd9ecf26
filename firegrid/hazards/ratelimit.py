"""A small per-address rate limit kept in Django's cache (fixed one-hour windows).

The client address is firegrid.core.net.client_ip: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT
reverse proxies the address the outermost of them put into X-Forwarded-For.
"""

import hashlib

from django.core.cache import cache

from firegrid.core.net import client_ip

HOUR = 3600


def client_address(request):
    return client_ip(request) or "unknown"


class RateLimit:
    """At most `limit()` hits per `period` seconds per client address, counted under `name`."""

    def __init__(self, name, limit, period=HOUR):
        self.name = name
        self._limit = limit
        self.period = period

    def limit(self):
        return self._limit() if callable(self._limit) else self._limit

    def key(self, request):
        address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
        return f"firegrid:ratelimit:{self.name}:{address}"

    def count(self, request):
        return cache.get(self.key(request), 0)

    def exceeded(self, request):
        return self.count(request) >= self.limit()

    def hit(self, request):
        """Count one more; the window starts at the first hit and lasts `period` seconds."""
        key = self.key(request)
        if cache.add(key, 1, timeout=self.period):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=self.period)
            return 1
