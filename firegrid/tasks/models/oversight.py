"""Supervision (督查督办), warning interviews (警示约谈) and critical circulars, with their follow-up."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.roles import ORG_WRITERS, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.org.choices import UnitKind
from firegrid.tasks.choices import SUPERVISION_COLOURS, SupervisionKind, SupervisionStatus


class Supervision(AuditedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=SupervisionKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=SupervisionStatus.choices, default=SupervisionStatus.OPEN
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        related_name="supervisions",
        verbose_name=_("unit supervised"),
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    task = models.ForeignKey(
        "tasks.KeyTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisions",
        verbose_name=_("task concerned"),
    )
    held_on = models.DateField(_("date"), default=timezone.localdate)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendees = models.CharField(_("people interviewed / present"), max_length=300, blank=True)
    reason = models.TextField(_("reason"))
    requirements = models.TextField(_("what is required"))
    respond_by = models.DateField(_("respond by"))
    response = models.TextField(_("response of the unit"), blank=True)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up = models.TextField(_("follow-up (verification)"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        region="region",
        unit="unit",
        write_roles=ORG_WRITERS,
        role_filters={Role.POLICE_OFFICER: models.Q(unit__kind=UnitKind.POLICE_STATION)},
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.unit} · {self.held_on}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("tasks:supervision", args=[self.pk])

    @property
    def status_colour(self):
        return SUPERVISION_COLOURS.get(self.status, "grey")

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.status == SupervisionStatus.OPEN and self.respond_by < today

    def clean(self):
        if self.held_on and self.respond_by and self.respond_by < self.held_on:
            raise ValidationError({"respond_by": _("The response is due before the supervision took place.")})
