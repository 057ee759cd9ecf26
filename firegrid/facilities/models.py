"""Public fire facilities: hydrants, water sources, stations, lanes and forest fire infrastructure,
their immutable check and maintenance records, the rules they are held to (data), the annual
construction plans of streets and towns with their evaluations, and the "一镇一策/一村一策" plans.

A facility's status changes only through a check record (`actions.record_check`): saving a
facility whose status differs from the stored one is refused.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import ActiveVersionMixin, AuditedModel
from firegrid.core.roles import DISTRICT_WIDE, ORG_WRITERS, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.facilities.choices import (
    KIND_GROUP,
    Access,
    CheckKind,
    FacilityKind,
    FacilityStatus,
    PlanStatus,
    PolicyStatus,
)
from firegrid.org.choices import RegionLevel

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as place codes: nothing to misread over the phone

# Who works with facilities: street officers, community fire groups and grid workers of their region
# (their subtree), and the district-wide roles everywhere. Police stations, departments and unit
# owners have no facility scope.
FACILITY_ROLES = frozenset(DISTRICT_WIDE | {Role.STREET_OFFICER, Role.COMMUNITY_MEMBER, Role.GRID_WORKER})
# Who may record a survey or maintenance check of a facility they can see.
SURVEY_ROLES = FACILITY_ROLES
STATUS_NEEDS_CHECK = _(
    "The status of a facility changes only through a check record (a survey or maintenance record)."
)


# Police stations get grants over the regions they cover, inspectors over theirs; neither has a
# facility scope, so their grants match no row here.
NO_FACILITY_SCOPE = {Role.POLICE_OFFICER: models.Q(pk__in=[]), Role.INSPECTOR: models.Q(pk__in=[])}


def facility_scope(region, write_roles=ORG_WRITERS):
    return ScopeRules(
        region=region,
        write_roles=frozenset(write_roles),
        district_wide_view=frozenset(DISTRICT_WIDE),
        role_filters=NO_FACILITY_SCOPE,
    )


def new_facility_code():
    return "F" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(9))


class FacilityRuleSet(ActiveVersionMixin, AuditedModel):
    """A versioned set of facility rules (ancient-town thresholds, survey pressure), with sources."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    is_active = models.BooleanField(_("active"), default=False)
    document = models.JSONField(_("rules"))
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(district_wide_view=FACILITY_ROLES, write_roles=frozenset({Role.DISTRICT_ADMIN}))

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("facility rule set")
        verbose_name_plural = _("facility rule sets")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_facility_ruleset",
                violation_error_message=_("Only one facility rule set can be active."),
            )
        ]

    @classmethod
    def document_checker(cls):
        from firegrid.facilities.rules import RuleSetError, check_document

        return check_document, RuleSetError


