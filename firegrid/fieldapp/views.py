"""The field app: one page (the shell the service worker keeps for offline use), the service worker
itself served from the site root so its scope is the whole site, the web app manifest, today's list
and the sync endpoint. The page's words come translated in a JSON script block (no inline code)."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from firegrid.fieldapp import sync
from firegrid.fieldapp.strings import app_strings
from firegrid.fieldapp.today import today_for

STATIC_DIR = Path(__file__).resolve().parent / "static" / "fieldapp"
# bump when the shell or its assets change: the service worker then drops the old cache
CACHE_VERSION = "field-v2"


def _login_required_json(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse(
                {"status": "login", "code": "login_required", "message": _("Log in again to continue.")},
                status=401,
            )
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@login_required
@require_GET
def app(request):
    """The field app shell; everything after this works from IndexedDB when offline."""
    return render(
        request,
        "fieldapp/app.html",
        {"strings": app_strings(), "max_bytes": settings.UPLOAD_MAX_BYTES},
    )


@require_GET
def service_worker(request):
    """/sw.js at the site root: a worker's scope is the path it is served from."""
    assets = [
        "/field/",
        static("fieldapp/field.js"),
        static("fieldapp/store.js"),
        static("fieldapp/photo.js"),
        static("fieldapp/field.css"),
        static("fieldapp/register.js"),
        static("css/firegrid.css"),
        static("vendor/pico-2.1.1/pico.red.min.css"),
        static("vendor/htmx-2.0.11/htmx.min.js"),
        static("fieldapp/icon-192.png"),
    ]
    body = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    config = json.dumps({"version": CACHE_VERSION, "assets": assets, "offline": "/field/"})
    response = HttpResponse(f"self.FIELD_CONFIG = {config};\n{body}", content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request):
    data = {
        "name": _("firegrid field app"),
        "short_name": "firegrid",
        "description": _("Patrols and inspections that work without signal"),
        "start_url": "/field/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#c62828",
        "icons": [
            {"src": static("fieldapp/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("fieldapp/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@never_cache
@require_GET
@_login_required_json
def today(request):
    # Django's json, not orjson (core/renderers.py): for this ~50 KB list json.dumps takes ~0.25 ms, less
    # than orjson and the checks that keep its bytes equal (ensure_ascii=False, ", " and ": ")
    return JsonResponse(today_for(request.user), json_dumps_params={"ensure_ascii": False})


@never_cache
@require_POST
@_login_required_json
def sync_endpoint(request):
    """One queued item: multipart with `item` (JSON) and its photos; answered per item."""
    try:
        data = json.loads(request.POST.get("item") or "")
    except ValueError:
        return JsonResponse(
            sync.Refused(400, "invalid", _("The item is not valid JSON.")).answer(), status=400
        )
    try:
        status, answer = sync.sync_item(request.user, data, request.FILES)
    except sync.Refused as refused:
        client_id = data.get("id") if isinstance(data, dict) else None
        return JsonResponse(refused.answer(str(client_id) if client_id else None), status=refused.status)
    return JsonResponse(answer, status=status)
