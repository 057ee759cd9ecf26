from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.core.models import AuditedModel
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.org.choices import (
    ONE_PER_REGION,
    UNIT_REGION_LEVEL,
    MicroStationOwner,
    Position,
    RegionLevel,
    Sector,
    TeamType,
    UnitKind,
)

lat_validators = [MinValueValidator(-90), MaxValueValidator(90)]
lng_validators = [MinValueValidator(-180), MaxValueValidator(180)]


class OrgUnitQuerySet(RestrictedQuerySet):
    def of_kind(self, *kinds):
        return self.filter(kind__in=kinds)

    def active(self):
        return self.filter(is_active=True)


class OrgUnit(AuditedModel):
    """A body in fire work: committee, work station, team, community group, micro station,
    police station, industry department, detachment or the district office."""

    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="units", verbose_name=_("region")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=lat_validators)
    lng = models.FloatField(_("longitude"), null=True, blank=True, validators=lng_validators)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # fire teams
    team_type = models.CharField(_("team type"), max_length=12, choices=TeamType.choices, blank=True)
    # industry departments: the sectors they manage
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    # police stations: the regions they cover
    covered_regions = models.ManyToManyField(
        "org.Region", blank=True, related_name="police_stations", verbose_name=_("covered regions")
    )
    # micro fire stations
    owner_kind = models.CharField(_("owned by"), max_length=12, choices=MicroStationOwner.choices, blank=True)
    residential_area = models.ForeignKey(
        "org.ResidentialArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="micro_stations",
        verbose_name=_("residential compound"),
    )
    owner_name = models.CharField(_("owner unit name"), max_length=120, blank=True)
    duty_phone = models.CharField(_("duty phone"), max_length=40, blank=True)
    equipment = models.TextField(_("equipment"), blank=True)

    objects = OrgUnitQuerySet.as_manager()
    scope_rules = ScopeRules(region="region", extra_regions=("covered_regions",), unit="id")

    class Meta:
        ordering = ["region__path", "kind", "name"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        level = UNIT_REGION_LEVEL.get(self.kind)
        if self.region_id and level and self.region.level != level:
            errors["region"] = _("A %(kind)s belongs to a %(level)s.") % {
                "kind": self.get_kind_display(),
                "level": RegionLevel(level).label,
            }
        if self.kind == UnitKind.FIRE_TEAM and not self.team_type:
            errors["team_type"] = _("Say whether the team is full-time or volunteer.")
        if self.kind == UnitKind.MICRO_STATION:
            if not self.owner_kind:
                errors["owner_kind"] = _("Say who owns the micro fire station.")
            if self.owner_kind == MicroStationOwner.COMPOUND and not self.residential_area_id:
                errors["residential_area"] = _("Choose the compound that owns the micro fire station.")
            if self.region_id and self.region.level == RegionLevel.DISTRICT:
                errors["region"] = _("A micro fire station sits in a street, community or grid.")
        if self.residential_area_id and self.region_id and not self._area_overlaps_region():
            errors["residential_area"] = _("The compound is not in the unit's region.")
        if self.kind == UnitKind.DEPARTMENT:
            unknown = [s for s in self.sectors or [] if s not in Sector.values]
            if not self.sectors:
                errors["sectors"] = _("Name at least one sector the department manages.")
            elif unknown:
                errors["sectors"] = _("Unknown sector(s): %(codes)s") % {
                    "codes": ", ".join(map(str, unknown))
                }
        elif self.sectors:
            errors["sectors"] = _("Only an industry department manages sectors.")
        if self.kind in ONE_PER_REGION and self.region_id:
            clash = OrgUnit.objects.filter(kind=self.kind, region_id=self.region_id, is_active=True)
            if self.is_active and clash.exclude(pk=self.pk).exists():
                errors["kind"] = _("This region already has an active %(kind)s.") % {
                    "kind": self.get_kind_display()
                }
        if errors:
            raise ValidationError(errors)

    def _area_overlaps_region(self):
        area_path, region_path = self.residential_area.region.path, self.region.path
        return area_path.startswith(region_path) or region_path.startswith(area_path)

    def sector_labels(self):
        return [Sector(s).label for s in self.sectors or [] if s in Sector.values]


class OrgMember(AuditedModel):
    """A person holding a position in a unit; not every member signs in, so the user is optional."""

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="members", verbose_name=_("unit")
    )
    user = models.ForeignKey(
        "org.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
        verbose_name=_("user account"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    position = models.CharField(_("position"), max_length=12, choices=Position.choices)
    title = models.CharField(_("title"), max_length=100, blank=True, help_text=_("e.g. deputy street head"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    full_time = models.BooleanField(_("full-time"), default=False)
    since = models.DateField(_("since"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(region="unit__region", unit="unit", owner="user")

    class Meta:
        ordering = ["unit", "position", "name"]
        verbose_name = _("unit member")
        verbose_name_plural = _("unit members")

    def __str__(self):
        return f"{self.name} ({self.get_position_display()})"
