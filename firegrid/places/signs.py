"""The printable "一码" sign of a place (消防安全一码通), A4, as PDF.

Modelled on the fire manager's card (firegrid/org/cards.py): an HTML template rendered by
WeasyPrint with Debian's fonts-noto-cjk. The QR code opens the place's public page, so anyone at
the entrance can see its grade and last inspection and report a hazard there.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from firegrid.core.qr import qr_data_uri


def hotlines():
    """The public numbers printed on signs and shown on public pages."""
    return [
        ("119", _("Fire emergency")),
        ("96119", _("Report a fire hazard")),
        ("12345", _("Government service hotline")),
    ]


def place_public_url(place):
    return settings.PUBLIC_BASE_URL + reverse("place-public", args=[place.code])


def place_sign_html(place):
    url = place_public_url(place)
    # A sign hangs in the district for everyone: in the district's language, whoever prints it.
    with translation.override(settings.LANGUAGE_CODE):
        return _render(place, url)


def _render(place, url):
    return render_to_string("places/sign.html", {
        "place": place,
        "public_url": url,
        "qr": qr_data_uri(url),
        "hotlines": hotlines(),
        "printed_on": timezone.localdate(),
    })


def place_sign_pdf(place):
    from weasyprint import HTML, URLFetcher  # imported late: loading WeasyPrint takes a moment

    # Everything on the sign is inline; it never fetches a file or a network address.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=place_sign_html(place), url_fetcher=fetcher).write_pdf()
