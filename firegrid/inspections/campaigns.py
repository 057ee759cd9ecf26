"""Special campaigns: a named set of places (by filter), checklists, a deadline, progress per street."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.roles import DISTRICT_WIDE, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.inspections.choices import CampaignKind


class Campaign(AuditedModel):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=CampaignKind.choices)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("region")
    )
    filters = models.JSONField(_("place filters"), default=dict, blank=True)
    checklists = models.JSONField(_("checklist codes"), default=list, blank=True)
    starts_on = models.DateField(_("starts on"))
    deadline = models.DateField(_("deadline"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    places = models.ManyToManyField(
        "places.Place", through="inspections.CampaignPlace", related_name="campaigns"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        region="region",
        extra_regions=("places__region",),
        write_roles=frozenset(DISTRICT_WIDE | {Role.STREET_OFFICER}),
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("special campaign")
        verbose_name_plural = _("special campaigns")

    def __str__(self):
        return self.name


class CampaignPlace(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="campaign_targets")
    inspection = models.ForeignKey(
        "inspections.Inspection", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "place"], name="campaign_place_once")]

    def __str__(self):
        return f"{self.campaign} · {self.place}"
