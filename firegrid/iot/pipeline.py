"""The ingest pipeline shared by MQTT, HTTP and (later) the GB/T 26875 gateway.

`ingest(items)` takes a batch of raw messages and, in one transaction: stores each new message once
(unique device + message id, so redelivery is harmless; COPY into a staging table on PostgreSQL),
updates the devices, evaluates the alarm rules in time order per device, and raises, folds or
clears alarms. Bad messages are rejected with a reason and never stop the rest of the batch.
"""

import datetime
import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from firegrid.iot import notify
from firegrid.iot.choices import AlarmEventKind, AlarmKind, AlarmStatus, DeviceStatus
from firegrid.iot.models import ACTIVE_STATUSES, OFFLINE_CODE, Alarm, AlarmEvent, AlarmRule, Device, Message
from firegrid.iot.payload import Parsed, Rejected, parse, parse_obj
from firegrid.iot.rules import evaluate

log = logging.getLogger(__name__)


@dataclass
class Result:
    status: str  # accepted, duplicate, rejected
    reason: str = ""
    detail: str = ""

    def as_dict(self):
        out = {"status": self.status}
        if self.reason:
            out.update(reason=self.reason, detail=self.detail)
        return out


ACCEPTED = Result("accepted")
DUPLICATE = Result("duplicate")


def _parse_all(items, now):
    parsed = []
    for device, raw in items:
        try:
            if isinstance(raw, bytes | bytearray | str):
                parsed.append(
                    parse(raw.encode() if isinstance(raw, str) else bytes(raw), device=device, now=now)
                )
            else:
                parsed.append(parse_obj(raw, device=device, now=now))
        except Rejected as exc:
            parsed.append(exc)
    return parsed


def _rules_by_kind():
    rules = defaultdict(list)
    for rule in AlarmRule.objects.filter(is_active=True).order_by("code"):
        rules[rule.device_kind].append(rule)
    return rules


# ---- storing messages once ----


def _insert_messages(rows):
    """rows: [(device_id, message_id, ts, received_at, values, events)] → set of (device_id, message_id)
    actually inserted (the others were there already)."""
    if not rows:
        return set()
    table = Message._meta.db_table
    columns = 'device_id, message_id, ts, received_at, "values", events'
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS iot_message_stage (device_id bigint, "
                'message_id varchar(64), ts timestamptz, received_at timestamptz, "values" jsonb, '
                "events jsonb) ON COMMIT DELETE ROWS"
            )
            with cursor.cursor.copy(f"COPY iot_message_stage ({columns}) FROM STDIN") as copy:
                for device_id, message_id, ts, received_at, values, events in rows:
                    copy.write_row(
                        (device_id, message_id, ts, received_at, json.dumps(values), json.dumps(events))
                    )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM iot_message_stage "  # noqa: S608
                "ON CONFLICT (device_id, message_id) DO NOTHING RETURNING device_id, message_id"
            )
            inserted = {(d, m) for d, m in cursor.fetchall()}
            cursor.execute("DELETE FROM iot_message_stage")
        return inserted
    inserted = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            params = []
            # Django's own text form (UTC, space-separated), so range lookups and Trunc compare right
            adapt = connection.ops.adapt_datetimefield_value
            for device_id, message_id, ts, received_at, values, events in chunk:
                params += [
                    device_id,
                    message_id,
                    adapt(ts),
                    adapt(received_at),
                    json.dumps(values),
                    json.dumps(events),
                ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders} "  # noqa: S608
                "ON CONFLICT (device_id, message_id) DO NOTHING RETURNING device_id, message_id",
                params,
            )
            inserted |= {(d, m) for d, m in cursor.fetchall()}
    return inserted


# ---- alarms ----


class AlarmBook:
    """The active alarms of the devices in a batch, with the changes to write at the end."""

    def __init__(self, device_ids, now):
        self.now = now
        self.active = {
            (a.device_id, a.code): a
            for a in Alarm.objects.filter(device_id__in=device_ids, status__in=ACTIVE_STATUSES)
        }
        self.changed = {}
        self.events = []
        self.raised = []

    def raise_(self, device, code, *, rule=None, kind, text, value, at):
        alarm = self.active.get((device.pk, code))
        if alarm is not None:
            alarm.count += 1
            alarm.last_at = max(alarm.last_at, at)
            alarm.value = value if value is not None else alarm.value
            self.changed[alarm.pk] = alarm
            return alarm
        # cleared earlier in this batch: not saved yet, so the query below cannot see it
        recent = next(
            (
                a
                for a in self.changed.values()
                if a.device_id == device.pk and a.code == code and a.status == AlarmStatus.CLEARED
            ),
            None,
        ) or (
            Alarm.objects.filter(
                device=device,
                code=code,
                status=AlarmStatus.CLEARED,
                cleared_at__gte=self.now - datetime.timedelta(seconds=settings.IOT_FLAP_SECONDS),
            )
            .order_by("-cleared_at")
            .first()
        )
        if recent is not None:  # flapping: the same alarm comes back instead of a new one
            recent.status = AlarmStatus.ACTIVE
            recent.flaps += 1
            recent.count += 1
            recent.last_at = at
            recent.value = value
            recent.cleared_at = None
            recent.cleared_by = None
            self.changed[recent.pk] = recent
            self.active[(device.pk, code)] = recent
            self.events.append(
                AlarmEvent(alarm=recent, kind=AlarmEventKind.REOPENED, at=self.now, value=value)
            )
            return recent
        alarm = Alarm.objects.create(
            device=device,
            rule=rule,
            code=code,
            kind=kind,
            text=text[:200],
            value=value,
            first_at=at,
            last_at=at,
            raised_at=self.now,
            place_id=device.place_id,
            region_id=device.region_id,
            sector=device.sector,
            authority=device.authority,
        )
        self.active[(device.pk, code)] = alarm
        self.events.append(AlarmEvent(alarm=alarm, kind=AlarmEventKind.RAISED, at=self.now, value=value))
        self.raised.append(alarm)
        return alarm

    def clear(self, device, code, *, value=None, note=""):
        alarm = self.active.pop((device.pk, code), None)
        if alarm is None:
            return None
        alarm.status = AlarmStatus.CLEARED
        alarm.cleared_at = self.now
        self.changed[alarm.pk] = alarm
        self.events.append(
            AlarmEvent(alarm=alarm, kind=AlarmEventKind.CLEARED, at=self.now, value=value, note=note)
        )
        return alarm

    def save(self):
        if self.changed:
            Alarm.objects.bulk_update(
                list(self.changed.values()),
                ["status", "count", "flaps", "last_at", "value", "cleared_at", "cleared_by"],
            )
        AlarmEvent.objects.bulk_create(self.events)


