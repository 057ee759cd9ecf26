"""Place pages: the filtered list, the detail with its grade and why, forms, history, the sign."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from firegrid.core import views as scoped
from firegrid.org.choices import Sector
from firegrid.org.views.base import FilteredListMixin, FormTitleMixin
from firegrid.places.choices import Authority, PlaceKind, PlaceStatus, SelfBuiltUse
from firegrid.places.forms import FIELD_GROUPS, PlaceForm, PlacePageFilter, flag_labels, is_org_writer
from firegrid.places.models import GradingRuleSet, Place
from firegrid.places.signs import place_sign_pdf
from firegrid.places.templatetags.places_ui import flag_names, risk_badge

ATTRIBUTE_GROUPS = ("building", "occupancy", "self_built")
ATTRIBUTE_FIELDS = [name for key, _title, names in FIELD_GROUPS if key in ATTRIBUTE_GROUPS for name in names]


def attributes(place):
    """(label, value) of the building and occupancy attributes recorded for the place."""
    rows = []
    for name in ATTRIBUTE_FIELDS:
        value = getattr(place, name)
        if value is None or value is False or value in ("", []):
            continue
        if name == "self_built_uses":
            value = ", ".join(str(dict(SelfBuiltUse.choices).get(v, v)) for v in value)
        elif value is True:
            value = _("yes")
        elif isinstance(value, float):
            value = f"{value:g}"
        rows.append((capfirst(Place._meta.get_field(name).verbose_name), value))
    return rows


class PlaceMixin:
    model = Place
    context_object_name = "place"
    detail_url_name = "place-detail"
    list_url_name = "place-list"


class PlaceListView(PlaceMixin, FilteredListMixin, scoped.ScopedListView):
    filterset_class = PlacePageFilter
    template_name = "places/place_list.html"
    context_object_name = "places"

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        context = super().get_context_data(**kwargs)
        labels = flag_labels()
        self.rows(context["places"], labels)
        return context | {
            "can_add": is_org_writer(self.request.user),
            "flag_labels": labels,
            "filter_query": query.urlencode(),
            "can_view_rules": GradingRuleSet.objects.restrict(self.request.user).exists(),
        }

    @staticmethod
    def rows(places, flags):
        """What each row shows, worked out here once per page (labels translated once, not per row):
        place.row = {url, status, risk, kind, authority, flags, due}."""
        labels = {
            name: {value: str(label) for value, label in choices.choices}
            for name, choices in (("status", PlaceStatus), ("kind", PlaceKind), ("authority", Authority))
        }
        for place in places:
            place.row = {
                "url": reverse("place-detail", args=[place.pk]),
                "status": labels["status"].get(place.status, place.status),
                "risk": risk_badge(place.risk_level),
                "kind": labels["kind"].get(place.kind, place.kind),
                "authority": labels["authority"].get(place.authority, place.authority),
                "flags": flag_names(place, flags),
                "due": date_format(place.next_inspection_due, "Y-m-d") if place.next_inspection_due else "",
            }


class PlaceDetailView(PlaceMixin, scoped.ScopedDetailView):
    template_name = "places/place_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region__parent__parent", "residential_area", "ruleset")

    def get_context_data(self, **kwargs):
        place = self.object
        active = GradingRuleSet.active()
        return super().get_context_data(**kwargs) | {
            "flag_labels": flag_labels(active or place.ruleset),
            "grade_events": place.grade_events.select_related("ruleset", "actor")[:50],
            "owners": place.owners.all(),
            "active_ruleset": active,
            "can_view_rules": GradingRuleSet.objects.restrict(self.request.user).exists(),
            "attributes": attributes(place),
            "sector_label": dict(Sector.choices).get(place.sector, place.sector),
        }


class PlaceFormMixin(PlaceMixin, FormTitleMixin):
    form_class = PlaceForm
    template_name = "places/place_form.html"

    @property
    def success_message(self):
        # read after saving: the grade the rules gave
        return _("Saved. Graded %(level)s, supervised by %(authority)s.") % {
            "level": self.object.get_risk_level_display(),
            "authority": self.object.get_authority_display(),
        }


class PlaceCreateView(PlaceFormMixin, scoped.ScopedCreateView):
    def dispatch(self, request, *args, **kwargs):
        # Unit owners may edit their own places, but new places are registered by officers.
        if request.user.is_authenticated and not is_org_writer(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PlaceUpdateView(PlaceFormMixin, scoped.ScopedUpdateView):
    pass


class PlaceHistoryView(PlaceMixin, scoped.HistoryView):
    pass


class PlaceSignView(PlaceMixin, scoped.ScopedDetailView):
    """The printable A4 sign with the place's code and QR, for posting at the entrance."""

    def get(self, request, *args, **kwargs):
        place = self.get_object()
        response = HttpResponse(place_sign_pdf(place), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="place-sign-{place.code}.pdf"'
        return response
