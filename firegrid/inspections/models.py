from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.roles import ORG_WRITERS, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.inspections.choices import AnswerResult, InspectionKind, InspectionStatus, Outcome, Severity
from firegrid.places.models import scope_through_place


class ChecklistVersion(AuditedModel):
    """One version of a checklist (data: sections and items with their basis and GB 35181 links)."""

    code = models.CharField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    effective_from = models.DateField(_("effective from"))
    is_active = models.BooleanField(_("active"), default=True)
    document = models.JSONField(_("checklist"))

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        district_wide_view=frozenset(set(Role)), write_roles=frozenset({Role.DISTRICT_ADMIN})
    )

    class Meta:
        ordering = ["code", "-effective_from"]
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="checklist_code_version"),
        ]

    def __str__(self):
        title = self.document.get("title", {})
        return f"{title.get('zh-hans') or self.code} {self.version}"

    def items(self):
        return {item["code"]: item for section in self.document["sections"] for item in section["items"]}


INSPECTION_SCOPE = scope_through_place(
    "place__",
    ORG_WRITERS
    | {
        Role.GRID_WORKER,
        Role.COMMUNITY_MEMBER,
        Role.POLICE_OFFICER,
        Role.INSPECTOR,
        Role.DETACHMENT_OFFICER,
        Role.UNIT_OWNER,
    },
)


class Inspection(AuditedModel):
    """An inspection, patrol or self-check of a place, answered item by item."""

    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("place")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("inspectors")
    )
    checklists = models.ManyToManyField(ChecklistVersion, related_name="+", verbose_name=_("checklists"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    inspected_on = models.DateField(_("inspected on"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    commitment = models.TextField(_("public commitment"), blank=True)
    campaign = models.ForeignKey(
        "inspections.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
        verbose_name=_("campaign"),
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("re-inspection of"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    # GB 35181 proposal from the failed items, and the officer's decision on it
    determination = models.JSONField(_("major hazard proposal"), default=dict, blank=True)
    major_confirmed = models.BooleanField(_("major hazard (decided)"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = INSPECTION_SCOPE

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["place", "-inspected_on"], name="inspection_place_date_idx")]

    def __str__(self):
        return f"{self.place} · {self.get_kind_display()} · {self.inspected_on}"


class Answer(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    checklist = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField(_("item"), max_length=20)
    result = models.CharField(_("result"), max_length=4, choices=AnswerResult.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to="inspections/%Y/%m/", blank=True)
    elements = models.JSONField(_("GB 35181 elements"), default=list, blank=True)
    corrected_on_spot = models.BooleanField(_("corrected on the spot"), default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "checklist", "item_code"], name="one_answer_per_item"
            ),
        ]

    def __str__(self):
        return f"{self.item_code}: {self.result}"

    def clean(self):
        if self.checklist_id and self.item_code not in self.checklist.items():
            raise ValidationError(
                {
                    "item_code": _("Item %(code)s is not in %(list)s.")
                    % {"code": self.item_code, "list": self.checklist}
                }
            )


class HazardRecord(AuditedModel):
    """A hazard found by an inspection, kept until the hazard workflow takes it over as a case."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="hazards")
    answer = models.OneToOneField(
        Answer, null=True, blank=True, on_delete=models.SET_NULL, related_name="hazard"
    )
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="hazard_records")
    description = models.TextField(_("description"))
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    clauses = models.JSONField(_("clauses"), default=list, blank=True)
    corrected_on_spot = models.BooleanField(_("corrected on the spot"), default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = INSPECTION_SCOPE

    class Meta:
        ordering = ["-id"]
        verbose_name = _("hazard record")
        verbose_name_plural = _("hazard records")

    def __str__(self):
        return self.description[:60]


from firegrid.inspections.draws import DrawAssignment, RandomDraw  # noqa: E402  (models of this app)

__all__ = ["Answer", "ChecklistVersion", "DrawAssignment", "HazardRecord", "Inspection", "RandomDraw"]
from firegrid.inspections.plans import InspectionPlan, PlanItem  # noqa: E402, I001

__all__ += ["InspectionPlan", "PlanItem"]
from firegrid.inspections.campaigns import Campaign, CampaignPlace  # noqa: E402, I001

__all__ += ["Campaign", "CampaignPlace"]
