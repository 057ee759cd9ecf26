"""Models of the "双随机、一公开" draws (kept apart from inspections.models to stay small)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.core.models import AuditedModel
from firegrid.core.roles import DISTRICT_WIDE, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.inspections.choices import DrawStatus


class RandomDraw(AuditedModel):
    """A draw of target places and inspector pairs; its seed is public before it runs."""

    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="draws", verbose_name=_("area drawn from")
    )
    seed = models.CharField(_("seed"), max_length=200, unique=True)
    params = models.JSONField(_("parameters"))
    params_digest = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.ANNOUNCED
    )
    announced_at = models.DateTimeField(_("seed announced at"), auto_now_add=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    publish_by = models.DateField(_("publish results by"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    record = models.JSONField(_("published record"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    # the record can hold 1e5 place codes: the audit trail keeps the rest, not the record
    audit_exclude = ("created_at", "updated_at", "record")

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        region="region",
        write_roles=frozenset(DISTRICT_WIDE | {Role.STREET_OFFICER}),
    )

    class Meta:
        ordering = ["-announced_at", "-id"]
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")

    def __str__(self):
        return self.title


class DrawAssignment(models.Model):
    draw = models.ForeignKey(RandomDraw, on_delete=models.CASCADE, related_name="assignments")
    order = models.PositiveIntegerField()
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="draw_assignments")
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="draw_assignments")
    inspection = models.ForeignKey(
        "inspections.Inspection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="draw_assignments",
    )

    class Meta:
        ordering = ["draw", "order"]
        constraints = [models.UniqueConstraint(fields=["draw", "place"], name="draw_place_once")]

    def __str__(self):
        return f"{self.draw} #{self.order} {self.place}"
