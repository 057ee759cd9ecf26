"""Annual construction plans of streets and towns with their periodic evaluations, and the
"一镇一策/一村一策" plans of ancient towns and villages."""


from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from firegrid.core import views as scoped
from firegrid.core.files import upload_response
from firegrid.facilities import actions
from firegrid.facilities.choices import STATUS_COLOURS
from firegrid.facilities.forms import EvaluationForm, PlanForm, PolicyForm
from firegrid.facilities.models import AncientTownPolicy, ConstructionPlan
from firegrid.org.views.base import FormTitleMixin


class PlanMixin:
    model = ConstructionPlan
    context_object_name = "plan"
    detail_url_name = "facilities:plan"
    list_url_name = "facilities:plans"


class PlanListView(PlanMixin, scoped.ScopedListView):
    template_name = "facilities/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        qs = super().get_queryset().select_related("region")
        year = self.request.GET.get("year", "")
        return qs.filter(year=int(year)) if year.isdigit() else qs


class PlanDetailView(PlanMixin, scoped.ScopedDetailView):
    template_name = "facilities/plan_detail.html"

    def get_context_data(self, **kwargs):
        plan = self.object
        context = super().get_context_data(**kwargs)
        facilities = plan.facilities.restrict(self.request.user).select_related("region")
        return context | {
            "evaluations": plan.evaluations.select_related("actor"),
            "facilities": facilities,
            "built": facilities.exclude(status="planned").count(),
            "form": kwargs.get("form") or EvaluationForm(initial={"evaluated_on": timezone.localdate()}),
            "status_colours": STATUS_COLOURS,
        }


class PlanFormMixin(PlanMixin, FormTitleMixin):
    form_class = PlanForm
    template_name = "facilities/simple_form.html"


class PlanCreateView(PlanFormMixin, scoped.ScopedCreateView):
    def get_initial(self):
        return super().get_initial() | {"year": timezone.localdate().year}


class PlanUpdateView(PlanFormMixin, scoped.ScopedUpdateView):
    pass


class PlanEvaluateView(PlanMixin, scoped.ScopedMixin, View):
    """POST an evaluation of a plan (those who may change the plan)."""

    scope_action = "change"

    def post(self, request, pk):
        plan = get_object_or_404(self.get_queryset(), pk=pk)
        form = EvaluationForm(request.POST)
        if form.is_valid():
            try:
                actions.evaluate_plan(plan, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Evaluation recorded."))
                return HttpResponseRedirect(reverse("facilities:plan", args=[plan.pk]))
        view = PlanDetailView(request=request, kwargs={"pk": pk}, args=())
        view.object = plan
        context = view.get_context_data(form=form)
        return view.render_to_response(context, status=400)


class PolicyMixin:
    model = AncientTownPolicy
    context_object_name = "policy"
    detail_url_name = "facilities:policy"
    list_url_name = "facilities:policies"


class PolicyListView(PolicyMixin, scoped.ScopedListView):
    template_name = "facilities/policy_list.html"
    context_object_name = "policies"

    def get_queryset(self):
        return super().get_queryset().select_related("region")


class PolicyDetailView(PolicyMixin, scoped.ScopedDetailView):
    template_name = "facilities/policy_detail.html"


class PolicyFormMixin(PolicyMixin, FormTitleMixin):
    form_class = PolicyForm
    template_name = "facilities/simple_form.html"


class PolicyCreateView(PolicyFormMixin, scoped.ScopedCreateView):
    def get_initial(self):
        return super().get_initial() | {"year": timezone.localdate().year}


class PolicyUpdateView(PolicyFormMixin, scoped.ScopedUpdateView):
    pass


class PolicyFileView(LoginRequiredMixin, View):
    def get(self, request, pk):
        policy = get_object_or_404(AncientTownPolicy.objects.restrict(request.user), pk=pk)
        return upload_response(policy.attachment, filename=policy.attachment_name or None, download=True)
