"""gzip for the command view's JSON API: the dashboard figures and the map layers.

A district's grid layer is ~900 KB of GeoJSON (~80 KB gzipped), its hazard layer ~560 KB (~57 KB);
nginx compresses in production too, but `runserver`, gunicorn alone and any proxy left at its
defaults (nginx gzips only text/html unless `gzip_types` says more) would send them raw.

BREACH: compressing a response that holds a secret next to text an attacker can choose lets the
attacker learn the secret from response sizes. Only JSON is compressed here, and these JSON bodies
carry no CSRF token, session key or other secret; DRF's browsable API (HTML with a CSRF token in
its forms, served for `Accept: text/html`) is left uncompressed. Django's GZipMiddleware also adds
random bytes to the gzip header ("Heal The Breach" length hiding), and sets `Vary: Accept-Encoding`.
"""

from django.middleware.gzip import GZipMiddleware
from django.utils.decorators import decorator_from_middleware, method_decorator

JSON_TYPES = frozenset({"application/json", "application/geo+json"})


class JSONGZipMiddleware(GZipMiddleware):
    """GZipMiddleware for JSON responses only (as a view decorator: see `gzip_json`)."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if content_type not in JSON_TYPES:
            return response
        return super().process_response(request, response)


# DRF renders its Response after the view returns; the decorator compresses it after rendering
gzip_json = decorator_from_middleware(JSONGZipMiddleware)


def gzip_json_view(cls):
    """Class decorator for an APIView: its JSON responses are gzipped when the client accepts it."""
    return method_decorator(gzip_json, name="dispatch")(cls)
