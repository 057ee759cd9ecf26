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

Early answers (Redis only): a GET with `Authorization: Token …` is answered by EarlyAnswerMiddleware,
near the top of MIDDLEWARE, before the rest of the middleware, URL resolution and DRF run, when this
process has already seen the token and remembers its user's scope key. The memory is checked against
the auth version (core.authversion), read in the same round trip as the page; a different version,
another day (role assignments start and end by date) or a token not seen before takes the ordinary
path, which authenticates and fills the memory. Without a shared cache there is no early answer:
another process' role change would not be seen. The stored page carries the headers the rest of the
middleware gave it on the ordinary path (security headers, CSP, Vary, Content-Language — the key holds
what the language is chosen by), so an early answer is the same response, byte for byte, but for the
request id; a response that sets a cookie is never stored with its headers.
"""

import hashlib
from typing import NamedTuple
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, resolve, reverse
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication

from firegrid.core import authversion
from firegrid.core.scoping import scope_key
from firegrid.core.versions import VersionToken

DATA_VERSION = VersionToken("firegrid:places:data-version")
VERSION_KEY = DATA_VERSION.key
MAX_SECONDS = 60
MAX_PRINCIPALS = 10_000  # tokens remembered per process (forgotten all at once when full)


class Principal(NamedTuple):
    """What this process remembers of a token: whose scope it opens, as of which auth version and day."""

    scope: str
    auth_version: str
    day: object


_principals = {}


def cache_seconds():
    """How long a page may be served again (0, the default, is never)."""
    return max(0, min(int(getattr(settings, "PLACE_LIST_CACHE_SECONDS", 0)), MAX_SECONDS))


# any write to a place, its owners or a region (receivers in apps.py; bulk writes in PlaceQuerySet) makes
# every cached page stale — done with the cache off too, so turning it on never finds older pages
bump_version = DATA_VERSION.bump


def _token_digest(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    keyword, _, token = header.partition(" ")
    if keyword != TokenAuthentication.keyword or not token or " " in token.strip():
        return None
    return hashlib.sha256(token.strip().encode()).hexdigest()


def _wants_json(request):
    """Whether DRF's negotiation would pick JSON (the only kind stored) for this request."""
    accept = request.META.get("HTTP_ACCEPT", "").strip()
    return request.GET.get("format", "json") == "json" and (
        accept in ("", "*/*") or ("application/json" in accept and "text/html" not in accept)
    )


# the routes answered early (names of PlaceViewSet's routes: the HTML place list is also "place-list");
# the paths under the map layer's parent are resolved once each (a few hundred at most are remembered)
EARLY_ROUTES = frozenset({"place-list", "place-geojson"})
MAX_PATHS = 256
_early_paths = {}
_api_prefixes = {}


def _early_match(request):
    """The ResolverMatch of the place API's list or map layer when this request is for one, else None."""
    path = request.path_info
    if path in _early_paths:
        return _early_paths[path]
    prefix = get_script_prefix()
    api_prefix = _api_prefixes.get(prefix)
    if api_prefix is None:  # /api/v1/places/: the map layer's path less "geojson/"
        try:
            api_prefix = "/" + reverse("place-geojson")[len(prefix) :].rsplit("/", 2)[0] + "/"
        except NoReverseMatch:  # a URL configuration without the place API: nothing to answer early
            api_prefix = "\0"
        _api_prefixes[prefix] = api_prefix
    if not path.startswith(api_prefix):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is not None and not (
        match.url_name in EARLY_ROUTES and getattr(getattr(match.func, "cls", None), "early_answers", False)
    ):
        match = None
    if len(_early_paths) >= MAX_PATHS:
        _early_paths.clear()
    _early_paths[path] = match
    return match


