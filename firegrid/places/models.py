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
from firegrid.core.validators import validate_credit_code
from firegrid.places.cache import bump_version
from firegrid.places.choices import Authority, PlaceKind, PlaceStatus, RiskLevel, SelfBuiltUse
from firegrid.places.streets import fill_streets, street_id_of, street_ids_for

# 一码: no 0/O, 1/I/L, so a code read out over the phone is unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_place_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_address(address):
    """Address key for finding duplicates: no spaces or punctuation, full-width digits folded."""
    folded = (address or "").translate({0xFF10 + i: ord("0") + i for i in range(10)})
    return "".join(ch for ch in folded.lower() if ch.isalnum())


positive = [MinValueValidator(0)]


class PlaceQuerySet(RestrictedQuerySet):
    """Writes that set a place's region set its street with it (places.streets)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        fill_streets(objs)
        created = super().bulk_create(objs, *args, **kwargs)
        bump_version()  # bulk writes send no signals: the list cache learns of them here
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        if {"region", "region_id"} & set(fields):
            objs = list(objs)
            fill_streets(objs)
            fields = [*fields, "street"]
        updated = super().bulk_update(objs, fields, *args, **kwargs)
        bump_version()
        return updated

    def update(self, **kwargs):
        for name in ("region", "region_id"):
            if name in kwargs and "street" not in kwargs and "street_id" not in kwargs:
                region = kwargs[name]
                region_id = getattr(region, "pk", region)
                if region_id is not None and not isinstance(region_id, int):
                    raise TypeError("Place.objects.update(region=<expression>) needs street= too.")
                kwargs["street_id"] = street_ids_for([region_id]).get(region_id)
        updated = super().update(**kwargs)
        bump_version()
        return updated

    def active(self):
        return self.filter(status=PlaceStatus.ACTIVE)

    def key_units(self):
        return self.filter(is_key_unit=True)

    def due_for_inspection(self, on=None):
        on = on or timezone.localdate()
        return self.active().filter(
            models.Q(next_inspection_due__isnull=True) | models.Q(next_inspection_due__lte=on)
        )

    def with_flag(self, flag):
        return self.filter(flags__contains=f"|{flag}|")


class GradingRuleSet(ActiveVersionMixin, AuditedModel):
    """A versioned set of grading rules (data, not code), with the sources they come from."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    is_active = models.BooleanField(_("active"), default=False)
    document = models.JSONField(_("rules"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        district_wide_view=frozenset(DISTRICT_WIDE | {Role.STREET_OFFICER, Role.POLICE_OFFICER}),
        write_roles=frozenset({Role.DISTRICT_ADMIN}),
    )

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("grading rule set")
        verbose_name_plural = _("grading rule sets")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_ruleset",
                violation_error_message=_("Only one grading rule set can be active."),
            )
        ]

    @classmethod
    def document_checker(cls):
        from firegrid.places.grading import RuleSetError, compile_ruleset

        return compile_ruleset, RuleSetError


