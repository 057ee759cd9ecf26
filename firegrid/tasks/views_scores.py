"""Scoring pages: each street's and unit's score with every point explained, the xlsx export, and the
versioned schemes (the district admin stores a new version; bad weights are refused)."""

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View, generic

from firegrid.core import views as scoped
from firegrid.tasks import scoring, scoring_xlsx
from firegrid.tasks.forms import SchemeForm
from firegrid.tasks.models import ScoreScheme
from firegrid.tasks.views import form_errors, year_param


def scheme_param(request):
    version = request.GET.get("scheme", "")
    schemes = ScoreScheme.objects.restrict(request.user)
    if version:
        return get_object_or_404(schemes, version=version)
    scheme = schemes.filter(is_active=True).first()
    if scheme is None:
        raise Http404
    return scheme


class ScoresView(LoginRequiredMixin, generic.TemplateView):
    template_name = "tasks/scores.html"

    def get_context_data(self, **kwargs):
        year = year_param(self.request)
        scheme = scheme_param(self.request)
        streets, units = scoring.cards_for(self.request.user, year, scheme)
        return super().get_context_data(**kwargs) | {
            "year": year,
            "scheme": scheme,
            "streets": streets,
            "units": units,
            "schemes": ScoreScheme.objects.restrict(self.request.user),
        }


class ScoresExportView(LoginRequiredMixin, View):
    def get(self, request):
        year = year_param(request)
        scheme = scheme_param(request)
        streets, units = scoring.cards_for(request.user, year, scheme)
        out = scoring_xlsx.workbook(streets, units, year, scheme)
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"scores-{year}-{scheme.version}.xlsx",
            content_type=scoring_xlsx.XLSX_TYPE,
        )


class SchemeListView(scoped.ScopedListView):
    model = ScoreScheme
    template_name = "tasks/scheme_list.html"
    context_object_name = "schemes"


class SchemeDetailView(scoped.ScopedDetailView):
    model = ScoreScheme
    template_name = "tasks/scheme_detail.html"
    context_object_name = "scheme"

    def get_context_data(self, **kwargs):
        doc = self.object.document
        return super().get_context_data(**kwargs) | {
            "pretty": json.dumps(doc, ensure_ascii=False, indent=1),
            "street_items": doc.get("street", []),
            "unit_items": doc.get("unit", []),
        }


class SchemeCreateView(LoginRequiredMixin, scoped.WriteAccessMixin, generic.FormView):
    """A new version from an edited copy of the active one; nothing is stored unless the weights add up."""

    model = ScoreScheme
    scope_action = "add"
    form_class = SchemeForm
    template_name = "tasks/simple_form.html"

    def get_initial(self):
        active = ScoreScheme.active()
        if active is None:
            return {}
        doc = dict(active.document)
        doc["version"] = f"{doc.get('version', '')}-edit"
        return {"document": json.dumps(doc, ensure_ascii=False, indent=1)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "form_title": _("New scoring scheme version"),
            "cancel_url": reverse("tasks:schemes"),
        }

    def form_valid(self, form):
        try:
            scheme = scoring.new_scheme_version(form.cleaned_data["document"], actor=self.request.user)
        except ValidationError as exc:
            form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Scheme %(version)s is now in force.") % {"version": scheme.version})
        return HttpResponseRedirect(reverse("tasks:scheme", args=[scheme.pk]))

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response
