"""Facility pages: the filtered list, the detail with its check history and rules, forms, the phone
survey, check photos, the coverage page and the per-town compliance view."""


from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View, generic

from firegrid.core import views as scoped
from firegrid.core.files import upload_response
from firegrid.facilities import actions, coverage, rules
from firegrid.facilities.choices import STATUS_COLOURS, WATER_SOURCE_KINDS, FacilityKind, FacilityStatus
from firegrid.facilities.forms import FacilityFilter, FacilityForm, SurveyForm
from firegrid.facilities.models import Facility, FacilityCheck
from firegrid.org.views.base import FilteredListMixin, FormTitleMixin

COVERAGE_SHOWN = 500


class FacilityMixin:
    model = Facility
    context_object_name = "facility"
    detail_url_name = "facilities:detail"
    list_url_name = "facilities:list"


class FacilityListView(FacilityMixin, FilteredListMixin, scoped.ScopedListView):
    filterset_class = FacilityFilter
    template_name = "facilities/facility_list.html"
    context_object_name = "facilities"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs) | {
            "filter_query": query.urlencode(),
            "status_colours": STATUS_COLOURS,
        }


class FacilityDetailView(FacilityMixin, scoped.ScopedDetailView):
    template_name = "facilities/facility_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region__parent__parent", "plan")

    def get_context_data(self, **kwargs):
        from firegrid.iot.models import Device

        facility = self.object
        user = self.request.user
        idents = facility.device_ident_list
        devices = list(Device.objects.restrict(user).filter(ident__in=idents)) if idents else []
        return super().get_context_data(**kwargs) | {
            "checks": facility.checks.select_related("hazard_case", "actor")[:100],
            "rule_results": rules.evaluate(facility),
            "in_ancient_town": rules.is_ancient_region(facility.region),
            "devices": devices,
            "unknown_devices": sorted(set(idents) - {d.ident for d in devices}),
            "can_survey": actions.may_survey(user),
            "status_colours": STATUS_COLOURS,
        }


class FacilityFormMixin(FacilityMixin, FormTitleMixin):
    form_class = FacilityForm
    template_name = "facilities/facility_form.html"


class FacilityCreateView(FacilityFormMixin, scoped.ScopedCreateView):
    def get_initial(self):
        initial = super().get_initial()
        for key in ("kind", "lat", "lng", "plan"):
            if self.request.GET.get(key):
                initial[key] = self.request.GET[key][:40]
        if self.request.GET.get("plan"):
            initial["status"] = FacilityStatus.PLANNED
        return initial


class FacilityUpdateView(FacilityFormMixin, scoped.ScopedUpdateView):
    pass


class FacilityHistoryView(FacilityMixin, scoped.HistoryView):
    pass


class SurveyView(LoginRequiredMixin, generic.FormView):
    """The phone form of the survey (摸底排查): what was found sets the status; a fault opens a case."""

    form_class = SurveyForm
    template_name = "facilities/survey_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.facility = get_object_or_404(
            Facility.objects.restrict(request.user).select_related("region"), pk=kwargs["pk"]
        )
        if not actions.may_survey(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"facility": self.facility}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "facility": self.facility,
            "min_pressure": rules.min_pressure(self.facility.kind),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            check = actions.record_check(
                self.facility,
                actor=self.request.user,
                kind=data["kind"],
                status_after=data["status_after"],
                pressure_mpa=data.get("pressure_mpa"),
                water_level_pct=data.get("water_level_pct"),
                access=data.get("access") or "",
                damage=data.get("damage") or "",
                note=data.get("note") or "",
                photo=data.get("photo"),
                lat=data.get("lat"),
                lng=data.get("lng"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        if check.hazard_case_id:
            messages.warning(
                self.request,
                _("Check recorded. The fault is hazard case %(code)s.")
                % {"code": check.hazard_case.tracking_code},
            )
        else:
            messages.success(self.request, _("Check recorded."))
        return HttpResponseRedirect(reverse("facilities:detail", args=[self.facility.pk]))


class CheckPhotoView(LoginRequiredMixin, View):
    """A check's photo, for those who may see the facility (media are not public)."""

    def get(self, request, pk):
        check = get_object_or_404(FacilityCheck.objects.restrict(request.user), pk=pk)
        return upload_response(check.photo, content_type=check.photo_type)


def coverage_params(params):
    """(distance in m, source kinds, error message or None) from ?distance=&sources=hydrant|water."""
    error = None
    try:
        distance = coverage.parse_distance(params.get("distance"))
    except ValueError:
        distance = coverage.default_distance()
        error = _("The distance must be a whole number of metres from 1 to %(max)s.") % {
            "max": coverage.MAX_DISTANCE_M
        }
    kinds = (FacilityKind.HYDRANT,) if params.get("sources") == "hydrant" else WATER_SOURCE_KINDS
    return distance, kinds, error


class CoverageView(LoginRequiredMixin, generic.TemplateView):
    template_name = "facilities/coverage.html"

    def get_context_data(self, **kwargs):
        distance, kinds, error = coverage_params(self.request.GET)
        user = self.request.user
        places = coverage.place_gaps(user, distance, kinds)
        grids = coverage.grid_gaps(user, distance, kinds, place_gap_list=places)
        return super().get_context_data(**kwargs) | {
            "distance": distance,
            "default_distance": coverage.default_distance(),
            "sources": self.request.GET.get("sources", "water"),
            "error": error,
            "place_gaps": places[:COVERAGE_SHOWN],
            "place_gap_count": len(places),
            "shown": COVERAGE_SHOWN,
            "grid_gaps": grids,
            "grids_without_source": [g for g in grids if not g.has_source],
            "sees": coverage.sees_facilities(user),
        }


class ComplianceView(LoginRequiredMixin, generic.TemplateView):
    """Per ancient town or village: the seed's thresholds, counts, failing facilities, its plans."""

    template_name = "facilities/compliance.html"

    def get_context_data(self, **kwargs):
        doc = rules.active_document()
        return super().get_context_data(**kwargs) | {
            "doc": doc,
            "doc_rules": [(r, rules.rule_title(r)) for r in doc.get("rules", [])],
            "rows": rules.town_compliance(self.request.user, doc),
            "status_colours": STATUS_COLOURS,
        }
