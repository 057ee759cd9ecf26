"""The phone form of an inspection: one block per checklist item, each saved on its own with htmx
as the inspector taps (so a phone going to sleep loses nothing), the location stamp and notes, and
the submit that produces the GB 35181 proposal. Only the inspection's inspectors record it: the
actions refuse anyone else, and the page shows their refusal."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from firegrid.inspections import actions
from firegrid.inspections.choices import AnswerResult, InspectionKind, InspectionStatus
from firegrid.inspections.forms import AnswerForm, DetailsForm, SubmitForm, error_texts, put_errors
from firegrid.inspections.models import Inspection
from firegrid.inspections.views.answer_items import write_items
from firegrid.inspections.views.explain import checklist_blocks, item_count


def scoped_inspection(request, pk, *, related=True):
    """The inspection if the user may see it; related: with its place, region and campaign (the form
    page shows them; a tap's POST needs only the inspection)."""
    inspections = Inspection.objects.restrict(request.user)
    if related:
        inspections = inspections.select_related("place__region", "campaign")
    return get_object_or_404(inspections, pk=pk)


def form_url(inspection, anchor=""):
    return reverse("inspections:form", args=[inspection.pk]) + (f"#{anchor}" if anchor else "")


def form_context(request, inspection, **extra):
    answers = list(inspection.answers.all())
    is_inspector = request.user.is_superuser or inspection.inspectors.filter(pk=request.user.pk).exists()
    details_form = extra.pop("details_form", None) or DetailsForm(inspection=inspection)
    if not is_inspector:
        for field in details_form.fields.values():
            field.disabled = True
    versions = list(inspection.checklists.all())  # read once for the blocks and the count
    blocks = checklist_blocks(inspection, answers, versions=versions)
    readonly = "" if is_inspector else mark_safe(" disabled")  # the actions refuse them anyway
    # translated once for the page, not once per item
    result_choices = [(value, str(label)) for value, label in AnswerResult.choices]
    error_key = extra.get("error_key")
    write_items(
        request, inspection, blocks, readonly=readonly, result_choices=result_choices, error_key=error_key
    )
    return {
        "inspection": inspection,
        "place": inspection.place,
        "blocks": blocks,
        "answered": len(answers),
        "failed": sum(1 for a in answers if a.result == AnswerResult.FAIL),
        "item_total": item_count(inspection, versions),
        "inspectors": list(inspection.inspectors.all()),
        "is_inspector": is_inspector,
        "readonly": readonly,
        "details_form": details_form,
        "submit_form": SubmitForm(),
        "results": AnswerResult,
        "result_choices": result_choices,
        "is_self_check": inspection.kind == InspectionKind.SELF_CHECK,
    } | extra


class InspectionFormView(LoginRequiredMixin, View):
    def get(self, request, pk):
        inspection = scoped_inspection(request, pk)
        if inspection.status != InspectionStatus.DRAFT:
            return HttpResponseRedirect(reverse("inspections:detail", args=[inspection.pk]))
        return render(request, "inspections/inspection_form.html", form_context(request, inspection))


class AnswerView(LoginRequiredMixin, View):
    """POST one item (htmx: the item's status comes back; without htmx: back to the form)."""

    def post(self, request, pk):
        inspection = scoped_inspection(request, pk, related=False)
        form = AnswerForm(request.POST, request.FILES)
        answer = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                answer = actions.record_answer(
                    inspection,
                    checklist=data["checklist"],
                    item_code=data["item_code"],
                    result=data["result"],
                    note=data["note"],
                    photo=data["photo"],
                    elements=data["elements"],
                    corrected_on_spot=data["corrected_on_spot"],
                    actor=request.user,
                )
            except ValidationError as exc:
                put_errors(form, exc)
        key = f"{request.POST.get('checklist', '')}-{request.POST.get('item_code', '')}"
        if request.htmx:
            answers = inspection.answers.all()
            return render(
                request,
                "inspections/partials/answer_status.html",
                {
                    "errors": form.errors,
                    "answer": answer,
                    "inspection": inspection,
                    "answered": answers.count(),
                    "item_total": item_count(inspection, keys=getattr(answer, "checklist_keys", None)),
                    "oob": True,
                },
            )
        if answer is not None:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(form_url(inspection, f"item-{key}"))
        if inspection.status != InspectionStatus.DRAFT:
            messages.error(request, " ".join(error_texts(form)))
            return HttpResponseRedirect(reverse("inspections:detail", args=[inspection.pk]))
        context = form_context(request, inspection, answer_errors=form.errors, error_key=key)
        return render(request, "inspections/inspection_form.html", context, status=400)


class DetailsView(LoginRequiredMixin, View):
    """POST the location stamp, notes and commitment."""

    def post(self, request, pk):
        inspection = scoped_inspection(request, pk, related=False)
        form = DetailsForm(request.POST, inspection=inspection)
        saved = False
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_details(
                    inspection,
                    actor=request.user,
                    lat=data["lat"],
                    lng=data["lng"],
                    notes=data["notes"],
                    commitment=data.get("commitment") if "commitment" in form.fields else None,
                )
                saved = True
            except ValidationError as exc:
                put_errors(form, exc)
        if request.htmx:
            return render(request, "inspections/partials/details_status.html", {"form": form, "saved": saved})
        if saved:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(form_url(inspection, "details"))
        context = form_context(request, inspection, details_form=form)
        return render(request, "inspections/inspection_form.html", context, status=400)


class SubmitView(LoginRequiredMixin, View):
    def post(self, request, pk):
        inspection = scoped_inspection(request, pk, related=False)
        form = SubmitForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(error_texts(form)))
            return HttpResponseRedirect(form_url(inspection, "submit"))
        try:
            inspection = actions.submit_inspection(
                inspection, actor=request.user, not_judged=form.cleaned_data["not_judged"] or None
            )
        except ValidationError as exc:
            for text in error_texts(exc):
                messages.error(request, text)
            if inspection.status != InspectionStatus.DRAFT:
                return HttpResponseRedirect(reverse("inspections:detail", args=[inspection.pk]))
            return HttpResponseRedirect(form_url(inspection, "submit"))
        outcome = inspection.get_outcome_display()
        messages.success(request, _("Submitted: %(outcome)s.") % {"outcome": outcome})
        return HttpResponseRedirect(reverse("inspections:detail", args=[inspection.pk]))
