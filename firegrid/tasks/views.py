"""Task pages: the list, a task with its milestones, reports and evidence, the forms, the review
(梳理盘点) and each unit's task and responsibility lists."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View, generic

from firegrid.core import views as scoped
from firegrid.core.files import upload_response
from firegrid.core.scoping import user_scope
from firegrid.org.choices import RegionLevel
from firegrid.org.models import OrgMember, OrgUnit, Region
from firegrid.org.views.base import FormTitleMixin
from firegrid.tasks import actions
from firegrid.tasks.choices import STATE_COLOURS, ReviewState
from firegrid.tasks.forms import MilestoneForm, ProgressForm, ReviewForm, TaskFilterForm, TaskForm
from firegrid.tasks.models import Duty, Evidence, KeyTask, ProgressReport, Responsibility
from firegrid.tasks.models.tasks import REPORTERS
from firegrid.tasks.review import review


def form_errors(form, exc):
    """Put a model ValidationError on the form fields it names (the rest on the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def year_param(request):
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


class TaskMixin:
    model = KeyTask
    context_object_name = "task"
    detail_url_name = "tasks:detail"
    list_url_name = "tasks:list"


class TaskListView(TaskMixin, scoped.ScopedListView):
    template_name = "tasks/task_list.html"
    context_object_name = "tasks"

    def get_queryset(self):
        self.filter_form = TaskFilterForm(self.request.GET or None, user=self.request.user)
        qs = super().get_queryset().select_related("region", "lead_unit")
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        year = data.get("year") or timezone.localdate().year
        qs = qs.filter(year=year)
        if data.get("unit"):
            qs = qs.of_unit(data["unit"])
        for term in (data.get("q") or "").split():
            qs = qs.filter(Q(title__icontains=term) | Q(content__icontains=term))
        state = data.get("state")
        if state:
            qs = filter_state(qs, state)
        self.year = year
        return qs.order_by("due_on", "number", "region__path", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for task in context["tasks"]:
            task.review_state = task.state(today)
        query = self.request.GET.copy()
        query.pop("page", None)
        return context | {
            "filter_form": self.filter_form,
            "year": self.year,
            "state_colours": STATE_COLOURS,
            "states": dict(ReviewState.choices),
            "filter_query": query.urlencode(),
        }


def filter_state(qs, state, today=None):
    """Tasks in a review state, as a database filter (the same rules as models.task_state)."""
    from firegrid.tasks.choices import TaskStatus
    from firegrid.tasks.models.tasks import DUE_SOON_DAYS

    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    is_open = Q(status=TaskStatus.OPEN)
    filters = {
        ReviewState.CANCELLED: Q(status=TaskStatus.CANCELLED),
        ReviewState.DONE: Q(status=TaskStatus.DONE, completed_on__lte=F("due_on")),
        ReviewState.DONE_LATE: Q(status=TaskStatus.DONE, completed_on__gt=F("due_on")),
        ReviewState.LATE: is_open & Q(due_on__lt=today),
        ReviewState.DUE_SOON: is_open & Q(due_on__gte=today, due_on__lte=soon),
        ReviewState.ON_TRACK: is_open & Q(due_on__gt=soon),
    }
    return qs.filter(filters[state])


def reporting_units(user, task):
    """The task's units the user may report for (empty if the user may report on none)."""
    if not user.is_superuser and not user_scope(user).roles & REPORTERS:
        return []
    return [u for u in task.units.all() if actions.acts_for(user, u)]


class TaskDetailView(TaskMixin, scoped.ScopedDetailView):
    template_name = "tasks/task_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "lead_unit", "leader", "parent", "catalogue")

    def get_context_data(self, **kwargs):
        task = self.object
        user = self.request.user
        today = timezone.localdate()
        milestones = list(task.milestones.all())
        for m in milestones:
            m.review_state = m.state(today)
        units = reporting_units(user, task)
        return super().get_context_data(**kwargs) | {
            "state": task.state(today),
            "state_colours": STATE_COLOURS,
            "states": dict(ReviewState.choices),
            "milestones": milestones,
            "reports": task.reports.select_related("unit", "reported_by", "milestone").prefetch_related(
                "evidence"
            ),
            "shares": task.shares.restrict(user).select_related("region", "lead_unit"),
            "supervisions": task.supervisions.restrict(user).select_related("unit"),
            "places": task.places.restrict(user),
            "progress_form": kwargs.get("progress_form")
            or (ProgressForm(task=task, user=user) if units else None),
            "milestone_form": kwargs.get("milestone_form") or MilestoneForm(),
        }


class TaskFormMixin(TaskMixin, FormTitleMixin):
    form_class = TaskForm
    template_name = "tasks/simple_form.html"

    def form_valid(self, form):
        task = form.save(commit=False)
        units = [form.cleaned_data["lead_unit"], *form.cleaned_data.get("units", [])]
        try:
            self.object = actions.save_task(task, actor=self.request.user, units=units)
        except ValidationError as exc:
            form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class TaskCreateView(TaskFormMixin, scoped.ScopedCreateView):
    pass


class TaskUpdateView(TaskFormMixin, scoped.ScopedUpdateView):
    pass


class TaskHistoryView(TaskMixin, scoped.HistoryView):
    pass


def _task_for(request, pk, action="view"):
    return get_object_or_404(KeyTask.objects.restrict(request.user, action), pk=pk)


class ReportView(LoginRequiredMixin, View):
    """A unit reports progress with evidence (GET shows the form on its own page)."""

    def get(self, request, pk):
        task = _task_for(request, pk)
        if not reporting_units(request.user, task):
            raise Http404
        return render(
            request,
            "tasks/report_form.html",
            {"task": task, "form": ProgressForm(task=task, user=request.user)},
        )

    def post(self, request, pk):
        task = _task_for(request, pk)
        form = ProgressForm(request.POST, request.FILES, task=task, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.report_progress(
                    task,
                    actor=request.user,
                    unit=data["unit"],
                    percent=data["percent"],
                    note=data["note"],
                    completes=data.get("completes", False),
                    milestone=data.get("milestone"),
                    files=data.get("evidence") or [],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Progress reported."))
                return HttpResponseRedirect(task.get_absolute_url())
        return render(request, "tasks/report_form.html", {"task": task, "form": form}, status=400)


class MilestoneAddView(LoginRequiredMixin, View):
    def post(self, request, pk):
        task = _task_for(request, pk, "change")
        form = MilestoneForm(request.POST)
        if form.is_valid():
            try:
                actions.add_milestone(task, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Milestone added."))
                return HttpResponseRedirect(task.get_absolute_url())
        return render(request, "tasks/milestone_form.html", {"task": task, "form": form}, status=400)


class EvidenceView(LoginRequiredMixin, View):
    """An evidence file, for those who may see its report or duty (media are not public)."""

    def get(self, request, pk):
        evidence = get_object_or_404(Evidence, pk=pk)
        if evidence.report_id:
            visible = ProgressReport.objects.restrict(request.user).filter(pk=evidence.report_id).exists()
        else:
            visible = Duty.objects.restrict(request.user).filter(pk=evidence.duty_id).exists()
        if not visible:
            raise Http404
        return upload_response(evidence.file, content_type=evidence.content_type, filename=evidence.name)


def home_region(user):
    """The widest region the user works in (the district for district roles, else their street)."""
    regions = Region.objects.restrict(user).filter(level__in=[RegionLevel.DISTRICT, RegionLevel.STREET])
    return regions.order_by("path").first()


class ReviewView(LoginRequiredMixin, generic.TemplateView):
    template_name = "tasks/review.html"

    def region(self):
        code = self.request.GET.get("region", "")
        regions = Region.objects.restrict(self.request.user)
        if code:
            return get_object_or_404(regions, code=code)
        return home_region(self.request.user)

    def get_context_data(self, **kwargs):
        region = self.region()
        year = year_param(self.request)
        context = super().get_context_data(**kwargs) | {
            "region": region,
            "year": year,
            "state_colours": STATE_COLOURS,
            "states": dict(ReviewState.choices),
        }
        if region is None:
            return context
        data = review(self.request.user, region, year)
        may_record = Region.objects.restrict(self.request.user, "change").filter(pk=region.pk).exists()
        from firegrid.tasks.models import TaskReview

        return (
            context
            | data
            | {
                "form": kwargs.get("form") or ReviewForm(),
                "may_record": may_record,
                "past": TaskReview.objects.restrict(self.request.user).filter(region=region)[:10],
                "streets": Region.objects.restrict(self.request.user)
                .filter(level=RegionLevel.STREET)
                .order_by("path"),
            }
        )

    def post(self, request):
        region = self.region()
        form = ReviewForm(request.POST)
        if region is not None and form.is_valid():
            try:
                actions.record_review(
                    actor=request.user,
                    region=region,
                    year=year_param(request),
                    summary=form.cleaned_data["summary"],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Review recorded."))
                return HttpResponseRedirect(
                    f"{reverse('tasks:review')}?region={region.code}&year={year_param(request)}"
                )
        return self.render_to_response(self.get_context_data(form=form), status=400)


class UnitListView(LoginRequiredMixin, generic.TemplateView):
    template_name = "tasks/unit_list.html"

    def get_context_data(self, **kwargs):
        from firegrid.tasks.forms import TASK_UNIT_KINDS

        year = year_param(self.request)
        units = (
            OrgUnit.objects.restrict(self.request.user)
            .filter(kind__in=TASK_UNIT_KINDS, is_active=True)
            .select_related("region")
            .order_by("region__path", "kind", "name")
        )
        tasks = KeyTask.objects.restrict(self.request.user).filter(year=year)
        counts = {}
        for unit_id in KeyTask.units.through.objects.filter(keytask__in=tasks.values("pk")).values_list(
            "orgunit_id", flat=True
        ):
            counts[unit_id] = counts.get(unit_id, 0) + 1
        rows = [(u, counts.get(u.pk, 0)) for u in units[:500]]
        return super().get_context_data(**kwargs) | {"rows": rows, "year": year}


class UnitTasksView(LoginRequiredMixin, generic.TemplateView):
    """A unit's task list (任务清单), its recurring duties, its responsibility list (责任清单) and each
    leader's duty and task lists (职责清单/任务清单)."""

    template_name = "tasks/unit_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        unit = get_object_or_404(
            OrgUnit.objects.restrict(user).select_related("region"), pk=self.kwargs["pk"]
        )
        year = year_param(self.request)
        today = timezone.localdate()
        tasks = list(
            KeyTask.objects.restrict(user)
            .of_unit(unit)
            .filter(year=year)
            .select_related("region", "lead_unit", "leader")
        )
        for task in tasks:
            task.review_state = task.state(today)
        duties = list(Duty.objects.restrict(user).filter(unit=unit, year=year))
        for duty in duties:
            duty.review_state = duty.state(today)
        responsibilities = list(
            Responsibility.objects.restrict(user).filter(unit=unit).select_related("member")
        )
        leaders = []
        for member in OrgMember.objects.filter(unit=unit).order_by("position", "name"):
            own = [r for r in responsibilities if r.member_id == member.pk]
            led = [t for t in tasks if t.leader_id == member.pk]
            if own or led or member.position in ("director", "deputy", "leader"):
                leaders.append({"member": member, "responsibilities": own, "tasks": led})
        return super().get_context_data(**kwargs) | {
            "unit": unit,
            "year": year,
            "tasks": tasks,
            "led": [t for t in tasks if t.lead_unit_id == unit.pk],
            "duties": duties,
            "unit_responsibilities": [r for r in responsibilities if r.member_id is None],
            "leaders": leaders,
            "state_colours": STATE_COLOURS,
            "states": dict(ReviewState.choices),
        }
