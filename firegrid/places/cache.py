"""Per-jurisdiction cache of the place list and map layer API answers (PLACE_LIST_CACHE_SECONDS).

An entry is the rendered JSON of one page, keyed by the user's scope (core.scoping.scope_key: users
with the same grants share it, a unit owner has their own), the path, host and normalised query
string. It is stored with the places' data version, a token replaced whenever a place or region is
written (receivers on Place and Region saves and deletes, the owners' m2m, and PlaceQuerySet's bulk
writes, which send no signals); an entry of an older version is a miss. The version and the page
are read in one round trip (get_many).

With the per-process local-memory cache each process has its own version: a write seen by one
process reaches the others when their entries expire (at most PLACE_LIST_CACHE_SECONDS, ≤ 60 s).
With Redis (REDIS_URL) every process sees the new version at once. While Redis is down the cache
misses (core.cache.TolerantRedisCache) and pages are built fresh.
"""

import hashlib
import secrets
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

from firegrid.core.scoping import scope_key

VERSION_KEY = "firegrid:places:data-version"
MAX_SECONDS = 60


def cache_seconds():
    """How long a page may be served again (0, the default, is never)."""
    return max(0, min(int(getattr(settings, "PLACE_LIST_CACHE_SECONDS", 0)), MAX_SECONDS))


def bump_version(**_signal_kwargs):
    """Make every cached page stale: now, and again after the transaction commits (a request that
    read the old rows before the commit must not store them under the new version). Done with the
    cache off too, so that turning it on never finds pages older than a write."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version():
    cache.set(VERSION_KEY, secrets.token_hex(8), None)


def _page_key(request, scope, kind):
    query = urlencode(sorted((k, sorted(v)) for k, v in request.GET.lists()), doseq=True)
    raw = repr((kind, scope, request.scheme, request.get_host(), request.path, query))
    return "firegrid:places:page:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_json(view, request, kind, build):
    """The JSON answer of `build()` (a DRF Response) for this user, scope and query, from the cache
    when a fresh copy is there; only 200 answers in JSON are kept (the browsable API is not)."""
    ttl = cache_seconds()
    renderer = getattr(request, "accepted_renderer", None)
    if not ttl or getattr(renderer, "format", None) != "json":
        return build()
    scope = scope_key(request.user, apps.get_model("places", "Place").scope_rules)
    if scope is None:
        return build()
    key = _page_key(request, scope, kind)
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), None)
        version = cache.get(VERSION_KEY)
        if version is None:  # no cache to be had (Redis down): build every time
            return build()
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return HttpResponse(entry[1], content_type=entry[2])
    response = build()
    if response.status_code == 200:
        response.accepted_renderer = renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = view.get_renderer_context()
        response.render()
        cache.set(key, (version, response.content, response["Content-Type"]), ttl)
    return response
