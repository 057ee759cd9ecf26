"""The fire manager's public display card (消防管理员公示牌) as a printable PDF.

Rendered from an HTML template with WeasyPrint; Chinese text needs Debian's fonts-noto-cjk
("Noto Sans CJK SC"). The QR code points at the manager's public page, so anyone in the compound
can check who to call.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from firegrid.core.qr import qr_data_uri


def public_url(manager):
    return settings.PUBLIC_BASE_URL + reverse("portal-manager", args=[manager.public_token])


def manager_card_html(manager):
    area = manager.area
    url = public_url(manager)
    return render_to_string("org/cards/fire_manager.html", {
        "manager": manager,
        "area": area,
        "community": area.community,
        "street": area.region.street,
        "public_url": url,
        "qr": qr_data_uri(url),
        "printed_on": timezone.localdate(),
    })


def manager_card_pdf(manager):
    from weasyprint import HTML, URLFetcher  # imported late: loading WeasyPrint takes a moment

    # Everything the card shows is inline; it never fetches a file or a network address.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=manager_card_html(manager), url_fetcher=fetcher).write_pdf()
