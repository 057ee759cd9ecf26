"""Recurring duties and supervision pages (督查督办, 警示约谈) with their follow-up."""

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
from firegrid.tasks import actions
from firegrid.tasks.choices import STATE_COLOURS, SUPERVISION_COLOURS, ReviewState, SupervisionStatus
from firegrid.tasks.forms import DutyForm, SupervisionForm, TextForm
from firegrid.tasks.models import Duty, Supervision
from firegrid.tasks.views import form_errors, year_param


class DutyListView(scoped.ScopedListView):
    model = Duty
    template_name = "tasks/duty_list.html"
    context_object_name = "duties"
    paginate_by = 100

    def get_queryset(self):
        self.year = year_param(self.request)
        qs = super().get_queryset().filter(year=self.year).select_related("unit", "region")
        group = self.request.GET.get("group", "")
        return qs.filter(group=group) if group else qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for duty in context["duties"]:
            duty.review_state = duty.state(today)
        return context | {
            "year": self.year,
            "group": self.request.GET.get("group", ""),
            "groups": ["双定期", "四个一", "年度消防工作检查"],
            "state_colours": STATE_COLOURS,
            "states": dict(ReviewState.choices),
        }


class DutyDetailView(scoped.ScopedDetailView):
    model = Duty
    template_name = "tasks/duty_detail.html"
    context_object_name = "duty"

    def get_context_data(self, **kwargs):
        duty = self.object
        may = Duty.objects.restrict(self.request.user, "change").filter(pk=duty.pk).exists()
        return super().get_context_data(**kwargs) | {
            "state": duty.state(),
            "state_colours": STATE_COLOURS,
            "states": dict(ReviewState.choices),
            "form": kwargs.get("form") or (DutyForm() if may and not duty.done_on else None),
            "evidence": duty.evidence.all(),
        }

    def post(self, request, pk):
        self.object = duty = get_object_or_404(Duty.objects.restrict(request.user, "change"), pk=pk)
        form = DutyForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.complete_duty(
                    duty,
                    actor=request.user,
                    record=data["record"],
                    done_on=data["done_on"],
                    files=data["evidence"],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Duty recorded as done."))
                return HttpResponseRedirect(duty.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SupervisionListView(scoped.ScopedListView):
    model = Supervision
    template_name = "tasks/supervision_list.html"
    context_object_name = "supervisions"

    def get_queryset(self):
        qs = super().get_queryset().select_related("unit", "task")
        status = self.request.GET.get("status", "")
        return qs.filter(status=status) if status in SupervisionStatus.values else qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "colours": SUPERVISION_COLOURS,
            "statuses": SupervisionStatus.choices,
            "status": self.request.GET.get("status", ""),
            "today": timezone.localdate(),
        }


class SupervisionCreateView(LoginRequiredMixin, scoped.WriteAccessMixin, generic.FormView):
    model = Supervision
    scope_action = "add"
    form_class = SupervisionForm
    template_name = "tasks/simple_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_initial(self):
        initial = {}
        for key in ("unit", "task", "kind"):
            if self.request.GET.get(key, "").replace("_", "").isalnum():
                initial[key] = self.request.GET[key]
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "form_title": _("New supervision or warning interview"),
            "cancel_url": reverse("tasks:supervisions"),
        }

    def form_valid(self, form):
        try:
            supervision = actions.open_supervision(actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(supervision.get_absolute_url())


class SupervisionDetailView(scoped.ScopedDetailView):
    model = Supervision
    template_name = "tasks/supervision_detail.html"
    context_object_name = "supervision"

    def get_context_data(self, **kwargs):
        sup = self.object
        user = self.request.user
        may_respond = sup.status == SupervisionStatus.OPEN and actions.acts_for(user, sup.unit)
        may_close = (
            sup.status == SupervisionStatus.RESPONDED
            and Supervision.objects.restrict(user, "change").filter(pk=sup.pk).exists()
            and (user.is_superuser or user.org_unit_id != sup.unit_id)
        )
        return super().get_context_data(**kwargs) | {
            "colours": SUPERVISION_COLOURS,
            "respond_form": kwargs.get("respond_form") or (TextForm() if may_respond else None),
            "close_form": kwargs.get("close_form") or (TextForm() if may_close else None),
        }


class SupervisionStepView(LoginRequiredMixin, View):
    step = None  # respond / close

    def post(self, request, pk):
        sup = get_object_or_404(Supervision.objects.restrict(request.user), pk=pk)
        form = TextForm(request.POST)
        if form.is_valid():
            try:
                if self.step == "respond":
                    actions.respond(sup, actor=request.user, response=form.cleaned_data["text"])
                else:
                    actions.close_supervision(sup, actor=request.user, follow_up=form.cleaned_data["text"])
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(sup.get_absolute_url())
        if self.step not in ("respond", "close"):
            raise Http404
        view = SupervisionDetailView(request=request, kwargs={"pk": pk}, args=())
        view.object = sup
        context = view.get_context_data(**{f"{self.step}_form": form})
        return render(request, "tasks/supervision_detail.html", context, status=400)
