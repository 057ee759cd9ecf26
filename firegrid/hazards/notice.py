"""The rectification notice (责令限期改正通知书) of a case, as a printable A4 PDF.

Built like the place sign (places/signs.py): an HTML template rendered by WeasyPrint with Debian's
fonts-noto-cjk, in the district's language whoever prints it. It exists once the case has been
ordered to be rectified (that step gives the notice its number). The QR code opens the case's
public tracking page, so the party served can follow the case and see the re-inspection.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from firegrid.core.qr import qr_data_uri
from firegrid.hazards.choices import EventKind
from firegrid.inspections.major_hazard import DeterminationError, load_edition
from firegrid.org.choices import UnitKind
from firegrid.org.models import OrgUnit

EDITION = "GB 35181-2017"


class NoNotice(Exception):
    """The case has no notice yet: it has not been ordered to be rectified."""


def tracking_url(case):
    # built directly: the public portal's URL name may not exist in every deployment yet
    return f"{settings.PUBLIC_BASE_URL}/track/{case.tracking_code}/"


def clause_texts(clauses, language=None):
    """[(id, text)] of GB 35181 elements cited on the case; unknown ids are shown bare."""
    try:
        document = load_edition(EDITION)
    except DeterminationError:
        return [(c, "") for c in clauses]
    language = (language or translation.get_language() or "zh-hans").lower()
    key = "en" if language.startswith("en") else "zh-hans"
    texts = {e["id"]: e["text"] for e in [*document.get("direct", []), *document.get("comprehensive", [])]}
    result = []
    for clause in clauses or []:
        text = texts.get(str(clause), "")
        if isinstance(text, dict):
            text = text.get(key) or text.get("zh-hans") or ""
        result.append((str(clause), text))
    return result


def issuing_unit(case):
    """The street's fire work station; the district office for cases held above the street."""
    street = case.region.street
    if street is not None:
        station = (
            OrgUnit.objects.filter(kind=UnitKind.WORK_STATION, region=street, is_active=True)
            .order_by("id")
            .first()
        )
        if station is not None:
            return station
    return OrgUnit.objects.filter(kind=UnitKind.DISTRICT_OFFICE, is_active=True).order_by("id").first()


def notice_context(case):
    if not case.notice_number:
        raise NoNotice(case.pk)
    ordered = case.events.filter(kind=EventKind.ORDERED).order_by("at", "id").first()
    issued_on = timezone.localdate(ordered.at) if ordered else timezone.localdate()
    url = tracking_url(case)
    return {
        "case": case,
        "place": case.place,
        "street": case.region.street,
        "unit": issuing_unit(case),
        "clauses": clause_texts(case.clauses),
        "edition": EDITION,
        "issued_on": issued_on,
        "tracking_url": url,
        "qr": qr_data_uri(url),
        "printed_on": timezone.localdate(),
    }


def notice_html(case):
    # A notice is served in the district: in the district's language, whoever prints it.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("hazards/notice.html", notice_context(case))


def notice_pdf(case):
    from weasyprint import HTML, URLFetcher  # imported late: loading WeasyPrint takes a moment

    # Everything on the notice is inline; it never fetches a file or a network address.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=notice_html(case), url_fetcher=fetcher).write_pdf()
