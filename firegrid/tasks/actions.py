"""State changes of tasks, duties, supervisions and incidents. Views and serializers validate the
shape of the input and call these; the rules that involve who acts for which unit live here."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core.scoping import user_scope
from firegrid.org.models import OrgUnit, Region
from firegrid.tasks import evidence as evidence_files
from firegrid.tasks.choices import SupervisionStatus, TaskStatus
from firegrid.tasks.models import (
    Duty,
    FireIncident,
    KeyTask,
    Milestone,
    ProgressReport,
    Supervision,
    TaskReview,
)


def acts_for(user, unit):
    """Whether the user may speak for the unit: its own staff, or whoever may change it (the street
    officer for the street's committee, the district admin for any unit)."""
    if unit is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.org_unit_id == unit.pk:
        return True
    if any(g.unit_id == unit.pk for g in user_scope(user).grants):
        return True
    return OrgUnit.objects.restrict(user, "change").filter(pk=unit.pk).exists()


def _writable_region(actor, region, field="region"):
    if not Region.objects.restrict(actor, "change").filter(pk=region.pk).exists():
        raise ValidationError({field: _("%(region)s is outside your jurisdiction.") % {"region": region}})


@transaction.atomic
def save_task(task, *, actor, units=(), places=None):
    """Validate and save a task with its responsible units (the lead is always one of them)."""
    if task.region_id is None:
        raise ValidationError({"region": _("Choose the region of the task.")})
    _writable_region(actor, task.region)
    if task.pk is None:
        task.created_by = actor
    task.full_clean(exclude=["catalogue", "parent", "created_by"])
    units = list(units)
    if task.lead_unit_id and task.lead_unit_id not in {u.pk for u in units}:
        units.insert(0, task.lead_unit)
    if not units:
        raise ValidationError({"lead_unit": _("Name the lead unit or at least one responsible unit.")})
    visible = set(
        OrgUnit.objects.restrict(actor).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True)
    )
    unknown = [str(u) for u in units if u.pk not in visible]
    if unknown:
        raise ValidationError(
            {"units": _("Not in your jurisdiction: %(units)s") % {"units": ", ".join(unknown)}}
        )
    task.save()
    task.units.set(units)
    if places is not None:
        task.places.set(places)
    return task


@transaction.atomic
def add_milestone(task, *, actor, title, due_on):
    if not KeyTask.objects.restrict(actor, "change").filter(pk=task.pk).exists():
        raise ValidationError({"task": _("You may not change this task.")})
    milestone = Milestone(task=task, title=(title or "").strip(), due_on=due_on)
    milestone.full_clean()
    milestone.save()
    return milestone


def _visible_task(task, actor):
    if task is None or not KeyTask.objects.restrict(actor).filter(pk=task.pk).exists():
        raise ValidationError({"task": _("No such task in your jurisdiction.")})


@transaction.atomic
def report_progress(
    task, *, actor, percent, note, unit=None, completes=False, milestone=None, files=(), on=None
):
    """A unit responsible for the task reports progress, with evidence; nothing is written unless all
    of it is valid."""
    _visible_task(task, actor)
    task = KeyTask.objects.select_for_update().get(pk=task.pk)
    unit = unit or getattr(actor, "org_unit", None)
    errors = {}
    responsible = list(task.units.all())
    if unit is None:
        errors["unit"] = _("Say which unit reports.")
    elif unit.pk not in {u.pk for u in responsible}:
        errors["unit"] = _(
            "%(unit)s is not responsible for task “%(task)s”: only its lead and co-responsible units "
            "(%(units)s) report progress on it."
        ) % {"unit": unit, "task": task, "units": "、".join(u.name for u in responsible) or "—"}
    elif not acts_for(actor, unit):
        errors["unit"] = _("You do not work for %(unit)s.") % {"unit": unit}
    if task.status != TaskStatus.OPEN:
        errors["task"] = _("The task is %(status)s; it takes no more reports.") % {
            "status": task.get_status_display().lower()
        }
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        percent = -1
    if not 0 <= percent <= 100:
        errors["percent"] = _("Give the progress as a whole number from 0 to 100.")
    if not (note or "").strip():
        errors["note"] = _("Say what was done.")
    today = timezone.localdate()
    on = on or today
    if on > today:
        errors["reported_on"] = _("A report cannot be dated in the future.")
    elif on < task.starts_on:
        errors["reported_on"] = _("The task starts on %(date)s.") % {"date": task.starts_on}
    if milestone is not None and milestone.task_id != task.pk:
        errors["milestone"] = _("The milestone belongs to another task.")
    if errors:
        raise ValidationError(errors)
    cleaned = evidence_files.check_files(files)
    report = ProgressReport.objects.create(
        task=task,
        unit=unit,
        milestone=milestone,
        reported_on=on,
        percent=100 if completes else percent,
        note=note.strip(),
        completes=bool(completes),
        reported_by=actor,
    )
    evidence_files.store(cleaned, report=report, user=actor)
    task.progress_pct = report.percent
    if completes:
        task.status, task.completed_on = TaskStatus.DONE, on
    task.save()
    if milestone is not None and milestone.done_on is None:
        milestone.done_on = on
        milestone.save()
    return report


