"""Vulnerable households (seed 002 §四(三), task 19–20; seed 000 §3, §17): elderly living alone,
left-behind children and people with disabilities, each registered only with recorded consent and
with a one-to-one helper; the "敲门行动" visits to them and the devices installed for them.

Personal data: see firegrid.outreach.scopes (CARE_SCOPE) for exactly who may see these rows.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.scoping import RestrictedQuerySet
from firegrid.outreach.choices import (
    AlarmPresence,
    AlarmWorking,
    ConsentBy,
    ConsentScope,
    HomeDeviceKind,
    HomeHazard,
    Referral,
    VisitOutcome,
)
from firegrid.outreach.scopes import care_scope


def _check_codes(values, choices, field):
    if not isinstance(values, list) or any(v not in choices.values for v in values):
        raise ValidationError({field: _g("Choose from the listed values.")})


class Household(AuditedModel):
    grid = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="vulnerable_households", verbose_name=_("grid")
    )
    name = models.CharField(_("main resident"), max_length=60)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    elderly_alone = models.BooleanField(_("elderly person living alone"), default=False)
    left_behind_child = models.BooleanField(_("left-behind child"), default=False)
    disability = models.BooleanField(_("person with a disability"), default=False)
    residents = models.PositiveSmallIntegerField(_("residents"), default=1)
    guardian_name = models.CharField(_("guardian or family contact"), max_length=60, blank=True)
    guardian_phone = models.CharField(_("guardian's phone"), max_length=40, blank=True)
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cared_households",
        verbose_name=_("one-to-one helper"),
    )
    # consent: who agreed, when, to what (ConsentScope codes), and how it was recorded
    consent_by = models.CharField(_("consent given by"), max_length=60, blank=True)
    consent_relation = models.CharField(
        _("consenting person is"), max_length=10, choices=ConsentBy.choices, blank=True
    )
    consent_on = models.DateField(_("consent date"), null=True, blank=True)
    consent_scope = models.JSONField(_("consent covers"), default=list, blank=True)
    consent_record = models.CharField(
        _("how consent was recorded"), max_length=200, blank=True, help_text=_("e.g. signed form no. 12")
    )
    consent_withdrawn_on = models.DateField(_("consent withdrawn on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    last_visited_on = models.DateField(_("last visited"), null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = care_scope("grid", "helper")

    class Meta:
        ordering = ["grid__path", "name", "id"]
        verbose_name = _("vulnerable household")
        verbose_name_plural = _("vulnerable households")
        indexes = [models.Index(fields=["grid", "is_active"], name="outreach_household_grid_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:household", args=[self.pk])

    @property
    def categories(self):
        return [
            label
            for flag, label in (
                (self.elderly_alone, _g("Elderly living alone")),
                (self.left_behind_child, _g("Left-behind child")),
                (self.disability, _g("Disability")),
            )
            if flag
        ]

    def consents_to(self, scope):
        return self.consent_withdrawn_on is None and scope in (self.consent_scope or [])

    def clean(self):
        from firegrid.org.choices import RegionLevel

        errors = {}
        if self.grid_id and self.grid.level != RegionLevel.GRID:
            errors["grid"] = _g("A household belongs to a grid.")
        if not (self.elderly_alone or self.left_behind_child or self.disability):
            errors["elderly_alone"] = _g(
                "Say why the household is registered: elderly living alone, left-behind child or disability."
            )
        errors.update(self.consent_errors())
        if self.helper_id and self.grid_id and "grid" not in errors:
            from firegrid.outreach.actions import helper_covers

            if not helper_covers(self.helper, self.grid):
                errors["helper"] = _g(
                    "%(user)s does not work in this grid: a helper is a grid worker, community fire "
                    "group member or street officer whose area holds it."
                ) % {"user": self.helper}
        if errors:
            raise ValidationError(errors)

    def consent_errors(self):
        """No household is kept without recorded consent: who, when, to what."""
        errors = {}
        if not (self.consent_by or "").strip():
            errors["consent_by"] = _g("Record who gave consent (the resident or their guardian).")
        if not self.consent_relation:
            errors["consent_relation"] = _g("Say whether the resident, a guardian or family consented.")
        if self.consent_on is None:
            errors["consent_on"] = _g("Record the date consent was given.")
        elif self.consent_on > timezone.localdate():
            errors["consent_on"] = _g("The consent date is in the future.")
        scope = self.consent_scope
        if not isinstance(scope, list) or any(v not in ConsentScope.values for v in scope):
            errors["consent_scope"] = _g("Choose from the listed values.")
        elif ConsentScope.REGISTER not in scope:
            errors["consent_scope"] = _g(
                "Without consent to keep the household's details it cannot be registered."
            )
        if self.left_behind_child and self.consent_relation == ConsentBy.SELF:
            errors["consent_relation"] = _g("For a left-behind child a guardian or family member consents.")
        if self.consent_withdrawn_on and self.consent_on and self.consent_withdrawn_on < self.consent_on:
            errors["consent_withdrawn_on"] = _g("Consent cannot be withdrawn before it was given.")
        return errors


class HomeVisit(AuditedModel):
    """One "敲门行动" visit, with findings after NERIS's home-visit value sets."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name=_("household")
    )
    visited_on = models.DateField(_("visit date"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="home_visits",
        verbose_name=_("visitor"),
    )
    companions = models.CharField(_("with"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=VisitOutcome.choices)
    alarms_present = models.CharField(
        _("smoke alarms present"), max_length=8, choices=AlarmPresence.choices, blank=True
    )
    alarms_working = models.CharField(
        _("smoke alarms working"), max_length=12, choices=AlarmWorking.choices, blank=True
    )
    alarms_installed = models.PositiveSmallIntegerField(_("smoke alarms installed on this visit"), default=0)
    hazards = models.JSONField(_("hazards found"), default=list, blank=True)
    referrals = models.JSONField(_("referrals"), default=list, blank=True)
    advice_given = models.BooleanField(_("safety advice given"), default=False)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_by = models.DateField(_("follow up by"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    hazard_cases = models.ManyToManyField(
        "hazards.HazardCase", blank=True, related_name="home_visits", verbose_name=_("hazard cases")
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = care_scope("household__grid", "household__helper")

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")

    def __str__(self):
        return f"{self.visited_on} · {self.household}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:visit", args=[self.pk])

    def hazard_labels(self):
        return [HomeHazard(h).label for h in self.hazards if h in HomeHazard.values]

    def referral_labels(self):
        return [Referral(r).label for r in self.referrals if r in Referral.values]

    def clean(self):
        errors = {}
        try:
            _check_codes(self.hazards, HomeHazard, "hazards")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        try:
            _check_codes(self.referrals, Referral, "referrals")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if self.visited_on and self.visited_on > timezone.localdate():
            errors["visited_on"] = _g("The visit date is in the future.")
        if (
            self.outcome
            and self.outcome != VisitOutcome.COMPLETED
            and (self.hazards or self.alarms_installed)
        ):
            errors["outcome"] = _g("Findings are recorded only for a completed visit.")
        if self.follow_up_by and not self.follow_up_needed:
            self.follow_up_needed = True
        if self.follow_up_by and self.visited_on and self.follow_up_by < self.visited_on:
            errors["follow_up_by"] = _g("The follow-up date is before the visit.")
        if errors:
            raise ValidationError(errors)


class HomeDevice(AuditedModel):
    """A device installed for a household; linked to an IoT device (by its id) where it reports."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="devices", verbose_name=_("household")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=HomeDeviceKind.choices)
    installed_on = models.DateField(_("installed on"))
    installed_by = models.CharField(_("installed by"), max_length=120, blank=True)
    funded_by = models.CharField(_("funded by"), max_length=120, blank=True)
    model = models.CharField(_("model"), max_length=80, blank=True)
    iot_device = models.OneToOneField(
        "iot.Device",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_device",
        verbose_name=_("IoT device"),
    )
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = care_scope("household__grid", "household__helper")

    class Meta:
        ordering = ["household", "-installed_on", "id"]
        verbose_name = _("household device")
        verbose_name_plural = _("household devices")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.household}"

    def clean(self):
        from firegrid.outreach.choices import IOT_KIND

        errors = {}
        if self.installed_on and self.installed_on > timezone.localdate():
            errors["installed_on"] = _g("The installation date is in the future.")
        if self.removed_on and self.installed_on and self.removed_on < self.installed_on:
            errors["removed_on"] = _g("A device cannot be removed before it was installed.")
        if self.iot_device_id:
            expected = IOT_KIND.get(self.kind)
            if expected is None:
                errors["iot_device"] = _g("A %(kind)s does not report to the monitoring platform.") % {
                    "kind": self.get_kind_display()
                }
            elif self.iot_device.kind != expected:
                errors["iot_device"] = _g("The IoT device %(ident)s is not a %(kind)s.") % {
                    "ident": self.iot_device.ident,
                    "kind": self.get_kind_display(),
                }
            elif self.household_id and self.iot_device.region_id != self.household.grid_id:
                errors["iot_device"] = _g("The IoT device %(ident)s is registered in another grid.") % {
                    "ident": self.iot_device.ident
                }
            elif self.household_id and not self.household.consents_to("monitoring"):
                errors["iot_device"] = _g(
                    "The household has not consented to devices reporting to the platform."
                )
        if errors:
            raise ValidationError(errors)
