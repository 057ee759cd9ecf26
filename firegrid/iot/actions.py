"""Changes to devices and alarms by people (the ingest has its own pipeline)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.iot.choices import DEFAULT_HEARTBEAT, KIND_CATEGORY, AlarmEventKind, AlarmStatus
from firegrid.iot.models import Alarm, AlarmEvent, Device


def save_device(device, *, new_key=False):
    """Derive what follows from the place or the point (grid, sector, authority); returns the new key
    when one is issued (a new device always gets one)."""
    from firegrid.org.models import Region

    if device.place_id:
        place = device.place
        device.region = place.region
        device.sector, device.authority = place.sector, place.authority
        if device.lat is None or device.lng is None:
            device.lat, device.lng = place.lat, place.lng
    elif device.lat is not None and device.lng is not None:
        region = Region.objects.locate(device.lat, device.lng)
        if region is None:
            raise ValidationError({"lat": _("That location is outside the district's grids.")})
        device.region = region
        device.sector = device.authority = ""
    else:
        raise ValidationError({"place": _("Bind the device to a place or give its location.")})
    if not device.heartbeat_seconds:
        device.heartbeat_seconds = DEFAULT_HEARTBEAT.get(device.kind, 3600)
    key = None
    if new_key or not device.key_hash:
        key = device.set_key()
    device.full_clean(exclude=["key_hash", "key_prefix"])
    device.save()
    return key


def _locked_alarm(alarm):
    return Alarm.objects.select_for_update().get(pk=alarm.pk)


@transaction.atomic
def acknowledge(alarm, *, actor, note=""):
    alarm = _locked_alarm(alarm)
    if alarm.status != AlarmStatus.ACTIVE:
        raise ValidationError({"status": _("Only an active, unacknowledged alarm can be acknowledged.")})
    now = timezone.now()
    Alarm.objects.filter(pk=alarm.pk).update(
        status=AlarmStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor
    )
    AlarmEvent.objects.create(
        alarm=alarm, kind=AlarmEventKind.ACKNOWLEDGED, actor=actor, note=note[:300], at=now
    )
    alarm.refresh_from_db()
    return alarm


@transaction.atomic
def clear(alarm, *, actor, note):
    """A person clears an alarm (checked on site); the device may raise it again if the cause remains."""
    if not (note or "").strip():
        raise ValidationError({"note": _("Say what was found on site.")})
    alarm = _locked_alarm(alarm)
    if alarm.status == AlarmStatus.CLEARED:
        raise ValidationError({"status": _("The alarm is cleared already.")})
    now = timezone.now()
    Alarm.objects.filter(pk=alarm.pk).update(status=AlarmStatus.CLEARED, cleared_at=now, cleared_by=actor)
    AlarmEvent.objects.create(alarm=alarm, kind=AlarmEventKind.CLEARED, actor=actor, note=note[:300], at=now)
    device = Device.objects.select_for_update().get(pk=alarm.device_id)
    if alarm.code in (device.rule_state or {}):
        state = dict(device.rule_state)
        state.pop(alarm.code)
        Device.objects.filter(pk=device.pk).update(rule_state=state)
    alarm.refresh_from_db()
    return alarm


@transaction.atomic
def open_case(alarm, *, actor, note=""):
    """Open a hazard case from an alarm, or join the open IoT case of the same place and category."""
    from firegrid.hazards import reports
    from firegrid.hazards.actions import comment
    from firegrid.hazards.choices import Channel, Source
    from firegrid.hazards.models import HazardCase, HazardCategory

    alarm = _locked_alarm(alarm)
    if alarm.case_id:
        raise ValidationError(
            {"case": _("The alarm is on case %(code)s already.") % {"code": alarm.case.tracking_code}}
        )
    device = alarm.device
    category = HazardCategory.objects.get(code=KIND_CATEGORY.get(device.kind, "other"))
    text = f"{alarm.text}（{device}）" + (f"：{note}" if note else "")
    case = None
    if device.place_id:
        case = (
            HazardCase.objects.open().filter(place=device.place, source=Source.IOT, category=category).first()
        )
    if case is not None and actor is None:  # the gateway or a rule: the system writes the note
        from firegrid.hazards.actions import record_event
        from firegrid.hazards.choices import EventKind

        record_event(
            case,
            EventKind.COMMENT,
            label=str(_("System")),
            from_status=case.status,
            to_status=case.status,
            note=text,
            public=False,
        )
    elif case is not None:
        comment(case, actor=actor, note=text)
    else:
        case = reports.report(
            description=text,
            category=category,
            place=device.place,
            lat=None if device.place_id else device.lat,
            lng=None if device.place_id else device.lng,
            address=device.location,
            source=Source.IOT,
            channel=Channel.SYSTEM,
            actor=actor,
            is_public=False,
        )
    Alarm.objects.filter(pk=alarm.pk).update(case=case)
    AlarmEvent.objects.create(alarm=alarm, kind=AlarmEventKind.CASE, actor=actor, note=case.tracking_code)
    alarm.refresh_from_db()
    return case
