"""The ingest pipeline shared by MQTT, HTTP and (later) the GB/T 26875 gateway.

`ingest(items)` takes a batch of raw messages and, in one transaction: locks its devices, stores each
new message once (unique device + message id, so redelivery is harmless), evaluates the alarm rules
in time order per device, raises, folds or clears alarms and updates the devices. Bad messages are
rejected with a reason and never stop the rest of the batch.

Speed (bench/bench_iot.py): a batch is a fixed handful of statements whatever its size. The device
rows are locked and read in one SELECT; on PostgreSQL the messages go in with one INSERT … SELECT and
the devices are written with one UPDATE … FROM, both reading json_to_recordset of a single JSON
parameter (Django's bulk_update, a CASE WHEN per row and field, cost more than all the rest of the
batch); the active and the recently cleared alarms are one query each, new alarms and events one
INSERT each.
"""

import contextlib
import contextvars
import datetime
import json
import logging
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from firegrid.iot import notify
from firegrid.iot.choices import AlarmEventKind, AlarmKind, AlarmStatus, DeviceStatus
from firegrid.iot.models import (
    ACTIVE_STATUSES,
    OFFLINE_CODE,
    Alarm,
    AlarmEvent,
    AlarmRule,
    Device,
    Message,
    hash_key,
)
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
    max_bytes = settings.IOT_MAX_MESSAGE_BYTES
    for device, raw in items:
        try:
            if isinstance(raw, bytes | bytearray | str):
                raw = raw.encode() if isinstance(raw, str) else bytes(raw)
                parsed.append(parse(raw, device=device, now=now, max_bytes=max_bytes))
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


def _insert_messages(rows, received_at):
    """rows: [(device_id, message_id, ts, values, events)] → set of (device_id, message_id) actually
    inserted (the others were there already)."""
    if not rows:
        return set()
    table = Message._meta.db_table
    columns = 'device_id, message_id, ts, received_at, "values", events'
    dumps = json.dumps
    if connection.vendor == "postgresql":
        # one statement, the batch as one JSON parameter: no staging table, no per-row round trip,
        # and no client-side quoting of array elements (psycopg's, in Python, cost more than the SQL)
        document = dumps(
            [{"d": d, "m": m, "t": ts.isoformat(), "v": v, "e": e} for d, m, ts, v, e in rows],
            separators=(",", ":"),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                "SELECT r.d, r.m, r.t, %s, r.v, r.e "
                "FROM json_to_recordset(%s::json) AS r(d bigint, m text, t timestamptz, v jsonb, e jsonb) "
                "ON CONFLICT (device_id, message_id) DO NOTHING RETURNING device_id, message_id",
                [received_at, document],
            )
            return set(cursor.fetchall())
    inserted = set()
    # Django's own text form (UTC, space-separated), so range lookups and Trunc compare right
    adapt = connection.ops.adapt_datetimefield_value
    received = adapt(received_at)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            params = []
            for device_id, message_id, ts, values, events in chunk:
                params += [device_id, message_id, adapt(ts), received, dumps(values), dumps(events)]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders} "  # noqa: S608
                "ON CONFLICT (device_id, message_id) DO NOTHING RETURNING device_id, message_id",
                params,
            )
            inserted |= {(d, m) for d, m in cursor.fetchall()}
    return inserted


def _update_devices(devices, now):
    """Write what the batch changed on its devices: status, last_seen_at (now), rule_state, and the
    batch's latest values merged into last_values by the database (jsonb ||, SQLite json_patch), so the
    old ones are neither read nor sent back. One UPDATE … FROM json_to_recordset(…) on PostgreSQL:
    Django's bulk_update (a CASE WHEN per row and field) cost more than the rest of the batch."""
    if not devices:
        return
    table = Device._meta.db_table
    dumps = json.dumps
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            document = dumps(
                [{"i": d.pk, "s": d.status, "v": d.new_values, "r": d.rule_state} for d in devices],
                separators=(",", ":"),
            )
            cursor.execute(
                f"UPDATE {table} AS d SET status = r.s, last_seen_at = %s, "  # noqa: S608
                "last_values = (CASE jsonb_typeof(d.last_values) WHEN 'object' THEN d.last_values "
                "ELSE '{}'::jsonb END) || r.v, rule_state = r.r "
                "FROM json_to_recordset(%s::json) AS r(i bigint, s text, v jsonb, r jsonb) WHERE d.id = r.i",
                [now, document],
            )
            return
        seen = connection.ops.adapt_datetimefield_value(now)
        cursor.executemany(
            f"UPDATE {table} SET status = %s, last_seen_at = %s, "  # noqa: S608
            "last_values = json_patch(last_values, %s), rule_state = %s WHERE id = %s",
            [(d.status, seen, dumps(d.new_values), dumps(d.rule_state), d.pk) for d in devices],
        )


