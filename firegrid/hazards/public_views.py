"""Public pages, no login: report a hazard, then follow it with its tracking code.

Nothing private leaves through here: no reporter identity, no internal events, no private photos.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from firegrid.hazards import reports
from firegrid.hazards.choices import CaseStatus, Channel, EventKind, Source
from firegrid.hazards.forms_public import (
    PublicReportForm,
    TrackForm,
    clean_tracking_code,
    place_for_code,
)
from firegrid.hazards.models import Attachment, HazardCase
from firegrid.hazards.ratelimit import RateLimit
from firegrid.hazards.reporter_actions import REOPENABLE

# accepted reports per address and hour, and (more generously) submissions of any outcome
REPORTS = RateLimit("public-report", lambda: settings.PUBLIC_REPORTS_PER_HOUR)
ATTEMPTS = RateLimit("public-report-attempt", lambda: settings.PUBLIC_REPORTS_PER_HOUR * 3)

BADGE_CLASSES = {
    "grey": "badge-muted",
    "orange": "badge-orange",
    "yellow": "badge-yellow",
    "blue": "badge-blue",
    "green": "badge-green",
    "red": "badge-red",
}
PUBLIC_ACTOR = gettext_lazy("Member of the public")
SYSTEM_ACTOR = gettext_lazy("System")
STAFF_ACTOR = gettext_lazy("Fire safety staff")
REPORTER_EVENTS = {EventKind.INFO_ADDED, EventKind.ME_TOO, EventKind.NOT_FIXED}


def rate_limited(request):
    return render(
        request,
        "hazards/public/rate_limited.html",
        {
            "per_hour": settings.PUBLIC_REPORTS_PER_HOUR,
        },
        status=429,
    )


def _apply_errors(form, error, place):
    """Put a ValidationError from `reports.report` on the form's fields."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        if field == "location":
            field = None if place is not None else "lat"
        elif field not in form.fields:
            field = None
        for message in messages:
            form.add_error(field, message)


@never_cache
@require_http_methods(["GET", "POST"])
def report_form(request):
    code = request.POST.get("place") if request.method == "POST" else request.GET.get("place")
    place = place_for_code(code)
    if REPORTS.exceeded(request) or ATTEMPTS.exceeded(request):
        return rate_limited(request)
    status = 200
    if request.method == "POST":
        ATTEMPTS.hit(request)
        form = PublicReportForm(request.POST, request.FILES, place=place)
        if form.is_bot:
            REPORTS.hit(request)
            form.add_error(None, _("Your report could not be accepted. Please try again, or call 96119."))
            status = 400
        elif form.is_valid():
            try:
                case = reports.report(
                    **form.report_kwargs(),
                    source=Source.PUBLIC,
                    channel=Channel.PLACE_CODE if place is not None else Channel.WEB,
                    actor=request.user if request.user.is_authenticated else None,
                )
            except ValidationError as error:
                _apply_errors(form, error, place)
            else:
                REPORTS.hit(request)
                return redirect(reverse("portal-track", args=[case.tracking_code]) + "?new=1")
    else:
        form = PublicReportForm(place=place)
    return render(
        request,
        "hazards/public/report.html",
        {
            "form": form,
            "place": place,
            "unknown_place": bool(code) and place is None,
            "max_photos": settings.UPLOAD_MAX_PHOTOS,
            "max_mb": max(settings.UPLOAD_MAX_BYTES // (1024 * 1024), 1),
        },
        status=status,
    )


def _case_for_code(code):
    return (
        HazardCase.objects.select_related("category", "place", "duplicate_of")
        .filter(tracking_code=clean_tracking_code(code))
        .first()
    )


def _system_labels():
    labels = {""}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels.add(str(SYSTEM_ACTOR))
    return labels


def public_actor(event, case, system_labels):
    """Who acted, as the public sees it: never a reporter's name, and staff by role only."""
    if event.actor_id is not None and event.actor_id == case.reporter_id:
        return PUBLIC_ACTOR
    if event.actor_id is None:
        if event.kind == EventKind.REPORTED and case.source == Source.PUBLIC:
            return PUBLIC_ACTOR
        if event.kind in REPORTER_EVENTS:
            return PUBLIC_ACTOR
        if event.actor_label in system_labels:
            return SYSTEM_ACTOR
    return STAFF_ACTOR


@never_cache
@require_GET
def track_lookup(request):
    """A box to type a tracking code into."""
    form = TrackForm(request.GET or None)
    status = 200
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        if _case_for_code(code) is not None:
            return redirect("portal-track", code=code)
        form.add_error("code", _("No report has this tracking code. Check the code and try again."))
        status = 404
    return render(request, "hazards/public/track_lookup.html", {"form": form}, status=status)


@never_cache
@require_GET
def track(request, code):
    case = _case_for_code(code)
    if case is None:
        form = TrackForm({"code": code})
        form.is_valid()
        form.add_error("code", _("No report has this tracking code. Check the code and try again."))
        return render(request, "hazards/public/track_lookup.html", {"form": form}, status=404)
    if code != case.tracking_code:
        return redirect("portal-track", code=case.tracking_code)
    labels = _system_labels()
    events = [
        {
            "kind": event.get_kind_display(),
            "code": event.kind,
            "at": event.at,
            "note": event.note,
            "actor": public_actor(event, case, labels),
        }
        for event in case.events.filter(is_public=True).order_by("at", "id")
    ]
    photos = []
    if case.is_public:
        photos = list(
            case.attachments.filter(is_public=True, content_type__startswith="image/").only(
                "id", "width", "height"
            )
        )
    return render(
        request,
        "hazards/public/track.html",
        {
            "case": {
                "tracking_code": case.tracking_code,
                "status": case.get_status_display(),
                "status_class": BADGE_CLASSES.get(case.status_colour, "badge-muted"),
                "close_reason": case.get_close_reason_display()
                if case.status in (CaseStatus.CLOSED, CaseStatus.REJECTED)
                else "",
                "close_reason_code": case.close_reason,
                "referred_to": case.referred_to,
                "duplicate_of": case.duplicate_of.tracking_code
                if case.duplicate_of_id and case.duplicate_of.is_public
                else "",
                "category": case.category.name,
                "description": case.description if case.is_public else "",
                "is_public": case.is_public,
                "place_name": case.place.name if case.place_id else "",
                "created_at": case.created_at,
                "deadline": case.deadline,
                "is_open": case.is_open,
            },
            "events": events,
            "photos": photos,
            "new": request.GET.get("new") == "1",
            "can_reopen": can_reopen(case),
            "reopen_days": settings.REOPEN_DAYS,
            "max_photos": settings.UPLOAD_MAX_PHOTOS,
        },
    )


def can_reopen(case):
    """Whether the tracking page offers "not fixed" (the action checks again)."""
    if case.close_reason not in REOPENABLE.get(case.status, ()):
        return False
    return not case.closed_at or case.closed_at >= timezone.now() - datetime.timedelta(
        days=settings.REOPEN_DAYS
    )


@require_GET
def track_photo(request, code, pk):
    case = _case_for_code(code)
    if case is None or not case.is_public or code != case.tracking_code:
        raise Http404
    attachment = Attachment.objects.filter(
        pk=pk, case=case, is_public=True, content_type__startswith="image/"
    ).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Robots-Tag"] = "noindex"
    response["X-Content-Type-Options"] = "nosniff"
    return response