def _apply_rules(device, messages, rules, book):
    state = dict(device.rule_state or {})
    for message in sorted(messages, key=lambda m: m.ts):
        for rule in rules:
            rule_state = state.setdefault(rule.code, {})
            outcome = evaluate(
                rule, rule_state, message.values, message.events, (device.thresholds or {}).get(rule.code)
            )
            if outcome.action == "raise":
                book.raise_(
                    device,
                    rule.code,
                    rule=rule,
                    kind=rule.alarm_kind,
                    text=rule.message_zh,
                    value=outcome.value,
                    at=message.ts,
                )
            elif outcome.action == "clear":
                book.clear(device, rule.code, value=outcome.value)
            if not rule_state:
                state.pop(rule.code, None)
    device.rule_state = state


# ---- the batch ----


def ingest(items, *, now=None):
    """items: [(device ident or None, raw bytes/str or a decoded dict)] → [Result] in the same order."""
    now = now or timezone.now()
    parsed = _parse_all(items, now)
    results = [Result("rejected", p.reason, p.detail) if isinstance(p, Rejected) else None for p in parsed]
    good = [(i, p) for i, p in enumerate(parsed) if isinstance(p, Parsed)]
    if not good:
        return results
    devices = {d.ident: d for d in Device.objects.filter(ident__in={p.device for _, p in good})}
    keyed = {}
    for i, p in good:
        device = devices.get(p.device)
        if device is None:
            results[i] = Result("rejected", "unknown_device", p.device[:64])
        elif not device.is_active:
            results[i] = Result("rejected", "inactive_device", p.device[:64])
        elif (p.device, p.key) not in keyed and not device.check_key(p.key):
            results[i] = Result("rejected", "bad_key", p.device[:64])
        else:
            keyed[(p.device, p.key)] = True
    todo = [(i, p) for i, p in good if results[i] is None]
    if not todo:
        return results
    seen = set()
    unique = []
    for i, p in todo:
        if (p.device, p.message_id) in seen:
            results[i] = DUPLICATE
        else:
            seen.add((p.device, p.message_id))
            unique.append((i, p))
    with transaction.atomic():
        ids = sorted({devices[p.device].pk for _, p in unique})
        locked = {d.pk: d for d in Device.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        rows = [(devices[p.device].pk, p.message_id, p.ts, now, p.values, p.events) for _, p in unique]
        inserted = _insert_messages(rows)
        fresh = defaultdict(list)
        for i, p in unique:
            device = locked[devices[p.device].pk]
            if (device.pk, p.message_id) in inserted:
                results[i] = ACCEPTED
                fresh[device.pk].append(p)
            else:
                results[i] = DUPLICATE
        if fresh:
            rules = _rules_by_kind()
            book = AlarmBook(list(fresh), now)
            for device_id, messages in fresh.items():
                device = locked[device_id]
                if device.status == DeviceStatus.OFFLINE:
                    book.clear(device, OFFLINE_CODE, note="back online")
                device.status = DeviceStatus.ONLINE
                device.last_seen_at = now
                latest = max(messages, key=lambda m: m.ts)
                values = dict(device.last_values or {})
                for message in sorted(messages, key=lambda m: m.ts):
                    values.update(message.values)
                values["_ts"] = latest.ts.isoformat()
                device.last_values = values
                _apply_rules(device, messages, rules.get(device.kind, []), book)
            Device.objects.bulk_update(
                [locked[d] for d in fresh], ["status", "last_seen_at", "last_values", "rule_state"]
            )
            book.save()
            raised = [a.pk for a in book.raised if a.kind == AlarmKind.FIRE]
            if raised:
                transaction.on_commit(lambda: notify.alarms_raised(raised))
    return results


def count(results):
    """Counter of outcomes: accepted, duplicate and rejected:<reason>."""
    return Counter(r.status if r.status != "rejected" else f"rejected:{r.reason}" for r in results)


__all__ = ["ingest", "count", "Result"]
