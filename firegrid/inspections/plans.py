"""Models of the annual inspection plan and special campaigns."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.roles import DISTRICT_WIDE, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules

PLAN_WRITERS = frozenset(DISTRICT_WIDE | {Role.STREET_OFFICER})


class InspectionPlan(AuditedModel):
    """The year's plan for an area: every supervised place, spread over months and inspectors."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="plans", verbose_name=_("region")
    )
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(region="region", write_roles=PLAN_WRITERS)

    class Meta:
        ordering = ["-year", "region__path"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="one_plan_per_year_and_area")]

    def __str__(self):
        return f"{self.year} · {self.region}"


class PlanItem(models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="items")
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="plan_items")
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    visit = models.PositiveSmallIntegerField(_("visit of the year"), default=1)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_items",
        verbose_name=_("inspector"),
    )
    done = models.ForeignKey(
        "inspections.Inspection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_items",
        verbose_name=_("done by inspection"),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        region="place__region",
        sector="place__sector",
        write_roles=PLAN_WRITERS,
        role_filters={Role.POLICE_OFFICER: models.Q(place__authority="police_station")},
    )

    class Meta:
        ordering = ["plan", "month", "place"]
        constraints = [models.UniqueConstraint(fields=["plan", "place", "visit"], name="plan_visit_once")]
        indexes = [models.Index(fields=["plan", "month"], name="planitem_month_idx")]

    def __str__(self):
        return f"{self.place} · {self.month}"
