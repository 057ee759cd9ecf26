import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.core.models import AuditedModel
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.org.choices import AreaKind, RegionLevel
from firegrid.org.models.units import lat_validators, lng_validators


def new_public_token():
    return secrets.token_urlsafe(12)


class ResidentialArea(AuditedModel):
    """A residential compound (居民住宅小区) or villager group (村民小组): each needs one fire manager."""

    kind = models.CharField(_("kind"), max_length=16, choices=AreaKind.choices)
    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="residential_areas", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=lat_validators)
    lng = models.FloatField(_("longitude"), null=True, blank=True, validators=lng_validators)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(region="region")

    class Meta:
        ordering = ["region__path", "name"]
        verbose_name = _("residential area")
        verbose_name_plural = _("residential areas")

    def __str__(self):
        return self.name

    def clean(self):
        if self.region_id and self.region.level not in (RegionLevel.COMMUNITY, RegionLevel.GRID):
            raise ValidationError({"region": _("A compound or villager group lies in a community or grid.")})

    @property
    def community(self):
        return self.region.ancestor(RegionLevel.COMMUNITY)


class FireManager(AuditedModel):
    """The one fire manager (消防管理员) of a compound or villager group, shown publicly on a card."""

    area = models.OneToOneField(
        ResidentialArea, on_delete=models.CASCADE, related_name="fire_manager", verbose_name=_("area")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=40)
    user = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user")
    )
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    public_token = models.CharField(max_length=32, unique=True, default=new_public_token, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(region="area__region", owner="user")

    class Meta:
        ordering = ["area__region__path", "area__name"]
        verbose_name = _("fire manager")
        verbose_name_plural = _("fire managers")

    def __str__(self):
        return f"{self.name} · {self.area}"
