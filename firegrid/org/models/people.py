import datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel, audit_normalise
from firegrid.core.roles import ROLE_REGION_LEVEL, ROLE_UNIT_KIND, Role
from firegrid.core.scoping import Grant, RestrictedQuerySet, ScopeRules
from firegrid.org.choices import QualificationKind, RegionLevel, UnitKind

# Either proves that fire safety training was passed (firegrid.outreach issues both from sessions).
TRAINED_KINDS = (QualificationKind.TRAINING, QualificationKind.ENFORCEMENT)


class UserQuerySet(RestrictedQuerySet):
    def with_can_inspect(self, on=None):
        """Annotate has_valid_enforcement in one query instead of one per user."""
        on = on or timezone.localdate()
        valid = Qualification.objects.filter(
            user=models.OuterRef("pk"),
            kind=QualificationKind.ENFORCEMENT,
            passed_on__lte=on,
            expires_on__gte=on,
        )
        return self.annotate(has_valid_enforcement=models.Exists(valid))

    def qualified_inspectors(self, on=None):
        """Users with a valid enforcement qualification on the date (today by default)."""
        on = on or timezone.localdate()
        return self.filter(
            qualifications__kind=QualificationKind.ENFORCEMENT,
            qualifications__passed_on__lte=on,
            qualifications__expires_on__gte=on,
        ).distinct()


class FiregridUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Roles and their regions are RoleAssignments."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    org_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        verbose_name=_("works for"),
    )
    audit_exclude = ("password", "last_login")

    objects = FiregridUserManager()
    scope_rules = ScopeRules(
        region="role_assignments__region",
        extra_regions=("org_unit__region",),
        unit="org_unit",
        owner="id",
        chains_by_key=True,
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    # AbstractUser is not an AuditedModel (it has its own timestamps); reuse the snapshot logic.
    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._audit_loaded = dict(zip(field_names, values, strict=True))
        return instance

    def audit_values(self):
        return audit_normalise(self, self.__dict__)

    def valid_qualification(self, on=None, kind=QualificationKind.ENFORCEMENT):
        on = on or timezone.localdate()
        return (
            self.qualifications.filter(kind=kind, passed_on__lte=on, expires_on__gte=on)
            .order_by("-expires_on")
            .first()
        )

    def can_inspect(self, on=None):
        return self.valid_qualification(on) is not None

    def valid_training(self, on=None):
        """A valid training certificate, or an enforcement qualification (itself a training passed)."""
        on = on or timezone.localdate()
        return (
            self.qualifications.filter(kind__in=TRAINED_KINDS, passed_on__lte=on, expires_on__gte=on)
            .order_by("-expires_on")
            .first()
        )

    def is_trained(self, on=None):
        """Seed 002 §三(四): enforcement staff and grid workers work only once trained and passed."""
        return self.valid_training(on) is not None

    @property
    def street(self):
        region = self.org_unit.region if self.org_unit_id else None
        return region.ancestor(RegionLevel.STREET) if region else None


class RoleAssignment(AuditedModel):
    """A role a user holds, and the region or unit it applies to."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    region = models.ForeignKey(
        "org.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("region"),
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("unit"),
    )
    starts_on = models.DateField(_("starts on"), default=datetime.date.today)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(region="region", unit="unit", owner="user")

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                name="role_once_per_region",
                violation_error_message=_("The user already has this role in this region."),
            ),
        ]

    def __str__(self):
        where = self.region or self.unit or ""
        return f"{self.user} · {self.get_role_display()} · {where}"

    def is_current(self, on=None):
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)

    def grants(self):
        if self.role == Role.POLICE_OFFICER and self.unit_id:
            covered = [r.path for r in self.unit.covered_regions.all()] or [self.unit.region.path]
            return [Grant(self.role, region_path=p, unit_id=self.unit_id) for p in covered]
        if self.role == Role.DEPT_STAFF and self.unit_id:
            return [Grant(self.role, unit_id=self.unit_id, sectors=tuple(self.unit.sectors or ()))]
        return [
            Grant(self.role, region_path=self.region.path if self.region_id else None, unit_id=self.unit_id)
        ]

    def clean(self):
        self.validate()

    def validate(self):
        errors = {}
        level = ROLE_REGION_LEVEL.get(self.role)
        unit_kind = ROLE_UNIT_KIND.get(self.role)
        if unit_kind:
            if not self.unit_id or self.unit.kind != unit_kind:
                errors["unit"] = _("A %(role)s is assigned to a unit of kind %(kind)s.") % {
                    "role": self.get_role_display(),
                    "kind": UnitKind(unit_kind).label,
                }
        elif self.role != Role.UNIT_OWNER:
            if not self.region_id:
                errors["region"] = _("Choose the region this role applies to.")
            elif level and self.region.level != level:
                errors["region"] = _("A %(role)s is assigned to a %(level)s.") % {
                    "role": self.get_role_display(),
                    "level": RegionLevel(level).label,
                }
        if self.region_id and self.user_id and not errors.get("region"):
            street = self.user.street
            if street and not street.contains(self.region):
                errors["region"] = _("%(user)s works in %(street)s and cannot be assigned outside it.") % {
                    "user": self.user,
                    "street": street,
                }
        if self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date is before the start date.")
        if self.role == Role.INSPECTOR and self.user_id and not self.user.can_inspect(self.starts_on):
            errors["user"] = _(
                "%(user)s has no valid enforcement qualification and cannot be an inspector."
            ) % {"user": self.user}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # The rules hold whoever saves: a form, the API, the admin, a script.
        self.validate()
        super().save(*args, **kwargs)


class Qualification(AuditedModel):
    """An enforcement qualification or training certificate, with its training record and expiry."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=QualificationKind.choices)
    certificate_no = models.CharField(_("certificate number"), max_length=60, blank=True)
    training_record = models.TextField(_("training record"), blank=True)
    training_hours = models.PositiveSmallIntegerField(_("training hours"), null=True, blank=True)
    passed_on = models.DateField(_("passed on"))
    expires_on = models.DateField(_("expires on"))
    issued_by = models.CharField(_("issued by"), max_length=120, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        region="user__role_assignments__region", extra_regions=("user__org_unit__region",), owner="user"
    )

    class Meta:
        ordering = ["user", "-expires_on"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("passed_on")),
                name="qualification_expires_after_pass",
                violation_error_message=_("The expiry date must be after the pass date."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()} · {self.expires_on}"

    def is_valid(self, on=None):
        on = on or timezone.localdate()
        return self.passed_on <= on <= self.expires_on

    def clean(self):
        if self.passed_on and self.expires_on and self.expires_on <= self.passed_on:
            raise ValidationError({"expires_on": _("The expiry date must be after the pass date.")})
