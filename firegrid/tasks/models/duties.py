"""Recurring duties ("双定期", "四个一", the annual fire-work inspection) scheduled per unit and year,
and the responsibility lists (责任清单/职责清单) of units and their leaders."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.roles import ORG_WRITERS, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.org.choices import UnitKind
from firegrid.tasks.choices import TaskStatus
from firegrid.tasks.models.tasks import task_state

DUTY_WRITERS = frozenset(ORG_WRITERS | {Role.DEPT_STAFF})


class DutyQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(done_on__isnull=True)


class Duty(AuditedModel):
    """One occurrence of a recurring duty of a unit: period `period` of `periods` in `year`."""

    kind = models.CharField(_("duty"), max_length=40)
    group = models.CharField(_("group"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="duties", verbose_name=_("unit")
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    period = models.PositiveSmallIntegerField(_("period"), default=1)
    periods = models.PositiveSmallIntegerField(_("periods a year"), default=1)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    record = models.TextField(_("record"), blank=True)
    due_reminded_for = models.DateField(null=True, blank=True, editable=False)
    overdue_reminded_for = models.DateField(null=True, blank=True, editable=False)

    objects = DutyQuerySet.as_manager()
    scope_rules = ScopeRules(
        region="region",
        unit="unit",
        write_roles=DUTY_WRITERS,
        role_filters={Role.POLICE_OFFICER: models.Q(unit__kind=UnitKind.POLICE_STATION)},
    )

    class Meta:
        ordering = ["year", "due_on", "unit", "kind", "period"]
        verbose_name = _("recurring duty")
        verbose_name_plural = _("recurring duties")
        constraints = [
            models.UniqueConstraint(fields=["kind", "unit", "year", "period"], name="duty_once_per_period"),
        ]

    def __str__(self):
        suffix = f" ({self.period}/{self.periods})" if self.periods > 1 else ""
        return f"{self.unit} · {self.title}{suffix} · {self.year}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("tasks:duty", args=[self.pk])

    def state(self, today=None):
        status = TaskStatus.DONE if self.done_on else TaskStatus.OPEN
        return task_state(status, self.due_on, self.done_on, today)

    def clean(self):
        if self.done_on and self.starts_on and self.done_on < self.starts_on:
            raise ValidationError({"done_on": _("A duty cannot be done before its period starts.")})


class Responsibility(AuditedModel):
    """One line of a responsibility list: the unit's (责任清单) or a leader's (职责清单)."""

    unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.CASCADE, related_name="responsibilities", verbose_name=_("unit")
    )
    member = models.ForeignKey(
        "org.OrgMember",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("leader"),
        help_text=_("Empty: a responsibility of the unit as a whole."),
    )
    title = models.CharField(_("responsibility"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(region="unit__region", unit="unit")

    class Meta:
        ordering = ["unit", "member", "order", "id"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self):
        return self.title

    def clean(self):
        if self.member_id and self.unit_id and self.member.unit_id != self.unit_id:
            raise ValidationError({"member": _("The leader is not a member of this unit.")})
