from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task", "Open")
    DONE = "done", pgettext_lazy("task", "Done")
    CANCELLED = "cancelled", _("Cancelled")


class ReviewState(models.TextChoices):
    """Where a task stands at a review (梳理盘点): computed from its dates, never typed in."""

    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due soon")
    LATE = "late", _("Late")
    DONE = "done", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
    CANCELLED = "cancelled", _("Cancelled")


STATE_COLOURS = {
    ReviewState.ON_TRACK: "blue",
    ReviewState.DUE_SOON: "yellow",
    ReviewState.LATE: "red",
    ReviewState.DONE: "green",
    ReviewState.DONE_LATE: "orange",
    ReviewState.CANCELLED: "grey",
}


class SupervisionKind(models.TextChoices):
    SUPERVISION = "supervision", _("Supervision (督查督办)")
    WARNING_INTERVIEW = "warning_interview", _("Warning interview (警示约谈)")
    CIRCULAR = "circular", _("Critical circular (通报批评)")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting response")
    RESPONDED = "responded", _("Responded, awaiting follow-up")
    CLOSED = "closed", pgettext_lazy("supervision", "Closed")


SUPERVISION_COLOURS = {
    SupervisionStatus.OPEN: "orange",
    SupervisionStatus.RESPONDED: "blue",
    SupervisionStatus.CLOSED: "green",
}


class FireCause(models.TextChoices):
    ELECTRICAL = "electrical", _("Electrical")
    E_BIKE = "e_bike", _("Electric bicycle battery")
    COOKING = "cooking", _("Cooking")
    SMOKING = "smoking", _("Careless smoking")
    OPEN_FLAME = "open_flame", _("Open flame / careless use of fire")
    HOT_WORK = "hot_work", _("Hot work")
    CHILDREN = "children", _("Children playing with fire")
    ARSON = "arson", _("Arson")
    NATURAL = "natural", _("Lightning / spontaneous combustion")
    FOREST = "forest", _("Forest / field burning")
    OTHER = "other", _("Other")
    UNDETERMINED = "undetermined", _("Undetermined")


class TargetMetric(models.TextChoices):
    FIRES = "fires", _("Fires")
    DEATHS = "deaths", _("Deaths")
    INJURIES = "injuries", _("Injuries")
    LOSS = "loss", _("Direct loss (yuan)")
    HIGH_RISE_FIRES = "high_rise_fires", _("High-rise fires")
    HIGH_RISE_DEATHS = "high_rise_deaths", _("High-rise fire deaths")


class EvidenceKind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF document")
