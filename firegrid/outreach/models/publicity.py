"""Publicity (seed 002 §四(三), task 19; seed 000 §17): "五进" activities, fixed publicity sites
(boards and columns, loudspeakers, theme parks, escape-experience rooms) and what was done there,
each with the number of people reached; and the public fire-literacy survey (全民消防素质摸底调查)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.roles import DISTRICT_WIDE, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.outreach.choices import AgeBand, FiveIntoTarget, PublicityKind
from firegrid.outreach.scopes import NO_AREA_SCOPE, org_scope

SITE_KINDS = (
    PublicityKind.BULLETIN_BOARD,
    PublicityKind.BROADCAST,
    PublicityKind.THEME_PARK,
    PublicityKind.ESCAPE_ROOM,
)


class PublicitySite(AuditedModel):
    """A standing publicity site: a board or column, a loudspeaker, a theme park, an escape room."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=[(k.value, k.label) for k in SITE_KINDS])
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="publicity_sites", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    opened_on = models.DateField(_("in use since"), null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("region")

    class Meta:
        ordering = ["region__path", "kind", "name"]
        verbose_name = _("publicity site")
        verbose_name_plural = _("publicity sites")

    def __str__(self):
        return self.name


class PublicityActivity(AuditedModel):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=PublicityKind.choices)
    target = models.CharField(
        _("“five into” target"), max_length=12, choices=FiveIntoTarget.choices, blank=True
    )
    site = models.ForeignKey(
        PublicitySite,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("site"),
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="publicity_activities", verbose_name=_("region")
    )
    held_on = models.DateField(_("date"))
    organiser = models.CharField(_("organised by"), max_length=120, blank=True)
    reach = models.PositiveIntegerField(_("people reached"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("region")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("publicity activity")
        verbose_name_plural = _("publicity activities")

    def __str__(self):
        return f"{self.held_on} {self.title}"

    def clean(self):
        errors = {}
        if self.kind == PublicityKind.FIVE_INTO and not self.target:
            errors["target"] = _g("Say where a “five into” activity went.")
        if self.kind != PublicityKind.FIVE_INTO and self.target:
            errors["target"] = _g("Only a “five into” activity has a target.")
        if self.kind in SITE_KINDS and self.site_id is None:
            errors["site"] = _g("Choose the site this took place at.")
        if self.site_id and self.kind and self.site.kind != self.kind:
            errors["site"] = _g("The site is a %(kind)s.") % {"kind": self.site.get_kind_display()}
        if self.site_id and self.region_id and not self.region.contains(self.site.region):
            errors["site"] = _g("The site lies outside the activity's region.")
        if errors:
            raise ValidationError(errors)


class SurveyResponse(models.Model):
    """One anonymous answer sheet of the public survey: the area, an age band, the answers and the
    score. No name, no contact, no address; the client address is never stored."""

    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="survey_responses", verbose_name=_("area")
    )
    version = models.CharField(_("questionnaire"), max_length=20)
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    answers = models.JSONField(_("answers"))
    score = models.PositiveSmallIntegerField(_("correct answers"))
    max_score = models.PositiveSmallIntegerField(_("questions"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        region="region",
        district_wide_view=frozenset(DISTRICT_WIDE),
        write_roles=frozenset({Role.DISTRICT_ADMIN}),
        role_filters=NO_AREA_SCOPE,
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self):
        return f"{self.region} {self.score}/{self.max_score}"