def _in_list(values, cast="bigint"):
    """`IN (…)` of many values as one JSON parameter: Django prepares each element of a list (and psycopg
    re-splits a query whose placeholder count changes), which for 500 devices cost milliseconds."""
    document = json.dumps(list(values))  # the values are a parameter; the cast is ours
    if connection.vendor == "postgresql":
        # unnest(ARRAY(…)): the planner takes a JSON set for 100 rows, and at that a sequential scan of a
        # district's devices looks as cheap as 100 index probes; it takes unnest for 10, and probes
        sql = {
            "bigint": "SELECT unnest(ARRAY(SELECT json_array_elements_text(%s::json)::bigint))",
            "text": "SELECT unnest(ARRAY(SELECT json_array_elements_text(%s::json)))",
        }[cast]
        return RawSQL(sql, [document])  # noqa: S611
    return RawSQL("SELECT value FROM json_each(%s)", [document])  # noqa: S611


# ---- alarms ----


class AlarmBook:
    """The active alarms of the devices in a batch, with the changes to write at the end. New alarms are
    inserted by save(), the batch's last writes, and their raised_at is taken there: the commit time
    less the few milliseconds of those inserts (the MQTT acknowledgement follows the commit)."""

    def __init__(self, device_ids, now):
        self.now = now
        self.device_ids = list(device_ids)
        self.active = {
            (a.device_id, a.code): a
            for a in Alarm.objects.filter(device_id__in=_in_list(self.device_ids), status__in=ACTIVE_STATUSES)
        }
        self.changed = {}  # id(alarm) → alarm: rows to update (saved alarms) or new ones changed again
        self.events = []
        self.raised = []  # new alarms, inserted by save()
        self._recent = None  # (device_id, code) → latest alarm cleared within IOT_FLAP_SECONDS

    def _recently_cleared(self, device_id, code):
        # cleared earlier in this batch: not saved yet, so the query below cannot see it
        for alarm in self.changed.values():
            if alarm.device_id == device_id and alarm.code == code and alarm.status == AlarmStatus.CLEARED:
                return alarm
        if self._recent is None:  # one query for the whole batch, on its first new alarm
            since = self.now - datetime.timedelta(seconds=settings.IOT_FLAP_SECONDS)
            self._recent = {
                (a.device_id, a.code): a
                for a in Alarm.objects.filter(
                    device_id__in=_in_list(self.device_ids), status=AlarmStatus.CLEARED, cleared_at__gte=since
                ).order_by("cleared_at", "id")
            }
        return self._recent.get((device_id, code))

    def raise_(self, device, code, *, rule=None, kind, text, value, at):
        alarm = self.active.get((device.pk, code))
        if alarm is not None:
            alarm.count += 1
            alarm.last_at = max(alarm.last_at, at)
            alarm.value = value if value is not None else alarm.value
            self.changed[id(alarm)] = alarm
            return alarm
        recent = self._recently_cleared(device.pk, code)
        if recent is not None:  # flapping: the same alarm comes back instead of a new one
            recent.status = AlarmStatus.ACTIVE
            recent.flaps += 1
            recent.count += 1
            recent.last_at = at
            recent.value = value
            recent.cleared_at = None
            recent.cleared_by = None
            self.changed[id(recent)] = recent
            self.active[(device.pk, code)] = recent
            self.events.append(
                AlarmEvent(alarm=recent, kind=AlarmEventKind.REOPENED, at=self.now, value=value)
            )
            return recent
        alarm = Alarm(
            device_id=device.pk,
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
        self.changed[id(alarm)] = alarm
        self.events.append(
            AlarmEvent(alarm=alarm, kind=AlarmEventKind.CLEARED, at=self.now, value=value, note=note)
        )
        return alarm

    def save(self):
        """Update the changed alarms, insert the new ones and the events, all stamped now."""
        stamp = timezone.now()
        saved = [a for a in self.changed.values() if a.pk is not None]
        if saved:
            adapt = connection.ops.adapt_datetimefield_value
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Alarm._meta.db_table} SET status = %s, count = %s, flaps = %s, "  # noqa: S608
                    "last_at = %s, value = %s, cleared_at = %s, cleared_by_id = %s WHERE id = %s",
                    [
                        (
                            a.status,
                            a.count,
                            a.flaps,
                            adapt(a.last_at),
                            a.value,
                            adapt(a.cleared_at),
                            a.cleared_by_id,
                            a.pk,
                        )
                        for a in saved
                    ],
                )
        if self.raised:
            for alarm in self.raised:
                alarm.raised_at = stamp
            Alarm.objects.bulk_create(self.raised)
        for event in self.events:  # one time for the batch's steps, so their order stays the id order
            event.at = stamp
        AlarmEvent.objects.bulk_create(self.events)


