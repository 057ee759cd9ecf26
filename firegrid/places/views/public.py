"""The public page behind a place's code ("一码"), and its QR code. No login, nothing private."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control

from firegrid.core.qr import qr_png, qr_svg
from firegrid.places.models import CODE_ALPHABET, Place
from firegrid.places.signs import hotlines

# Only these fields leave the database for the public page.
PUBLIC_FIELDS = ["code", "name", "kind", "status", "address", "risk_level", "is_key_unit",
                 "last_inspected_on", "last_inspection_outcome", "public_commitment"]


def public_url(code):
    return settings.PUBLIC_BASE_URL + reverse("place-public", args=[code])


def _clean_code(code):
    code = code.strip().upper()
    if not code or any(ch not in CODE_ALPHABET for ch in code):
        raise Http404
    return code


def public_place(code):
    """The public facts of the place with this code, as a plain dict, or a 404."""
    row = Place.objects.filter(code=_clean_code(code)).values(*PUBLIC_FIELDS).first()
    if row is None:
        raise Http404
    place = Place(**row)
    return row | {
        "kind_label": place.get_kind_display(),
        "status_label": place.get_status_display(),
        "is_closed": place.status != "active",
    }


def report_url(code):
    """The public hazard report form for this place, once the portal provides one."""
    try:
        return reverse("portal-report") + "?" + urlencode({"place": code})
    except NoReverseMatch:
        return None


def place_public(request, code):
    facts = public_place(code)
    return render(request, "places/public_place.html", {
        "place": facts,
        "report_url": report_url(facts["code"]),
        "hotlines": hotlines(),
    })


@cache_control(public=True, max_age=86400)
def place_qr_svg(request, code):
    facts = public_place(code)
    return HttpResponse(qr_svg(public_url(facts["code"])), content_type="image/svg+xml")


@cache_control(public=True, max_age=86400)
def place_qr_png(request, code):
    facts = public_place(code)
    return HttpResponse(qr_png(public_url(facts["code"])), content_type="image/png")
