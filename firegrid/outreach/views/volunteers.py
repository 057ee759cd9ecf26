"""Volunteers, their activities and hours, and the annual best-volunteer selection."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from firegrid.core import views as scoped
from firegrid.core.views import in_scope, may_write
from firegrid.org.views.base import FilteredListMixin, FormTitleMixin
from firegrid.outreach import actions
from firegrid.outreach.choices import SelectionStatus
from firegrid.outreach.forms import (
    ActivityFilter,
    ActivityForm,
    HoursForm,
    SelectionForm,
    VolunteerFilter,
    VolunteerForm,
)
from firegrid.outreach.models import BestVolunteerSelection, Volunteer, VolunteerActivity
from firegrid.outreach.views.training import put_errors


class VolunteerMixin:
    model = Volunteer
    context_object_name = "volunteer"
    detail_url_name = "outreach:volunteer"
    list_url_name = "outreach:volunteers"


class VolunteerListView(VolunteerMixin, FilteredListMixin, scoped.ScopedListView):
    filterset_class = VolunteerFilter
    template_name = "outreach/volunteer_list.html"
    context_object_name = "volunteers"

    def get_queryset(self):
        year = timezone.localdate().year
        return (
            super()
            .get_queryset()
            .select_related("region", "team")
            .annotate(
                year_hours=Sum("hours__hours", filter=Q(hours__activity__held_on__year=year)),
                year_activities=Count("hours", filter=Q(hours__activity__held_on__year=year)),
            )
            .order_by("region__path", "name", "id")  # aggregation drops Meta.ordering
        )


class VolunteerDetailView(VolunteerMixin, scoped.ScopedDetailView):
    template_name = "outreach/volunteer_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "hours": self.object.hours.select_related("activity").order_by("-activity__held_on")[:100],
            "total": self.object.hours.aggregate(t=Sum("hours"))["t"] or 0,
        }


class VolunteerCreateView(VolunteerMixin, FormTitleMixin, scoped.ScopedCreateView):
    form_class = VolunteerForm
    template_name = "outreach/form.html"


class VolunteerUpdateView(VolunteerMixin, FormTitleMixin, scoped.ScopedUpdateView):
    form_class = VolunteerForm
    template_name = "outreach/form.html"


class ActivityMixin:
    model = VolunteerActivity
    context_object_name = "activity"
    detail_url_name = "outreach:activity"
    list_url_name = "outreach:activities"


class ActivityListView(ActivityMixin, FilteredListMixin, scoped.ScopedListView):
    filterset_class = ActivityFilter
    template_name = "outreach/activity_list.html"
    context_object_name = "activities"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("region")
            .annotate(n_volunteers=Count("hours"), total_hours=Sum("hours__hours"))
            .order_by("-held_on", "-id")
        )


class ActivityDetailView(ActivityMixin, scoped.ScopedDetailView):
    template_name = "outreach/activity_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        activity = self.object
        can_change = may_write(user, VolunteerActivity, "change") and in_scope(user, activity, "change")
        return super().get_context_data(**kwargs) | {
            "hours": activity.hours.select_related("volunteer"),
            "hours_form": HoursForm(user=user, activity=activity) if can_change else None,
        }


class ActivityCreateView(ActivityMixin, FormTitleMixin, scoped.ScopedCreateView):
    form_class = ActivityForm
    template_name = "outreach/form.html"


class HoursAddView(LoginRequiredMixin, View):
    def post(self, request, pk):
        activity = get_object_or_404(VolunteerActivity.objects.restrict(request.user, "change"), pk=pk)
        form = HoursForm(request.POST, user=request.user, activity=activity)
        if form.is_valid():
            try:
                form.save()
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, _("Hours recorded."))
                return HttpResponseRedirect(reverse("outreach:activity", args=[activity.pk]))
        return render(
            request,
            "outreach/form.html",
            {
                "form": form,
                "form_title": _("Add hours"),
                "cancel_url": reverse("outreach:activity", args=[activity.pk]),
            },
            status=400,
        )


class SelectionListView(scoped.ScopedListView):
    model = BestVolunteerSelection
    template_name = "outreach/selection_list.html"
    context_object_name = "selections"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "form": SelectionForm(user=self.request.user, initial={"year": timezone.localdate().year}),
        }

    def post(self, request):
        form = SelectionForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                selection = actions.compute_selection(
                    data["region"],
                    data["year"],
                    actor=request.user,
                    places=data["places"],
                    min_hours=data["min_hours"],
                )
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                return HttpResponseRedirect(reverse("outreach:selection", args=[selection.pk]))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data() | {"form": form}, status=400)


class SelectionDetailView(scoped.ScopedDetailView):
    model = BestVolunteerSelection
    template_name = "outreach/selection_detail.html"
    context_object_name = "selection"

    def get_context_data(self, **kwargs):
        selection = self.object
        return super().get_context_data(**kwargs) | {
            "entries": selection.entries.select_related("volunteer"),
            "can_confirm": selection.status == SelectionStatus.DRAFT and self.get_context_data_can_change(),
        }

    def get_context_data_can_change(self):
        user = self.request.user
        return may_write(user, BestVolunteerSelection, "change") and in_scope(user, self.object, "change")

    def post(self, request, pk):
        selection = get_object_or_404(BestVolunteerSelection.objects.restrict(request.user, "change"), pk=pk)
        try:
            actions.confirm_selection(
                selection,
                actor=request.user,
                volunteer_ids=request.POST.getlist("volunteers"),
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            self.object = selection
            context = self.get_context_data(object=selection) | {"errors": exc.messages}
            return self.render_to_response(context, status=400)
        messages.success(request, _("Selection confirmed."))
        return HttpResponseRedirect(reverse("outreach:selection", args=[selection.pk]))


def not_found(*args, **kwargs):
    raise Http404