def _apply_rules(device, messages, rules, book):
    """messages: in device time order."""
    state = dict(device.rule_state or {})
    thresholds = device.thresholds or {}
    for message in messages:
        for rule in rules:
            rule_state = state.setdefault(rule.code, {})
            outcome = evaluate(rule, rule_state, message.values, message.events, thresholds.get(rule.code))
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


class _Device:
    """What a batch reads and writes of a device row (a model instance per device cost more than the
    rules did). Filled from the locked SELECT, so the state it carries is current."""

    __slots__ = (
        "pk",
        "ident",
        "kind",
        "key_hash",
        "is_active",
        "status",
        "thresholds",
        "rule_state",
        "place_id",
        "region_id",
        "sector",
        "authority",
        "new_values",  # the batch's latest value of each metric, merged into last_values
    )

    def __init__(self, row):
        for name, value in zip(self.__slots__, row, strict=False):
            setattr(self, name, value)
        self.new_values = None


_DEVICE_COLUMNS = ("pk", *_Device.__slots__[1:-1])


def _lock_devices(idents):
    """ident → _Device for the known ones, locked (FOR NO KEY UPDATE, in id order so two processes
    cannot deadlock) until the batch commits: rule state read here is the state the batch updates."""
    rows = (
        Device.objects.select_for_update(no_key=True)
        .filter(ident__in=_in_list(idents, "text"))
        .order_by("pk")
        .values_list(*_DEVICE_COLUMNS)
    )
    return {row[1]: _Device(row) for row in rows}


_on_fire = contextvars.ContextVar("iot_on_fire", default=None)


@contextlib.contextmanager
def fire_handler(handler):
    """Within the block, ingest() hands the ids of fire alarms it raised to handler(ids) after the
    commit instead of calling notify.alarms_raised itself (the MQTT ingest queues them for a thread)."""
    token = _on_fire.set(handler)
    try:
        yield
    finally:
        _on_fire.reset(token)


def ingest(items, *, now=None):
    """items: [(device ident or None, raw bytes/str or a decoded dict)] → [Result] in the same order."""
    now = now or timezone.now()
    parsed = _parse_all(items, now)
    results = [Result("rejected", p.reason, p.detail) if isinstance(p, Rejected) else None for p in parsed]
    good = [(i, p) for i, p in enumerate(parsed) if isinstance(p, Parsed)]
    if not good:
        return results
    with transaction.atomic():
        devices = _lock_devices({p.device for _, p in good})
        keyed = {}
        seen = set()
        unique = []
        for i, p in good:
            device = devices.get(p.device)
            if device is None:
                results[i] = Result("rejected", "unknown_device", p.device[:64])
                continue
            if not device.is_active:
                results[i] = Result("rejected", "inactive_device", p.device[:64])
                continue
            ok = keyed.get((p.device, p.key))
            if ok is None:
                ok = keyed[(p.device, p.key)] = secrets.compare_digest(device.key_hash, hash_key(p.key))
            if not ok:
                results[i] = Result("rejected", "bad_key", p.device[:64])
            elif (p.device, p.message_id) in seen:
                results[i] = DUPLICATE
            else:
                seen.add((p.device, p.message_id))
                unique.append((i, p, device))
        if not unique:
            return results
        rows = [(device.pk, p.message_id, p.ts, p.values, p.events) for _, p, device in unique]
        inserted = _insert_messages(rows, now)
        fresh = defaultdict(list)
        for i, p, device in unique:
            if (device.pk, p.message_id) in inserted:
                results[i] = ACCEPTED
                fresh[device].append(p)
            else:
                results[i] = DUPLICATE
        if fresh:
            rules = _rules_by_kind()
            book = AlarmBook([d.pk for d in fresh], now)
            for device, messages in fresh.items():
                if device.status == DeviceStatus.OFFLINE:
                    book.clear(device, OFFLINE_CODE, note="back online")
                device.status = DeviceStatus.ONLINE
                messages.sort(key=lambda m: m.ts)
                values = {}
                for message in messages:
                    values.update(message.values)
                values["_ts"] = messages[-1].ts.isoformat()
                device.new_values = values
                _apply_rules(device, messages, rules.get(device.kind, ()), book)
            _update_devices(list(fresh), now)
            book.save()
            raised = [a.pk for a in book.raised if a.kind == AlarmKind.FIRE]
            if raised:
                handler = _on_fire.get() or notify.alarms_raised
                transaction.on_commit(lambda: handler(raised))
    return results


def count(results):
    """Counter of outcomes: accepted, duplicate and rejected:<reason>."""
    return Counter(r.status if r.status != "rejected" else f"rejected:{r.reason}" for r in results)


__all__ = ["ingest", "count", "Result"]
