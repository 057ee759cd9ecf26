"""Fire incidents, targets against them, and the trace-back report (page and PDF)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import View, generic

from firegrid.core import views as scoped
from firegrid.org.views.base import FormTitleMixin
from firegrid.tasks import actions, incidents, traceback
from firegrid.tasks.forms import IncidentForm, TargetForm
from firegrid.tasks.models import FireIncident, IncidentTarget
from firegrid.tasks.views import form_errors, year_param


class IncidentMixin:
    model = FireIncident
    context_object_name = "incident"
    detail_url_name = "tasks:incident"
    list_url_name = "tasks:incidents"


class IncidentListView(IncidentMixin, scoped.ScopedListView):
    template_name = "tasks/incident_list.html"
    context_object_name = "incidents"

    def get_queryset(self):
        self.year = year_param(self.request)
        return super().get_queryset().filter(occurred_at__year=self.year).select_related("region", "place")

    def get_context_data(self, **kwargs):
        targets = (
            IncidentTarget.objects.restrict(self.request.user).filter(year=self.year).select_related("region")
        )
        return super().get_context_data(**kwargs) | {
            "year": self.year,
            "targets": [incidents.progress(t) for t in targets],
            "can_add_target": scoped.may_write(self.request.user, IncidentTarget, "add"),
        }


class IncidentDetailView(IncidentMixin, scoped.ScopedDetailView):
    template_name = "tasks/incident_detail.html"


class IncidentFormMixin(IncidentMixin, FormTitleMixin):
    form_class = IncidentForm
    template_name = "tasks/simple_form.html"

    def form_valid(self, form):
        from django.contrib import messages
        from django.core.exceptions import ValidationError
        from django.http import HttpResponseRedirect
        from django.utils.translation import gettext as _

        try:
            self.object = actions.save_incident(form.instance, actor=self.request.user)
        except ValidationError as exc:
            form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class IncidentCreateView(IncidentFormMixin, scoped.ScopedCreateView):
    def get_initial(self):
        initial = super().get_initial()
        code = self.request.GET.get("place", "")
        if code.isalnum():
            initial["place_code"] = code[:16]
        return initial


class IncidentUpdateView(IncidentFormMixin, scoped.ScopedUpdateView):
    pass


class TargetCreateView(scoped.ScopedCreateView):
    model = IncidentTarget
    form_class = TargetForm
    template_name = "tasks/simple_form.html"
    success_url = "/tasks/incidents/"

    def get_context_data(self, **kwargs):
        from django.utils.translation import gettext as _

        return super().get_context_data(**kwargs) | {
            "form_title": _("New target"),
            "cancel_url": self.success_url,
        }


def _traceback_context(request, pk):
    incident = get_object_or_404(FireIncident.objects.restrict(request.user).select_related("place"), pk=pk)
    if incident.place_id is None:
        raise Http404
    try:
        data = traceback.build(request.user, incident.place, incident=incident)
    except incident.place.DoesNotExist:
        raise Http404 from None
    return data | {"printed_at": timezone.now()}


class TracebackView(LoginRequiredMixin, generic.TemplateView):
    template_name = "tasks/traceback.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | _traceback_context(self.request, kwargs["pk"])


class TracebackPdfView(LoginRequiredMixin, View):
    def get(self, request, pk):
        context = _traceback_context(request, pk)
        html = render_to_string("tasks/traceback_pdf.html", context, request=request)
        pdf = traceback.report_pdf(html)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="traceback-{pk}.pdf"'
        return response
