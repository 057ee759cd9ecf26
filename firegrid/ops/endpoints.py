"""Operations endpoints: /healthz, /readyz and /metrics. No login, no session, no cache; never cached.

They are answered by `OpsEndpointsMiddleware`, ahead of the other middleware: probes and scrapers reach
a web process directly (a load balancer on the server's address, Prometheus on 127.0.0.1:8001) with a
Host header that ALLOWED_HOSTS does not list and over plain HTTP, and through the whole stack would get
a 400 (DisallowedHost, logged at every probe) or a redirect to HTTPS. These answers build no URL from
the Host header and set no cookie. The patterns stay in firegrid/urls.py (names, reverse()); the
middleware only short-cuts the paths they resolve to.

/metrics answers only to addresses in METRICS_ALLOWED_IPS (addresses or networks; default loopback) or
to `Authorization: Bearer <METRICS_TOKEN>`. A request relayed by a proxy (it carries X-Forwarded-For) is
judged by the client address that proxy reports when TRUSTED_PROXY_COUNT trusts it, and never by the
proxy's own loopback address otherwise — so the public site cannot reach /metrics through nginx.
"""

import ipaddress
import secrets

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache

from firegrid.ops import health, metrics

OPS_URL_NAMES = frozenset({"healthz", "readyz", "metrics"})
OPS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class OpsEndpointsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in OPS_PATHS and request.method in ("GET", "HEAD"):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is not None and match.url_name in OPS_URL_NAMES:
                request.resolver_match = match
                return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)


@never_cache
def healthz(request):
    """Liveness: 200 whenever the process can answer."""
    return JsonResponse(health.liveness())


@never_cache
def readyz(request):
    """Readiness: 200 for ok or degraded, 503 when a required dependency is down."""
    status, checks = health.readiness()
    return JsonResponse({"status": status, "checks": checks}, status=503 if status == "down" else 200)


def _networks():
    networks = []
    for entry in settings.METRICS_ALLOWED_IPS:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue  # settings validated them; a bad entry allows nothing
    return networks


def scraper_address(request):
    """The address to judge: REMOTE_ADDR, or the client a trusted proxy reports; None for a relayed
    request whose client we cannot know."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not request.META.get("HTTP_X_FORWARDED_FOR"):
        return remote
    if getattr(settings, "TRUSTED_PROXY_COUNT", 0) <= 0:
        return None
    from firegrid.core.net import client_ip

    return client_ip(request)


def metrics_allowed(request):
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(offered.strip().encode(), token.encode()):
            return True
    address = scraper_address(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks())


@never_cache
def metrics_view(request):
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    body, content_type = metrics.render(request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)