@transaction.atomic
def complete_duty(duty, *, actor, record, done_on=None, files=()):
    if not Duty.objects.restrict(actor, "change").filter(pk=duty.pk).exists():
        raise ValidationError({"duty": _("You may not record this duty.")})
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    today = timezone.localdate()
    done_on = done_on or today
    errors = {}
    if duty.done_on:
        errors["duty"] = _("This duty was recorded as done on %(date)s.") % {"date": duty.done_on}
    if not (record or "").strip():
        errors["record"] = _("Say what was done (meeting, report, campaign, training…).")
    if done_on > today:
        errors["done_on"] = _("A duty cannot be done in the future.")
    elif done_on < duty.starts_on:
        errors["done_on"] = _("The period starts on %(date)s.") % {"date": duty.starts_on}
    if errors:
        raise ValidationError(errors)
    cleaned = evidence_files.check_files(files)
    duty.done_on, duty.done_by, duty.record = done_on, actor, record.strip()
    duty.save()
    evidence_files.store(cleaned, duty=duty, user=actor)
    return duty


@transaction.atomic
def open_supervision(
    *, actor, kind, unit, reason, requirements, respond_by, task=None, attendees="", held_on=None
):
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit supervised.")})
    _writable_region(actor, unit.region, "unit")
    if task is not None and not task.units.filter(pk=unit.pk).exists():
        raise ValidationError({"task": _("%(unit)s is not responsible for this task.") % {"unit": unit}})
    supervision = Supervision(
        kind=kind,
        unit=unit,
        region=unit.region,
        task=task,
        held_on=held_on or timezone.localdate(),
        held_by=actor,
        attendees=attendees or "",
        reason=(reason or "").strip(),
        requirements=(requirements or "").strip(),
        respond_by=respond_by,
    )
    supervision.full_clean(exclude=["held_by", "task"])
    supervision.save()
    return supervision


@transaction.atomic
def respond(supervision, *, actor, response):
    supervision = Supervision.objects.select_for_update().get(pk=supervision.pk)
    if not acts_for(actor, supervision.unit):
        raise ValidationError({"unit": _("Only %(unit)s responds to this.") % {"unit": supervision.unit}})
    if supervision.status != SupervisionStatus.OPEN:
        raise ValidationError({"status": _("This has been responded to already.")})
    if not (response or "").strip():
        raise ValidationError({"response": _("Say what the unit has done.")})
    supervision.response = response.strip()
    supervision.responded_on = timezone.localdate()
    supervision.responded_by = actor
    supervision.status = SupervisionStatus.RESPONDED
    supervision.save()
    return supervision


@transaction.atomic
def close_supervision(supervision, *, actor, follow_up):
    if not Supervision.objects.restrict(actor, "change").filter(pk=supervision.pk).exists():
        raise ValidationError({"status": _("You may not close this.")})
    supervision = Supervision.objects.select_for_update().get(pk=supervision.pk)
    if supervision.status != SupervisionStatus.RESPONDED:
        raise ValidationError({"status": _("Wait for the unit's response before closing.")})
    if supervision.unit_id == actor.org_unit_id and not actor.is_superuser:
        raise ValidationError({"status": _("The unit supervised cannot close its own supervision.")})
    if not (follow_up or "").strip():
        raise ValidationError({"follow_up": _("Record how the response was verified.")})
    supervision.follow_up = follow_up.strip()
    supervision.closed_on = timezone.localdate()
    supervision.closed_by = actor
    supervision.status = SupervisionStatus.CLOSED
    supervision.save()
    return supervision


@transaction.atomic
def record_review(*, actor, region, year, summary=""):
    from firegrid.tasks.review import review

    _writable_region(actor, region)
    data = review(actor, region, year)
    return TaskReview.objects.create(
        region=region,
        year=year,
        held_by=actor,
        summary=summary or "",
        counts=data["counts"],
        rows=[
            {
                "id": r.task.pk,
                "title": str(r.task),
                "unit": str(r.task.lead_unit or ""),
                "state": r.state,
                "due_on": r.task.due_on.isoformat(),
                "progress": r.task.progress_pct,
            }
            for r in data["rows"]
        ],
    )


@transaction.atomic
def save_incident(incident, *, actor):
    """Derive the grid, sector and high-rise flag from the place (or the grid from the point), check the
    actor may record fires there, save."""
    from firegrid.hazards.reports import locate

    if incident.place_id:
        place = incident.place
        incident.region, incident.lat, incident.lng = place.region, place.lat, place.lng
        incident.sector = place.sector
        incident.address = incident.address or place.address
        if "high_rise" in place.flag_list:
            incident.high_rise = True
    elif incident.lat is not None or incident.lng is not None:
        try:
            incident.region, incident.lat, incident.lng = locate(lat=incident.lat, lng=incident.lng)
        except ValidationError as exc:
            raise ValidationError({"lat": exc.message_dict.get("location", exc.messages)}) from None
    elif not incident.region_id:
        raise ValidationError({"place": _("Say where the fire was: a place, a location or a region.")})
    if incident.pk is None:
        incident.recorded_by = actor
    incident.full_clean(exclude=["recorded_by"])
    incident.save()
    if not FireIncident.objects.restrict(actor, "change").filter(pk=incident.pk).exists():
        raise ValidationError({"place": _("The fire lies outside your jurisdiction.")})
    return incident