class ConstructionPlan(AuditedModel):
    """A street's or town's annual plan for building public fire facilities (seed 002 task 5),
    evaluated periodically ("定期对实施情况进行评估")."""

    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="facility_plans", verbose_name=_("street/town")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    budget_wan = models.DecimalField(
        _("budget (10,000 yuan)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    target_count = models.PositiveIntegerField(_("facilities to build"), default=0)
    description = models.TextField(_("what the plan covers"), blank=True)
    # the progress of the last evaluation (PlanEvaluation), never typed in directly
    progress_pct = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, editable=False, validators=[MaxValueValidator(100)]
    )
    last_evaluated_on = models.DateField(_("last evaluated on"), null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = facility_scope("region")

    class Meta:
        ordering = ["-year", "region__path", "id"]
        verbose_name = _("facility construction plan")
        verbose_name_plural = _("facility construction plans")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "title"],
                name="facility_plan_once",
                violation_error_message=_("This street/town already has a plan of that title for the year."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget_wan__gte=0),
                name="facility_plan_budget_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.year} {self.title}"

    def clean(self):
        if self.region_id and self.region.level != RegionLevel.STREET:
            raise ValidationError({"region": _("A construction plan belongs to a street or town.")})


class PlanEvaluation(models.Model):
    """One periodic evaluation of a plan's implementation; immutable once written."""

    plan = models.ForeignKey(ConstructionPlan, on_delete=models.CASCADE, related_name="evaluations")
    evaluated_on = models.DateField(_("evaluated on"), default=timezone.localdate)
    progress_pct = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    spent_wan = models.DecimalField(
        _("spent so far (10,000 yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    summary = models.TextField(_("assessment"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = facility_scope("plan__region")

    class Meta:
        ordering = ["-evaluated_on", "-id"]
        verbose_name = _("plan evaluation")
        verbose_name_plural = _("plan evaluations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_pct__lte=100),
                name="plan_evaluation_progress_pct",
                violation_error_message=_("Progress is a percentage from 0 to 100."),
            )
        ]

    def __str__(self):
        return f"{self.plan} {self.evaluated_on} {self.progress_pct}%"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError(_("An evaluation is a record: it cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An evaluation is a record: it cannot be deleted."))


class AncientTownPolicy(AuditedModel):
    """A "一镇一策" / "一村一策" document of an ancient town or village (seed 002 task 8)."""

    region = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        related_name="facility_policies",
        verbose_name=_("ancient town or village"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    text = models.TextField(_("measures"), help_text=_("Water supply, fire lanes, firebreaks, equipment."))
    attachment = models.FileField(_("attachment"), upload_to="facilities/policies/%Y/", blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = facility_scope("region")

    class Meta:
        ordering = ["-year", "region__path", "id"]
        verbose_name = _("one-town/one-village plan")
        verbose_name_plural = _("one-town/one-village plans")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "title"],
                name="facility_policy_once",
                violation_error_message=_(
                    "This town or village already has a plan of that title for the year."
                ),
            )
        ]

    def __str__(self):
        return f"{self.region} {self.year} {self.title}"

    @property
    def policy_kind(self):
        return (
            _("One village, one plan (一村一策)")
            if self.region.level == RegionLevel.COMMUNITY
            else _("One town, one plan (一镇一策)")
        )

    def clean(self):
        from firegrid.facilities.rules import is_ancient_region

        if not self.region_id:
            return
        if self.region.level not in (RegionLevel.STREET, RegionLevel.COMMUNITY):
            raise ValidationError({"region": _("Choose a town or a village.")})
        if not is_ancient_region(self.region):
            raise ValidationError(
                {"region": _("%(region)s is not an ancient town or village.") % {"region": self.region}}
            )


class FacilityQuerySet(RestrictedQuerySet):
    def water_sources(self):
        from firegrid.facilities.choices import WATER_SOURCE_KINDS

        return self.filter(kind__in=WATER_SOURCE_KINDS)

    def working(self):
        return self.filter(status=FacilityStatus.WORKING)

    def within(self, region):
        return self.filter(region__path__startswith=region.path)


class Facility(AuditedModel):
    """One public fire facility at a point of the district; its grid is derived from the point."""

    code = models.CharField(_("code"), max_length=12, unique=True, default=new_facility_code, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=FacilityKind.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FacilityStatus.choices, default=FacilityStatus.WORKING
    )
    region = models.ForeignKey(
        "org.Region",
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("grid"),
        editable=False,
    )
    lat = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lng = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    address = models.CharField(_("address or landmark"), max_length=300, blank=True)
    owner = models.CharField(_("owner"), max_length=120, blank=True, help_text=_("The unit that owns it."))
    maintainer = models.CharField(_("maintained by"), max_length=120, blank=True)
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    volume_m3 = models.FloatField(
        _("volume (m³)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Pools and tanks."),
    )
    pipe_diameter_mm = models.PositiveIntegerField(
        _("pipe diameter (mm)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3000)],
        help_text=_("Pipe networks, and the main feeding a hydrant (DN)."),
    )
    length_m = models.FloatField(
        _("length (m)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Pipe networks, lanes, roads and firebreaks."),
    )
    # IoT hook: idents of iot.Device rows (water pressure or level sensors) at this facility. Kept
    # here, not as a foreign key on Device, so neither app's tables depend on the other.
    device_idents = models.CharField(
        _("IoT device ids"),
        max_length=300,
        blank=True,
        help_text=_("Ids of water-pressure or water-level devices at this facility, separated by commas."),
    )
    plan = models.ForeignKey(
        ConstructionPlan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilities",
        verbose_name=_("construction plan"),
    )
    notes = models.TextField(_("notes"), blank=True)
    last_checked_on = models.DateField(_("last checked on"), null=True, blank=True, editable=False)

    objects = FacilityQuerySet.as_manager()
    scope_rules = facility_scope("region")

    _status_via_check = False  # set by actions.record_check, the one way a status changes

    class Meta:
        ordering = ["region__path", "kind", "name", "id"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        indexes = [
            models.Index(fields=["lat", "lng"], name="facility_latlng_idx"),
            models.Index(fields=["kind", "status"], name="facility_kind_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(volume_m3__isnull=True) | models.Q(volume_m3__gte=0),
                name="facility_volume_not_negative",
                violation_error_message=_("A volume cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(length_m__isnull=True) | models.Q(length_m__gte=0),
                name="facility_length_not_negative",
                violation_error_message=_("A length cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def group(self):
        return KIND_GROUP.get(self.kind)

    @property
    def device_ident_list(self):
        return [i.strip() for i in self.device_idents.replace("，", ",").split(",") if i.strip()]

    def stored_status(self):
        if not self.pk:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def clean(self):
        errors = {}
        if self.volume_m3 is not None and self.volume_m3 < 0:
            errors["volume_m3"] = _("A volume cannot be negative.")
        if self.length_m is not None and self.length_m < 0:
            errors["length_m"] = _("A length cannot be negative.")
        if self.kind and self.kind not in FacilityKind.values:
            errors["kind"] = _("Unknown kind %(kind)s.") % {"kind": self.kind}
        if self.pk and not self._status_via_check:
            stored = self.stored_status()
            if stored is not None and stored != self.status:
                errors["status"] = STATUS_NEEDS_CHECK
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.pk and not self._status_via_check:
            stored = self.stored_status()
            if stored is not None and stored != self.status:
                raise ValidationError({"status": STATUS_NEEDS_CHECK})
        super().save(*args, **kwargs)


class FacilityCheck(models.Model):
    """A survey, maintenance or commissioning record of a facility. Immutable: a record of what was
    found, the status before and after, and the hazard case a fault opened."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="checks", verbose_name=_("facility")
    )
    kind = models.CharField(
        _("kind of record"), max_length=14, choices=CheckKind.choices, default=CheckKind.SURVEY
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("checked by"),
    )
    actor_label = models.CharField(_("checked by"), max_length=120, blank=True)
    status_before = models.CharField(_("status before"), max_length=10, choices=FacilityStatus.choices)
    status_after = models.CharField(_("status found"), max_length=10, choices=FacilityStatus.choices)
    pressure_mpa = models.FloatField(
        _("pressure (MPa)"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    water_level_pct = models.PositiveSmallIntegerField(
        _("water level (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    access = models.CharField(_("access"), max_length=12, choices=Access.choices, blank=True)
    damage = models.TextField(_("damage found"), blank=True, max_length=2000)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    faults = models.JSONField(_("faults"), default=list, blank=True)
    photo = models.FileField(_("photo"), upload_to="facilities/checks/%Y/%m/", blank=True)
    photo_type = models.CharField(max_length=40, blank=True, editable=False)
    lat = models.FloatField(_("latitude where checked"), null=True, blank=True)
    lng = models.FloatField(_("longitude where checked"), null=True, blank=True)
    hazard_case = models.ForeignKey(
        "hazards.HazardCase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hazard case"),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = facility_scope("facility__region", SURVEY_ROLES)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("facility check")
        verbose_name_plural = _("facility checks")
        indexes = [models.Index(fields=["facility", "-checked_at"], name="facility_check_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pressure_mpa__isnull=True) | models.Q(pressure_mpa__gte=0),
                name="facility_check_pressure_not_negative",
                violation_error_message=_("A pressure cannot be negative."),
            )
        ]

    def __str__(self):
        return f"{self.facility} {self.get_kind_display()} {self.checked_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError(_("A check record cannot be changed; record a new check instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A check record cannot be deleted."))

    @property
    def changed_status(self):
        return self.status_before != self.status_after
