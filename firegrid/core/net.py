"""The client's address, the same for every rate limit (public reports, the survey, login lockout).

Behind a reverse proxy every request arrives from the proxy (127.0.0.1 behind nginx), so the
client's own address is read from X-Forwarded-For — but only as far as the proxies we run wrote it.
Each trusted proxy appends the address it saw, so with TRUSTED_PROXY_COUNT = n the n-th entry from
the right is the one the outermost trusted proxy saw; anything left of it came from the client and
may be forged. With TRUSTED_PROXY_COUNT = 0 (the default: the app is reached directly) the header
is ignored and REMOTE_ADDR is the client.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings


def _valid(address):
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request):
    """The client's IP address as a string, or None when there is none (django-axes then stores NULL:
    its column is an IP address field)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    remote = remote if _valid(remote) else None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote
    # fewer entries than proxies: the left-most was still written by a proxy of ours
    address = entries[-min(proxies, len(entries))]
    return address if _valid(address) else remote


def csp_source(url):
    """A Content-Security-Policy source for the origin of `url`, or None for an empty/relative URL.

    A tile template such as https://{s}.tile.example.org/{z}/{x}/{y}.png gives
    https://*.tile.example.org; a placeholder deeper in the host name gives the scheme alone.
    """
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    labels = host.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label for label in labels):
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{'.'.join(labels)}"
