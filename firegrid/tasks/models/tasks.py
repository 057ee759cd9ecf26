"""Key tasks (重点任务) with responsible units, deadlines and milestones; progress reports with
evidence; reviews (梳理盘点) and the reminders the sweep records."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.roles import ORG_WRITERS, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.org.choices import UnitKind
from firegrid.tasks.choices import EvidenceKind, ReviewState, TaskStatus

DUE_SOON_DAYS = 14
# Staff who report progress for their units (a check in actions.report_progress ties them to the task).
REPORTERS = frozenset(ORG_WRITERS | {Role.DEPT_STAFF, Role.POLICE_OFFICER, Role.COMMUNITY_MEMBER})


class LazyScope:
    """Scope rules built on first use: their subqueries need the app registry to be ready."""

    def __init__(self, factory):
        self.factory = factory
        self.rules = None

    def __get__(self, instance, owner):
        if self.rules is None:
            self.rules = self.factory()
        return self.rules


def _police_tasks():
    through = KeyTask.units.through
    return through.objects.filter(orgunit__kind=UnitKind.POLICE_STATION).values("keytask_id")


def through_task(prefix, write_roles=ORG_WRITERS):
    """Rows of a task (prefix "task__") or the task itself (""): its region's subtree, its units."""
    return ScopeRules(
        region=f"{prefix}region",
        unit=f"{prefix}units",
        write_roles=frozenset(write_roles),
        role_filters={Role.POLICE_OFFICER: models.Q(**{f"{prefix}pk__in": _police_tasks()})},
    )


def task_state(status, due_on, completed_on, today=None, soon=DUE_SOON_DAYS):
    """The review state of anything with a deadline: done (on time or late), late, due soon, on track."""
    today = today or timezone.localdate()
    if status == TaskStatus.CANCELLED:
        return ReviewState.CANCELLED
    if status == TaskStatus.DONE or completed_on:
        return ReviewState.DONE if completed_on and completed_on <= due_on else ReviewState.DONE_LATE
    if due_on < today:
        return ReviewState.LATE
    if due_on <= today + datetime.timedelta(days=soon):
        return ReviewState.DUE_SOON
    return ReviewState.ON_TRACK


class KeyTaskQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(status=TaskStatus.OPEN)

    def late(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def of_unit(self, unit):
        return self.filter(pk__in=KeyTask.units.through.objects.filter(orgunit=unit).values("keytask_id"))


class KeyTask(AuditedModel):
    """A key task: what, who leads, who shares it, from when, by when. A street's share of a district
    task is a task of its own with `parent` set."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    number = models.PositiveSmallIntegerField(_("number in the breakdown"), null=True, blank=True)
    section = models.CharField(_("section of the source"), max_length=20, blank=True)
    catalogue = models.ForeignKey(
        "tasks.TaskCatalogue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("catalogue"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shares",
        verbose_name=_("part of"),
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    responsible_text = models.TextField(_("responsible units (as written)"), blank=True)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="key_tasks", verbose_name=_("region")
    )
    lead_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
        verbose_name=_("lead unit"),
    )
    units = models.ManyToManyField(
        "org.OrgUnit", blank=True, related_name="key_tasks", verbose_name=_("responsible units")
    )
    leader = models.ForeignKey(
        "org.OrgMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_tasks",
        verbose_name=_("leader in charge"),
    )
    places = models.ManyToManyField(
        "places.Place", blank=True, related_name="key_tasks", verbose_name=_("places concerned")
    )
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    progress_pct = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    due_reminded_for = models.DateField(null=True, blank=True, editable=False)
    overdue_reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = KeyTaskQuerySet.as_manager()
    # police stations see the tasks a police station shares, not every task of their streets
    scope_rules = LazyScope(lambda: through_task(""))

    class Meta:
        ordering = ["year", "due_on", "number", "id"]
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        indexes = [models.Index(fields=["status", "due_on"], name="keytask_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("starts_on")),
                name="keytask_due_after_start",
                violation_error_message=_("The deadline is before the task's start."),
            ),
        ]

    def __str__(self):
        prefix = f"{self.number}. " if self.number else ""
        return f"{prefix}{self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("tasks:detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            errors["due_on"] = _("The deadline (%(due)s) is before the task's start (%(start)s).") % {
                "due": self.due_on,
                "start": self.starts_on,
            }
        if self.status == TaskStatus.DONE and not self.completed_on:
            errors["completed_on"] = _("Say when the task was completed.")
        if self.completed_on and self.starts_on and self.completed_on < self.starts_on:
            errors["completed_on"] = _("The task cannot be completed before it starts.")
        if (
            self.year
            and self.starts_on
            and self.due_on
            and not (self.starts_on.year <= self.year <= self.due_on.year)
        ):
            errors["year"] = _("The year must fall between the start and the deadline.")
        if errors:
            raise ValidationError(errors)

    def state(self, today=None):
        return task_state(self.status, self.due_on, self.completed_on, today)

    @property
    def co_units(self):
        return [u for u in self.units.all() if u.pk != self.lead_unit_id]


class Milestone(AuditedModel):
    task = models.ForeignKey(
        KeyTask, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("task")
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = LazyScope(lambda: through_task("task__"))

    class Meta:
        ordering = ["task", "due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return f"{self.title} ({self.due_on})"

    def clean(self):
        task = self.task if self.task_id else None
        if task and self.due_on and not (task.starts_on <= self.due_on <= task.due_on):
            raise ValidationError(
                {
                    "due_on": _(
                        "A milestone falls between the task's start (%(start)s) and deadline (%(due)s)."
                    )
                    % {"start": task.starts_on, "due": task.due_on}
                }
            )

    def state(self, today=None):
        return task_state(TaskStatus.OPEN, self.due_on, self.done_on, today)


class ProgressReport(models.Model):
    """A unit's report on a task (what was done, how far along, with evidence). Never changed."""

    task = models.ForeignKey(
        KeyTask, on_delete=models.PROTECT, related_name="reports", verbose_name=_("task")
    )
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="task_reports", verbose_name=_("reporting unit")
    )
    milestone = models.ForeignKey(
        Milestone,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("milestone reached"),
    )
    reported_on = models.DateField(_("reported on"), default=timezone.localdate)
    percent = models.PositiveSmallIntegerField(
        _("progress (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.TextField(_("what was done"), max_length=4000)
    completes = models.BooleanField(_("the task is complete"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = LazyScope(lambda: through_task("task__", REPORTERS))

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self):
        return f"{self.task} · {self.unit} · {self.percent}%"


class Evidence(models.Model):
    """A file backing a progress report or a duty record: an image (re-encoded) or a PDF (sniffed)."""

    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    duty = models.ForeignKey(
        "tasks.Duty", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to="tasks/evidence/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        region="report__task__region", extra_regions=("duty__region",), unit="report__task__units"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False, duty__isnull=True)
                | models.Q(report__isnull=True, duty__isnull=False),
                name="evidence_one_parent",
            )
        ]

    def __str__(self):
        return self.name


class TaskReview(AuditedModel):
    """A periodic review (梳理盘点) of a region's tasks, kept as it stood that day."""

    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField(_("summary"), blank=True)
    counts = models.JSONField(_("counts"), default=dict)
    rows = models.JSONField(_("tasks as reviewed"), default=list)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(region="region")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("task review")
        verbose_name_plural = _("task reviews")

    def __str__(self):
        return f"{self.region} {self.held_on}"


class TaskReminder(models.Model):
    """A reminder before (or after) a deadline, as recorded and as sent."""

    KINDS = [("due_soon", _("Due soon")), ("overdue", _("Overdue"))]

    task = models.ForeignKey(
        KeyTask, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    duty = models.ForeignKey(
        "tasks.Duty", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    due_on = models.DateField(_("deadline reminded of"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(region="task__region", extra_regions=("duty__region",), owner="recipient")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("task reminder")
        verbose_name_plural = _("task reminders")

    def __str__(self):
        return self.subject
