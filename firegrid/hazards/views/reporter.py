"""Pages and small JSON endpoints of the reporter loop (see hazards.reporter_actions): nearby cases
while reporting (public and staff), "me too", adding information and "not fixed" on the tracking
page, and the staff forms to merge duplicates, review a reopened case and reject honestly."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from firegrid.hazards import duplicates, reporter_actions
from firegrid.hazards.actions import TransitionError
from firegrid.hazards.forms import RejectForm, StepForm, normalise_code, note_field
from firegrid.hazards.forms_public import (
    HONEYPOT,
    PHONE_RE,
    MultiplePhotoField,
    clean_tracking_code,
)
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.hazards.ratelimit import RateLimit
from firegrid.places.models import Place

LOOKUPS = RateLimit("nearby-lookup", lambda: settings.PUBLIC_REPORTS_PER_HOUR * 30)
UPDATES = RateLimit("public-update", lambda: settings.PUBLIC_REPORTS_PER_HOUR)


def _place_and_point(request, places):
    """(place or None, (lat, lng) or None) from a place code or lat/lng query parameters."""
    code = request.GET.get("place")
    if code:
        place = places.filter(code=normalise_code(code)).first()
        return place, ((place.lat, place.lng) if place else None)
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, TypeError, ValueError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None, None
    return None, (lat, lng)


def _category(value):
    value = (value or "").strip()
    if not value:
        return None
    lookup = {"pk": int(value)} if value.isdigit() else {"code": value}
    return HazardCategory.objects.filter(is_active=True, **lookup).first()


def suggested_categories(place, categories):
    """Categories suggested first for the place's kind (`HazardCategory.place_kinds`)."""
    if place is None:
        return []
    return [{"id": c.pk, "code": c.code} for c in categories if place.kind in (c.place_kinds or [])]


def _nearby_response(request, places, categories, build):
    place, point = _place_and_point(request, places)
    category = _category(request.GET.get("category"))
    if point is None:
        return JsonResponse(
            {"error": _("Give a location (lat and lng, or a place code) and a category."), "cases": []},
            status=400,
        )
    lat, lng = point
    cases = build(lat=lat, lng=lng, category=category) if category is not None else []
    response = JsonResponse(
        {
            "radius_m": settings.DUPLICATE_RADIUS_METRES,
            "cases": cases,
            "suggested_categories": suggested_categories(place, categories),
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def public_nearby(request):
    """Open published cases of the category near a point: public fields only."""
    if LOOKUPS.exceeded(request):
        return JsonResponse({"error": _("Too many requests; try again later."), "cases": []}, status=429)
    LOOKUPS.hit(request)
    categories = HazardCategory.objects.filter(is_active=True, public=True)
    return _nearby_response(request, Place.objects.all(), categories, duplicates.public_suggestions)


@login_required
@require_GET
def staff_nearby(request):
    """Open cases in the user's scope near a point, with their tracking codes and links."""
    exclude = request.GET.get("exclude")
    exclude = int(exclude) if exclude and exclude.isdigit() else None
    return _nearby_response(
        request,
        Place.objects.restrict(request.user),
        HazardCategory.objects.filter(is_active=True),
        lambda **kw: duplicates.staff_suggestions(request.user, exclude=exclude, **kw),
    )


class ContactForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=60, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    note = forms.CharField(label=gettext_lazy("Anything to add?"), max_length=500, required=False)
    website = forms.CharField(required=False)

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(_("Enter a phone number (digits only)."))
        return phone


class UpdateForm(forms.Form):
    note = forms.CharField(max_length=reporter_actions.MAX_NOTE, required=False)
    photos = MultiplePhotoField()
    website = forms.CharField(required=False)


def _errors_to_messages(request, exc):
    texts = exc.messages if isinstance(exc, ValidationError) else [str(exc.message)]
    for text in texts:
        messages.error(request, text)


@never_cache
@require_POST
def me_too(request, pk):
    """ "Me too": follow the open case instead of filing a new one."""
    case = get_object_or_404(HazardCase.objects.public(), pk=pk)
    if UPDATES.exceeded(request):
        messages.error(request, _("Too many updates from your connection; try again later."))
        return redirect("portal-report")
    UPDATES.hit(request)
    form = ContactForm(request.POST)
    if not form.is_valid() or (form.cleaned_data.get(HONEYPOT) or "").strip():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("portal-report")
    data = form.cleaned_data
    try:
        reporter_actions.me_too(
            case,
            name=data["name"],
            phone=data["phone"],
            email=data["email"],
            note=data["note"],
            user=request.user,
        )
    except (TransitionError, ValidationError) as exc:
        _errors_to_messages(request, exc)
        return redirect("portal-report")
    messages.success(
        request,
        _("Thank you: you now follow this case. Keep its tracking code to see what happens."),
    )
    return redirect(reverse("portal-track", args=[case.tracking_code]))


def _tracked(code):
    case = HazardCase.objects.filter(tracking_code=clean_tracking_code(code)).first()
    if case is None:
        raise Http404
    return case


def _update(request, code, run, done):
    case = _tracked(code)
    back = reverse("portal-track", args=[case.tracking_code])
    if UPDATES.exceeded(request):
        messages.error(request, _("Too many updates from your connection; try again later."))
        return redirect(back)
    UPDATES.hit(request)
    form = UpdateForm(request.POST, request.FILES)
    if not form.is_valid() or (form.cleaned_data.get(HONEYPOT) or "").strip():
        messages.error(request, _("Your update could not be accepted."))
        return redirect(back)
    try:
        run(case, note=form.cleaned_data["note"], photos=form.cleaned_data["photos"])
    except (TransitionError, ValidationError) as exc:
        _errors_to_messages(request, exc)
        return redirect(back + "#reporter-actions")
    messages.success(request, done)
    return redirect(back + "#timeline")


@never_cache
@require_POST
def add_information(request, code):
    return _update(
        request, code, reporter_actions.add_information, _("Thank you: your information is on the timeline.")
    )


@never_cache
@require_POST
def not_fixed(request, code):
    return _update(
        request,
        code,
        reporter_actions.not_fixed,
        _("The case is reopened: the fire safety staff will review it and answer on this page."),
    )


# ---- staff step forms ------------------------------------------------------------------------


def _case_by_code(form, field):
    code = normalise_code(form.cleaned_data.get(field))
    if not code:
        return None
    other = HazardCase.objects.restrict(form.user).filter(tracking_code=code).first()
    if other is None or (form.case is not None and other.pk == form.case.pk):
        raise ValidationError(_("No other case with this tracking code in your jurisdiction."))
    return other


class HonestRejectForm(RejectForm):
    """Rejecting says whose the hazard is when it is not ours; rejecting as a duplicate merges the case
    into the original (its reporters follow the original: `reporter_actions.merge`)."""

    referred_to = forms.CharField(
        label=gettext_lazy("Whose responsibility (when not ours)"),
        required=False,
        max_length=120,
        help_text=gettext_lazy("e.g. the power company, the property manager, the traffic police"),
    )
    field_order = ["close_reason", "duplicate_of", "referred_to", "reason"]


class ReviewForm(StepForm):
    still_hazard = forms.TypedChoiceField(
        label=gettext_lazy("Is the hazard still there?"),
        choices=[
            ("1", gettext_lazy("Yes: confirm it again and order rectification")),
            ("0", gettext_lazy("No: close it again with its earlier reason")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = note_field(gettext_lazy("Answer to the reporter (required when closing again)"))