class EarlyAnswerMiddleware:
    """Answers a remembered token's GET of a place list or map layer page from the shared cache before the
    middleware below it runs, and stores the pages the ordinary path built with their final headers. Put
    it after the request id, metrics and ops endpoints, before SecurityMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = _early_match(request) if request.method == "GET" else None
        if match is not None:
            early = early_answer(request)
            if early is not None:
                request.resolver_match = match  # the metrics' view label
                return early
            request.firegrid_stores_pages = True  # cached_json leaves the storing to __call__
        response = self.get_response(request)
        pending = getattr(response, "firegrid_page", None)
        if pending is not None and response.status_code == 200 and not response.cookies:
            key, version, ttl = pending
            cache.set(key, (version, response.content, response["Content-Type"], list(response.items())), ttl)
        return response


def early_answer(request):
    """The stored page for a token-authenticated GET whose scope this process remembers, before DRF
    authenticates the request (no token or role query); None to go the ordinary way."""
    if not cache_seconds() or not authversion.shared():
        return None
    digest = _token_digest(request)
    if digest is None or not _wants_json(request):
        return None
    principal = _principals.get(digest)
    if principal is not None and principal.day == timezone.localdate():
        key = _page_key(request, principal.scope)
        found = cache.get_many([VERSION_KEY, authversion.KEY, key])
        entry = found.get(key)
        auth_version = found.get(authversion.KEY)
        if (
            auth_version is not None
            and auth_version == principal.auth_version
            and entry is not None
            and entry[0] == found.get(VERSION_KEY)
            and entry[3] is not None
        ):
            return HttpResponse(entry[1], headers=entry[3])
    else:
        auth_version = None
    # read before DRF reads the token and roles: a write after this point changes the version
    request.firegrid_principal = (digest, auth_version or authversion.current())
    return None


def _remember(request, scope):
    """After DRF authenticated a token request that early_answer() passed on: remember its scope."""
    pending = getattr(request._request, "firegrid_principal", None)
    if pending is None or not isinstance(request.successful_authenticator, TokenAuthentication):
        return
    digest, auth_version = pending
    if auth_version is None:
        return
    if len(_principals) >= MAX_PRINCIPALS:
        _principals.clear()
    _principals[digest] = Principal(scope, auth_version, timezone.localdate())


def _stored_response(entry):
    response = HttpResponse(entry[1], content_type=entry[2])
    response["Vary"] = "Accept"
    return response


def _page_key(request, scope):
    """One page: the scope, the URL, and what the middleware chooses the response's language by (the
    JSON is the same in every language; its Content-Language header is not)."""
    query = urlencode(sorted((k, sorted(v)) for k, v in request.GET.lists()), doseq=True)
    language = (
        request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""),
    )
    raw = repr((scope, request.scheme, request.get_host(), request.path, query, language))
    return "firegrid:places:page:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_json(view, request, build):
    """The JSON answer of `build()` (a DRF Response) for this user, scope and query, from the cache
    when a fresh copy is there; only 200 answers in JSON are kept (the browsable API is not)."""
    ttl = cache_seconds()
    renderer = getattr(request, "accepted_renderer", None)
    if not ttl or getattr(renderer, "format", None) != "json":
        return build()
    scope = scope_key(request.user, apps.get_model("places", "Place").scope_rules)
    if scope is None:
        return build()
    _remember(request, scope)
    key = _page_key(request, scope)
    found = cache.get_many([VERSION_KEY, key])
    version = DATA_VERSION.current(found)
    if version is None:  # no cache to be had (Redis down): build every time
        return build()
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return _stored_response(entry)
    response = build()
    if response.status_code == 200:
        response.accepted_renderer = renderer
        response.accepted_media_type = request.accepted_media_type
        response.renderer_context = view.get_renderer_context()
        response.render()
        if getattr(request._request, "firegrid_stores_pages", False):
            # EarlyAnswerMiddleware stores it with the headers the middleware adds on the way out
            response.firegrid_page = (key, version, ttl)
        else:  # a route it does not answer (a format suffix): served again through DRF only
            cache.set(key, (version, response.content, response["Content-Type"], None), ttl)
    return response
