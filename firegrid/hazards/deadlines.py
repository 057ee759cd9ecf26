"""Deadlines of hazard cases, from settings.HAZARD_DEADLINE_DAYS (configurable per deployment)."""

import datetime

from django.conf import settings
from django.utils import timezone

from firegrid.hazards.choices import CaseStatus, Severity


def days(name):
    return settings.HAZARD_DEADLINE_DAYS[name]


def default_deadline(severity, today=None):
    """The rectification deadline a new order gets unless the officer sets one."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=days("major" if severity == Severity.MAJOR else "general"))


def end_of_day(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def step_due(status, *, now, deadline=None):
    """When the step a case is in must be done: confirm a report, rectify, re-inspect and close."""
    if status in (CaseStatus.REPORTED, CaseStatus.CONFIRMED):
        return now + datetime.timedelta(days=days("confirm"))
    if status in (CaseStatus.ORDERED, CaseStatus.RECTIFYING):
        return end_of_day(deadline) if deadline else None
    if status in (CaseStatus.RECTIFIED, CaseStatus.REINSPECTED):
        return now + datetime.timedelta(days=days("reinspect"))
    return None


def after(now, name):
    return now + datetime.timedelta(days=days(name))
