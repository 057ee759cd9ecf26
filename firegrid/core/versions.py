"""Version tokens in Django's cache: a random token under a key, replaced whenever what it stands for
is written. A cache entry stored with the token it was built at is stale once the token differs, in
every process when the cache is Redis. Used by the place list cache, the dashboard cache and the auth
version (places.cache, dashboard.cache, core.authversion)."""

import secrets

from django.core.cache import cache
from django.db import transaction


class VersionToken:
    def __init__(self, key):
        self.key = key

    def bump(self, **_signal_kwargs):
        """A new token now, and again after the transaction commits (a request that read the old rows
        before the commit must not store them under the new token). Usable as a signal receiver."""
        self._new()
        transaction.on_commit(self._new)

    def current(self, found=None):
        """The token — from `found` (a get_many answer that asked for it) when it is there — set first
        if there is none; None when there is no cache to be had (Redis down)."""
        version = found.get(self.key) if found is not None else cache.get(self.key)
        if version is None:
            cache.add(self.key, secrets.token_hex(8), None)
            version = cache.get(self.key)
        return version

    def _new(self):
        cache.set(self.key, secrets.token_hex(8), None)
