"""Vulnerable households, their "敲门行动" visits (the phone form) and devices. Every lookup goes
through the care scope (scopes.py): outside it a household does not exist (404)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View, generic

from firegrid.core import views as scoped
from firegrid.core.views import in_scope, may_write
from firegrid.org.views.base import FilteredListMixin, FormTitleMixin
from firegrid.outreach import actions
from firegrid.outreach.forms import DeviceForm, HouseholdFilter, HouseholdForm, VisitForm
from firegrid.outreach.models import HomeVisit, Household
from firegrid.outreach.views.training import put_errors


class HouseholdMixin:
    model = Household
    context_object_name = "household"
    detail_url_name = "outreach:household"
    list_url_name = "outreach:households"


class HouseholdListView(HouseholdMixin, FilteredListMixin, scoped.ScopedListView):
    filterset_class = HouseholdFilter
    template_name = "outreach/household_list.html"
    context_object_name = "households"

    def get_queryset(self):
        return super().get_queryset().select_related("grid", "helper")

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs) | {"filter_query": query.urlencode()}


class HouseholdDetailView(HouseholdMixin, scoped.ScopedDetailView):
    template_name = "outreach/household_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("grid__parent__parent", "helper")

    def get_context_data(self, **kwargs):
        household = self.object
        user = self.request.user
        can_record = may_write(user, Household, "change") and in_scope(user, household, "change")
        return super().get_context_data(**kwargs) | {
            "visits": household.visits.select_related("visitor").prefetch_related("hazard_cases")[:50],
            "devices": household.devices.select_related("iot_device"),
            "can_record": can_record,
            "today": timezone.localdate(),
        }


class HouseholdFormMixin(HouseholdMixin, FormTitleMixin):
    form_class = HouseholdForm
    template_name = "outreach/form.html"


class HouseholdCreateView(HouseholdFormMixin, scoped.ScopedCreateView):
    def get_initial(self):
        return super().get_initial() | {
            "consent_on": timezone.localdate(),
            "consent_scope": ["register", "visits"],
        }


class HouseholdUpdateView(HouseholdFormMixin, scoped.ScopedUpdateView):
    pass


class HouseholdHistoryView(HouseholdMixin, scoped.HistoryView):
    pass


class VisitCreateView(LoginRequiredMixin, generic.FormView):
    """The phone form of a visit. A household outside the visitor's area is a form error (400)."""

    form_class = VisitForm
    template_name = "outreach/visit_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_write(request.user, Household, "change"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_initial(self):
        initial = {"visited_on": timezone.localdate()}
        if self.request.GET.get("household", "").isdigit():
            initial["household"] = int(self.request.GET["household"])
        return initial

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            visit = actions.record_visit(
                data["household"],
                actor=self.request.user,
                visited_on=data["visited_on"],
                outcome=data["outcome"],
                photos=[data["photo"]] if data.get("photo") else (),
                **form.findings(),
            )
        except ValidationError as exc:
            put_errors(form, exc)
            return self.form_invalid(form)
        cases = list(visit.hazard_cases.all())
        if cases:
            messages.warning(
                self.request,
                _("Visit recorded. Hazard cases opened: %(codes)s.")
                % {"codes": ", ".join(c.tracking_code for c in cases)},
            )
        else:
            messages.success(self.request, _("Visit recorded."))
        return HttpResponseRedirect(reverse("outreach:household", args=[visit.household_id]))


class VisitListView(scoped.ScopedListView):
    model = HomeVisit
    template_name = "outreach/visit_list.html"
    context_object_name = "visits"

    def get_queryset(self):
        return super().get_queryset().select_related("household__grid", "visitor")


class VisitDetailView(scoped.ScopedDetailView):
    model = HomeVisit
    template_name = "outreach/visit_detail.html"
    context_object_name = "visit"

    def get_queryset(self):
        return super().get_queryset().select_related("household__grid", "visitor")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"cases": self.object.hazard_cases.all()}


class DeviceAddView(LoginRequiredMixin, View):
    template_name = "outreach/form.html"

    def get_household(self, request, pk):
        return get_object_or_404(Household.objects.restrict(request.user, "change"), pk=pk)

    def render(self, request, household, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "form_title": _("Device installed for %(name)s") % {"name": household},
                "cancel_url": reverse("outreach:household", args=[household.pk]),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render(
            request,
            self.get_household(request, pk),
            DeviceForm(initial={"installed_on": timezone.localdate()}),
        )

    def post(self, request, pk):
        household = self.get_household(request, pk)
        form = DeviceForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            ident = data.pop("iot_ident")
            try:
                device = actions.install_device(
                    household,
                    actor=request.user,
                    iot_device=actions.find_iot_device(request.user, ident),
                    **data,
                )
            except ValidationError as exc:
                put_errors(form, exc)
                if "iot_device" in getattr(exc, "error_dict", {}):
                    form.add_error("iot_ident", exc.error_dict["iot_device"])
            else:
                messages.success(request, _("%(device)s recorded.") % {"device": device.get_kind_display()})
                return HttpResponseRedirect(reverse("outreach:household", args=[household.pk]))
        return self.render(request, household, form, status=400)