class Place(AuditedModel):
    """A supervised place: its identity, people, attributes, and the grade the rules give it."""

    code = models.CharField(
        _("place code"), max_length=16, unique=True, default=new_place_code, editable=False
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=PlaceKind.choices, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlaceStatus.choices, default=PlaceStatus.ACTIVE
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="places", verbose_name=_("grid")
    )
    # the street-level ancestor of `region`, derived, never typed (places.streets keeps it in step)
    street = models.ForeignKey(
        "org.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # the (street, id) index below serves every lookup by street
        verbose_name=_("street/town"),
    )
    address = models.CharField(_("address"), max_length=300)
    address_key = models.CharField(max_length=300, db_index=True, editable=False)
    lat = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lng = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        db_index=True,
        validators=[validate_credit_code],
    )
    sector = models.CharField(_("sector"), max_length=30, blank=True, db_index=True)
    responsible_person = models.CharField(_("responsible person"), max_length=60, blank=True)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=40, blank=True)
    manager_name = models.CharField(_("manager"), max_length=60, blank=True)
    manager_phone = models.CharField(_("manager's phone"), max_length=40, blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="owned_places", verbose_name=_("owner accounts")
    )
    residential_area = models.ForeignKey(
        "org.ResidentialArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="places",
        verbose_name=_("residential area"),
    )
    # attributes the grading rules read
    building_area = models.FloatField(_("building area (m²)"), null=True, blank=True, validators=positive)
    area_above_ground = models.FloatField(
        _("area above ground (m²)"), null=True, blank=True, validators=positive
    )
    area_underground = models.FloatField(
        _("area underground (m²)"), null=True, blank=True, validators=positive
    )
    height_m = models.FloatField(_("height (m)"), null=True, blank=True, validators=positive)
    floors_above = models.PositiveSmallIntegerField(_("floors above ground"), null=True, blank=True)
    floors_below = models.PositiveSmallIntegerField(_("floors below ground"), null=True, blank=True)
    built_year = models.PositiveSmallIntegerField(
        _("year built"), null=True, blank=True, validators=[MinValueValidator(1000), MaxValueValidator(2100)]
    )
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    rooms = models.PositiveIntegerField(_("guest rooms"), null=True, blank=True)
    children = models.PositiveIntegerField(_("children enrolled"), null=True, blank=True)
    boarding_beds = models.PositiveIntegerField(_("boarding beds"), null=True, blank=True)
    staff_count = models.PositiveIntegerField(_("workers"), null=True, blank=True)
    occupants = models.PositiveIntegerField(
        _("people staying, working or training"),
        null=True,
        blank=True,
        help_text=_("For self-built houses: the most people who stay, work or train there at once."),
    )
    self_built_uses = models.JSONField(_("self-built house uses"), default=list, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    has_fire_control_room = models.BooleanField(_("fire control room"), default=False)
    public_commitment = models.TextField(_("public fire safety commitment"), blank=True)
    # the grade (written by grading, never by hand)
    risk_level = models.CharField(
        _("risk level"),
        max_length=10,
        choices=RiskLevel.choices,
        default=RiskLevel.LOW,
        db_index=True,
        editable=False,
    )
    authority = models.CharField(
        _("supervising authority"),
        max_length=16,
        choices=Authority.choices,
        default=Authority.STREET,
        db_index=True,
        editable=False,
    )
    is_key_unit = models.BooleanField(_("key fire safety unit"), default=False, db_index=True, editable=False)
    inspections_per_year = models.PositiveSmallIntegerField(
        _("inspections per year"), default=1, editable=False
    )
    # "|key_control|old_compound|": a delimited list, so one LIKE finds a flag on any database
    flags = models.CharField(_("flags"), max_length=400, blank=True, default="", editable=False)
    grade_reasons = models.JSONField(_("grade reasons"), default=list, blank=True, editable=False)
    ruleset = models.ForeignKey(
        GradingRuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True, editable=False)
    last_inspected_on = models.DateField(_("last inspected on"), null=True, blank=True, editable=False)
    # the public part of the last inspection's result: passed / hazards / major (codes of inspections.Outcome)
    last_inspection_outcome = models.CharField(
        _("last inspection outcome"), max_length=10, blank=True, editable=False
    )
    next_inspection_due = models.DateField(
        _("next inspection due"), null=True, blank=True, db_index=True, editable=False
    )

    objects = PlaceQuerySet.as_manager()
    scope_rules = None  # set below with scope_through_place("")
    audit_exclude = ("created_at", "updated_at", "street")  # street follows region, which is audited

    class Meta:
        ordering = ["region__path", "name", "id"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        indexes = [
            models.Index(fields=["kind", "risk_level"], name="place_kind_risk_idx"),
            models.Index(fields=["lat", "lng"], name="place_latlng_idx"),
            # a street's places newest first (the API's order) without visiting other streets' rows
            models.Index(fields=["street", "id"], name="place_street_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(building_area__isnull=True) | models.Q(building_area__gte=0),
                name="place_area_not_negative",
                violation_error_message=_("An area cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"region", "region_id"} & set(update_fields):
            self.street_id = street_id_of(self)
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, "street"]
        super().save(*args, **kwargs)

    @property
    def flag_list(self):
        return [f for f in self.flags.split("|") if f]

    def clean(self):
        errors = {}
        uses = self.self_built_uses or []
        if not isinstance(uses, list) or any(u not in SelfBuiltUse.values for u in uses):
            errors["self_built_uses"] = _("Choose uses from: %(choices)s") % {
                "choices": ", ".join(SelfBuiltUse.values)
            }
        if uses and self.kind != PlaceKind.SELF_BUILT_HOUSE:
            errors["self_built_uses"] = _("Only a self-built house has self-built uses.")
        if self.kind and self.kind not in PlaceKind.values:
            errors["kind"] = _("Unknown kind %(kind)s.") % {"kind": self.kind}
        if errors:
            raise ValidationError(errors)


class PlaceGradeEvent(models.Model):
    """Each change of a place's grade: what it was, what it became, why, by which rule set."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="grade_events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cause = models.CharField(_("cause"), max_length=20)  # created, attributes, rules
    ruleset = models.ForeignKey(GradingRuleSet, null=True, on_delete=models.PROTECT, related_name="+")
    old = models.JSONField(_("old grade"), default=dict)
    new = models.JSONField(_("new grade"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")

    def __str__(self):
        return f"{self.place} {self.old.get('risk_level')} → {self.new.get('risk_level')}"


def scope_through_place(prefix, write_roles):
    """Scope rules of a place, or of rows that belong to one through `prefix` (e.g. "place__"):
    its grid's subtree, its sector, its owner accounts (unit owners only), and for police stations
    only the places they supervise."""
    return ScopeRules(
        region=f"{prefix}region",
        sector=f"{prefix}sector",
        owner=f"{prefix}owners",
        owner_roles=frozenset({Role.UNIT_OWNER}),
        # only the place itself: rows reached through "place__" keep the path match (their lists are
        # ordered and indexed differently, and their apps measure them)
        street="street" if not prefix else None,
        write_roles=frozenset(write_roles),
        # police stations see the places they supervise in their area, not every shop there
        role_filters={Role.POLICE_OFFICER: models.Q(**{f"{prefix}authority": Authority.POLICE_STATION})},
    )


Place.scope_rules = scope_through_place("", ORG_WRITERS | {Role.UNIT_OWNER})
