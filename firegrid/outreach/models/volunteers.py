"""Volunteers (seed 002 §三(七), §四(三); seed 000 §12, §17): the registry, activities with the hours
each volunteer gave, and the annual "best volunteer" (最美消防志愿者) selection, computed from hours
and activities and then confirmed by a person."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.roles import Role
from firegrid.core.scoping import RestrictedQuerySet
from firegrid.outreach.choices import SelectionStatus, VolunteerActivityKind
from firegrid.outreach.scopes import org_scope


class Volunteer(AuditedModel):
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="fire_volunteers", verbose_name=_("region")
    )
    team = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fire_volunteers",
        verbose_name=_("team or micro fire station"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_records",
        verbose_name=_("platform user"),
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    joined_on = models.DateField(_("joined on"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("region", owner="user")

    class Meta:
        ordering = ["region__path", "name", "id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:volunteer", args=[self.pk])


class VolunteerActivity(AuditedModel):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=VolunteerActivityKind.choices)
    held_on = models.DateField(_("date"))
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="volunteer_activities", verbose_name=_("region")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    volunteers = models.ManyToManyField(
        Volunteer, through="VolunteerHours", related_name="activities", verbose_name=_("volunteers")
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("region")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")

    def __str__(self):
        return f"{self.held_on} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:activity", args=[self.pk])


class VolunteerHours(AuditedModel):
    activity = models.ForeignKey(
        VolunteerActivity, on_delete=models.CASCADE, related_name="hours", verbose_name=_("activity")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="hours", verbose_name=_("volunteer")
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(24)],
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("activity__region")

    class Meta:
        ordering = ["activity", "volunteer"]
        verbose_name = _("volunteer hours")
        verbose_name_plural = _("volunteer hours")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                name="outreach_hours_once",
                violation_error_message=_("This volunteer's hours are already recorded for the activity."),
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24),
                name="outreach_hours_range",
                violation_error_message=_("Hours are more than 0 and at most 24."),
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.activity} · {self.hours} h"

    def clean(self):
        if self.activity_id and self.volunteer_id:
            region, home = self.activity.region, self.volunteer.region
            if not (region.contains(home) or home.contains(region)):
                raise ValidationError(
                    {
                        "volunteer": _g("%(name)s is registered in %(home)s, outside this activity's area.")
                        % {"name": self.volunteer, "home": home}
                    }
                )


class BestVolunteerSelection(AuditedModel):
    """The annual "best volunteer" selection of a street/town or the district: a ranking computed
    from the year's hours and activities, a proposed shortlist, then a person confirms it."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="volunteer_selections", verbose_name=_("region")
    )
    places = models.PositiveSmallIntegerField(
        _("number to select"), default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    min_hours = models.DecimalField(_("minimum hours"), max_digits=6, decimal_places=1, default=8)
    status = models.CharField(
        _("status"), max_length=10, choices=SelectionStatus.choices, default=SelectionStatus.DRAFT
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("region", write_roles=frozenset({Role.DISTRICT_ADMIN, Role.STREET_OFFICER}))

    class Meta:
        ordering = ["-year", "region__path"]
        verbose_name = _("best volunteer selection")
        verbose_name_plural = _("best volunteer selections")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region"],
                name="outreach_selection_once",
                violation_error_message=_("This region already has a selection for the year."),
            )
        ]

    def __str__(self):
        return f"{self.year} {self.region}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:selection", args=[self.pk])


class SelectionEntry(models.Model):
    """One ranked candidate: the figures at computation time, and whether they were selected."""

    selection = models.ForeignKey(BestVolunteerSelection, on_delete=models.CASCADE, related_name="entries")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="selection_entries")
    rank = models.PositiveSmallIntegerField(_("rank"))
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=1)
    activities = models.PositiveIntegerField(_("activities"))
    kinds = models.PositiveSmallIntegerField(_("kinds of activity"))
    selected = models.BooleanField(_("selected"), default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("selection__region")

    class Meta:
        ordering = ["selection", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "volunteer"], name="outreach_entry_once"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.volunteer}"
