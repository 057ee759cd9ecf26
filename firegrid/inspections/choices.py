from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    SUPERVISORY = "supervisory", _("Supervisory inspection")
    PATROL = "patrol", _("Daily fire patrol")
    SELF_CHECK = "self_check", _("Unit self-inspection")
    CAMPAIGN = "campaign", _("Special campaign inspection")
    REINSPECTION = "reinspection", _("Re-inspection")


# Kinds carried out by enforcement staff: they need a valid qualification and count for coverage.
ENFORCEMENT_KINDS = {InspectionKind.SUPERVISORY, InspectionKind.CAMPAIGN, InspectionKind.REINSPECTION}


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class Outcome(models.TextChoices):
    PASSED = "passed", _("No hazard found")
    HAZARDS = "hazards", _("Hazards found")
    MAJOR = "major", _("Major hazard")


class AnswerResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class Severity(models.TextChoices):
    GENERAL = "general", _("General hazard")
    MAJOR = "major", _("Major hazard")


class DrawStatus(models.TextChoices):
    ANNOUNCED = "announced", _("Seed announced")
    DRAWN = "drawn", _("Drawn")
    PUBLISHED = "published", _("Results published")


class CampaignKind(models.TextChoices):
    HIGH_RISE = "high_rise", _('High-rise "remove risks, clear hazards" (除险清患)')
    SELF_BUILT = "self_built", _("Self-built houses")
    CLEAR_ZERO = "clear_zero", _('"Clear to zero" (清零)')
    SEASONAL = "seasonal", _("Seasonal/holiday")
    OTHER = "other", _("Other")
