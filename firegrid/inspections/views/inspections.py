"""Inspection pages: the scoped list, the detail with the GB 35181 proposal and the officer's
decision, starting an inspection of a place, and the photos (served only to those who may see them)."""


from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View, generic

from firegrid.core import views as scoped
from firegrid.core.files import upload_response
from firegrid.core.views import may_write
from firegrid.inspections import actions
from firegrid.inspections.choices import InspectionKind, InspectionStatus
from firegrid.inspections.forms import DecisionForm, InspectionFilter, StartForm, put_errors
from firegrid.inspections.models import Campaign, Inspection, InspectionPlan, RandomDraw
from firegrid.inspections.views.explain import checklist_blocks, explain, item_count
from firegrid.org.views.base import FilteredListMixin
from firegrid.places.models import Place


def section_links(user):
    """Which of the planning pages to offer the user (each page is scoped on its own)."""
    return {
        f"show_{name}": may_write(user, model, "add") or model.objects.restrict(user).exists()
        for name, model in (("plans", InspectionPlan), ("campaigns", Campaign), ("draws", RandomDraw))
    }


class SectionLinksMixin:
    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | section_links(self.request.user)


class InspectionListView(SectionLinksMixin, FilteredListMixin, scoped.ScopedListView):
    model = Inspection
    filterset_class = InspectionFilter
    template_name = "inspections/inspection_list.html"
    context_object_name = "inspections"

    def get_queryset(self):
        return super().get_queryset().select_related("place").prefetch_related("inspectors")

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        place_id = self.request.GET.get("place")
        place = None
        if place_id and place_id.isdigit():
            place = Place.objects.restrict(self.request.user).filter(pk=place_id).first()
        return super().get_context_data(**kwargs) | {
            "place": place,
            "filter_query": query.urlencode(),
        }


class InspectionDetailView(scoped.ScopedDetailView):
    """The inspection as recorded; qualified officers decide on the proposal here (POST)."""

    model = Inspection
    template_name = "inspections/inspection_detail.html"
    context_object_name = "inspection"

    def get_queryset(self):
        return super().get_queryset().select_related("place__region", "decided_by", "campaign", "previous")

    def can_decide(self):
        user, inspection = self.request.user, self.object
        return (
            inspection.status == InspectionStatus.SUBMITTED
            and may_write(user, Inspection, "change")
            and scoped.in_scope(user, inspection, "change")
            and user.can_inspect()
        )

    def get_context_data(self, **kwargs):
        # the page offers the decision, not the generic edit and delete links: without ScopedDetailView's
        # can_change/can_delete, two queries whose answers the template never read
        context = generic.DetailView.get_context_data(self, **kwargs)
        inspection = self.object
        answers = list(inspection.answers.all())
        user = self.request.user
        if "decision_form" not in context and self.can_decide():
            context["decision_form"] = DecisionForm()
        versions = list(inspection.checklists.all())  # read once for the blocks and the count
        return context | {
            "blocks": checklist_blocks(inspection, answers, all_items=False, versions=versions),
            "answered": len(answers),
            "item_total": item_count(inspection, versions),
            "proposal": explain(inspection.determination),
            "hazards": inspection.hazards.select_related("answer", "case"),
            "inspectors": list(inspection.inspectors.all()),
            "is_inspector": inspection.inspectors.filter(pk=user.pk).exists(),
        }

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.can_decide():
            raise Http404
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                actions.decide_major(
                    self.object,
                    officer=request.user,
                    major=form.major(self.object),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                put_errors(form, exc, rename={"decision_reason": "reason"})
            else:
                messages.success(request, _("Decision recorded."))
                return HttpResponseRedirect(reverse("inspections:detail", args=[self.object.pk]))
        context = self.get_context_data(object=self.object, decision_form=form)
        return self.render_to_response(context)


class InspectionPhotoView(LoginRequiredMixin, View):
    """A failed item's photo, for those who may see the inspection (media are not public)."""

    def get(self, request, pk, answer_pk):
        inspection = get_object_or_404(Inspection.objects.restrict(request.user), pk=pk)
        answer = get_object_or_404(inspection.answers.exclude(photo=""), pk=answer_pk)
        return upload_response(answer.photo)


# ---- starting an inspection --------------------------------------------------------------------


def default_kind(user, place):
    if place.owners.filter(pk=user.pk).exists():
        return InspectionKind.SELF_CHECK
    if user.can_inspect():
        return InspectionKind.SUPERVISORY
    return InspectionKind.PATROL


class StartInspectionView(LoginRequiredMixin, generic.FormView):
    """Choose the kind and the inspectors of an inspection of a place, then go to the phone form.
    Without a place (/inspections/new/) it first finds one."""

    form_class = StartForm
    template_name = "inspections/inspection_start.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_write(request.user, Inspection, "add"):
            raise Http404
        place_id = kwargs.get("place_pk") or request.GET.get("place") or request.POST.get("place")
        self.place = None
        if place_id:
            if not str(place_id).isdigit():
                raise Http404
            places = Place.objects.restrict(request.user).select_related("region")
            self.place = get_object_or_404(places, pk=place_id)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.place is None:
            return self.place_picker()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.place is None:
            raise Http404
        return super().post(request, *args, **kwargs)

    def place_picker(self):
        query = (self.request.GET.get("q") or "").strip()
        places = Place.objects.restrict(self.request.user).active()
        if query:
            places = places.filter(
                Q(name__icontains=query) | Q(address__icontains=query) | Q(code=query.upper())
            )
        return render(
            self.request,
            "inspections/inspection_pick_place.html",
            {"places": places.order_by("name")[:30], "query": query},
        )

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "place": self.place}

    def get_initial(self):
        initial = {"kind": default_kind(self.request.user, self.place), "inspectors": [self.request.user.pk]}
        for key in ("kind", "campaign", "previous"):
            if self.request.GET.get(key):
                initial[key] = self.request.GET[key]
        return initial

    def get_context_data(self, **kwargs):
        last = (
            Inspection.objects.restrict(self.request.user)
            .filter(place=self.place)
            .order_by("-inspected_on", "-id")
            .first()
        )
        return super().get_context_data(**kwargs) | {"place": self.place, "last": last}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            inspection = actions.start_inspection(
                self.place,
                data["kind"],
                list(data["inspectors"]),
                actor=self.request.user,
                previous=data.get("previous") if data["kind"] == InspectionKind.REINSPECTION else None,
                campaign=data.get("campaign") if data["kind"] == InspectionKind.CAMPAIGN else None,
            )
        except ValidationError as exc:
            put_errors(form, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("inspections:form", args=[inspection.pk]))
