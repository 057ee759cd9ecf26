from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firegrid.inspections.choices import Severity

__all__ = ["CaseStatus", "CloseReason", "Level", "Source", "Channel", "EventKind", "Severity"]


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    ORDERED = "ordered", _("Rectification ordered")
    RECTIFYING = "rectifying", _("Rectifying")
    RECTIFIED = "rectified", _("Rectified, awaiting re-inspection")
    REINSPECTED = "reinspected", _("Re-inspected")
    CLOSED = "closed", pgettext_lazy("hazard case", "Closed")
    # a reporter said "not fixed" on a closed case: staff review it (still a hazard, or close again)
    REOPENED = "reopened", _("Reopened for review")


OPEN_STATUSES = frozenset(set(CaseStatus) - {CaseStatus.REJECTED, CaseStatus.CLOSED})
STATUS_COLOURS = {
    CaseStatus.REPORTED: "grey",
    CaseStatus.CONFIRMED: "orange",
    CaseStatus.REJECTED: "grey",
    CaseStatus.ORDERED: "orange",
    CaseStatus.RECTIFYING: "yellow",
    CaseStatus.RECTIFIED: "blue",
    CaseStatus.REINSPECTED: "blue",
    CaseStatus.CLOSED: "green",
    CaseStatus.REOPENED: "red",
}


class CloseReason(models.TextChoices):
    """Honest endings: closed is not the same as fixed."""

    FIXED = "fixed", _("Fixed")
    NOT_HAZARD = "not_hazard", _("Not a hazard")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_RESPONSIBLE = "not_responsible", _("Not our responsibility")


class Level(models.TextChoices):
    """Who holds the case: the grid first ("一般隐患不出网格"), then the street, a department,
    the district."""

    GRID = "grid", _("Grid")
    STREET = "street", pgettext_lazy("escalation level", "Street/town")
    DEPARTMENT = "department", pgettext_lazy("escalation level", "Department")
    DISTRICT = "district", pgettext_lazy("escalation level", "District")


class Source(models.TextChoices):
    INSPECTION = "inspection", _("Inspection item")
    PATROL = "patrol", _("Patrol")
    SELF_CHECK = "self_check", _("Self-check")
    PUBLIC = "public", _("Public report")
    IOT = "iot", _("IoT alarm")
    DEPARTMENT = "department", _("Department")


class Channel(models.TextChoices):
    """How a report reached us."""

    STAFF = "staff", _("Entered by staff")
    WEB = "web", _("Website")
    PLACE_CODE = "place_code", _("Place code page")
    HOTLINE_12345 = "12345", _("12345 hotline")
    HOTLINE_96119 = "96119", _("96119 fire report line")
    YUKUAIBAN = "yukuaiban", _("Yukuaiban (渝快办)")
    OPEN311 = "open311", _("Open311 client")
    SYSTEM = "system", _("System")


# Channels a member of staff may record a report under (received elsewhere, entered here).
STAFF_CHANNELS = (Channel.STAFF, Channel.HOTLINE_12345, Channel.HOTLINE_96119, Channel.YUKUAIBAN)


class EventKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    ORDERED = "ordered", _("Rectification ordered")
    STARTED = "started", _("Rectification started")
    RECTIFIED = "rectified", _("Rectification reported")
    REINSPECTED_PASS = "reinspected_pass", _("Re-inspection passed")
    REINSPECTED_FAIL = "reinspected_fail", _("Re-inspection failed")
    CLOSED = "closed", pgettext_lazy("hazard event", "Closed")
    ESCALATED = "escalated", _("Escalated")
    WHISTLE = "whistle", _("Whistle blown to a department (街镇吹哨)")
    CHECKED_IN = "checked_in", _("Department checked in (部门报到)")
    SUPERVISED = "supervised", _("Supervised by the district (督办)")
    OVERDUE = "overdue", _("Overdue")
    REMINDER = "reminder", _("Reminder sent")
    SEVERITY = "severity", _("Severity changed")
    COMMENT = "comment", _("Comment")
    INFO_ADDED = "info_added", _("Information added by a reporter")
    ME_TOO = "me_too", _("Reported again by someone else")
    NOT_FIXED = "not_fixed", _("Reported as not fixed")
    REVIEWED = "reviewed", _("Reopened case reviewed")
    MERGED_INTO = "merged_into", _("Merged into another case as a duplicate")
    MERGED = "merged", _("A duplicate report was merged in")
