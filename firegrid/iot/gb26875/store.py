"""The gateway's database work, run in its one database thread (never in the event loop): the
address registry, a batch of decoded frames into the ingest pipeline, counters, commands.

The pipeline checks a device key on every message. The gateway authenticates a transmission device
by its registered address instead, so each bound device's key is derived from the address and the
SECRET_KEY (HMAC) and set when the address is registered: nothing secret is stored in clear, and the
gateway can compute it. Rotating the key on the device page breaks this (the gateway counts
rejected:bad_key and logs it); `firegrid gb26875 register --address … --rekey` sets it back.
"""

import datetime
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from firegrid.iot import pipeline
from firegrid.iot.choices import AlarmKind, DeviceKind
from firegrid.iot.gb26875.codec import address_bytes
from firegrid.iot.gb26875.models import CommandStatus, GatewayCommand, RawFrame, TransmissionDevice
from firegrid.iot.models import ACTIVE_STATUSES, Alarm, Device, IngestCount

log = logging.getLogger("firegrid.iot.gb26875")


def pipeline_key(address):
    return salted_hmac("firegrid.iot.gb26875.device-key", address.upper()).hexdigest()[:32]


@dataclass
class Binding:
    pk: int
    address: str
    source: bytes
    device_id: int
    ident: str
    key: str
    heartbeat_seconds: int
    faults: set = field(default_factory=set)
    info: dict = field(default_factory=dict)


def load_registry():
    """address → Binding for every active device with an address."""
    close_old_connections()
    rows = TransmissionDevice.objects.filter(device__is_active=True).values_list(
        "pk", "address", "device_id", "device__ident", "device__heartbeat_seconds", "faults", "info"
    )
    return {
        address: Binding(
            pk,
            address,
            address_bytes(address),
            device_id,
            ident,
            pipeline_key(address),
            hb,
            set(faults),
            info,
        )
        for pk, address, device_id, ident, hb, faults, info in rows.iterator(chunk_size=2000)
    }


@transaction.atomic
def register(address, *, device=None, place=None, name="", rekey=False):
    """Bind an address to a device (a new alarm-panel device at `place`, or an existing one)."""
    from firegrid.iot.actions import save_device

    address = address_bytes(address).hex().upper()
    binding = TransmissionDevice.objects.filter(address=address).select_related("device").first()
    if binding is not None:
        if not rekey:
            raise ValueError(f"address {address} is registered already (device {binding.device.ident})")
        device = binding.device
    elif device is None:
        device = Device(
            ident=f"gb-{address.lower()}", name=name or f"GB/T 26875 {address}", kind=DeviceKind.ALARM_PANEL
        )
        device.place = place
        save_device(device)
    if binding is None:
        binding = TransmissionDevice(device=device, address=address)
        binding.full_clean(exclude=["device"])
        binding.save()
    device.set_key(pipeline_key(address))
    Device.objects.filter(pk=device.pk).update(key_hash=device.key_hash, key_prefix=device.key_prefix)
    return binding


@dataclass
class Job:
    """One decoded frame's work for the database, filled in the event loop."""

    binding: Binding
    messages: list
    raw: tuple | None = None  # (direction, command, type_flag, problem, bytes)
    faults: list | None = None
    info: dict | None = None
    clock_skew_s: float | None = None
    answered: bool = False
    fire: bool = False


def _raw_frames(jobs, extra_raw, now):
    rows = [
        RawFrame(
            at=now,
            direction=d,
            address=job.binding.address,
            transmission_device_id=job.binding.pk,
            command=c,
            type_flag=t,
            problem=p,
            data=b,
        )
        for job in jobs
        if job.raw
        for d, c, t, p, b in [job.raw]
    ]
    rows += [
        RawFrame(
            at=at,
            direction=d,
            address=a,
            transmission_device_id=pk,
            command=c,
            type_flag=t,
            problem=p,
            data=b,
        )
        for at, d, a, pk, c, t, p, b in extra_raw
    ]
    return rows


def write_batch(jobs, *, extra_raw=(), connected=(), command_updates=(), case_actor_id=None, open_cases=True):
    """Store a batch in one transaction. Returns (pipeline results per job, committed monotonic time,
    hazard cases opened)."""
    close_old_connections()
    now = timezone.now()
    items, owners = [], []
    for n, job in enumerate(jobs):
        for message in job.messages:
            items.append((job.binding.ident, message))
            owners.append(n)
    with transaction.atomic():
        results = pipeline.ingest(items, now=now) if items else []
        raw = _raw_frames(jobs, extra_raw, now)
        if raw:
            RawFrame.objects.bulk_create(raw)
        changed = {}
        for job in jobs:
            fields = changed.setdefault(job.binding.pk, {})
            if job.faults is not None:
                fields["faults"] = job.faults
            if job.info is not None:
                fields["info"] = job.info
            if job.clock_skew_s is not None:
                fields["clock_skew_s"] = job.clock_skew_s
        for pk, fields in changed.items():
            if fields:
                TransmissionDevice.objects.filter(pk=pk).update(**fields)
        if connected:  # ten thousand devices connecting at once: one statement per 500
            latest = {pk: (at, peer[:64]) for pk, at, peer in connected if pk is not None}
            TransmissionDevice.objects.bulk_update(
                [TransmissionDevice(pk=pk, connected_at=at, peer=peer) for pk, (at, peer) in latest.items()],
                ["connected_at", "peer"],
                batch_size=500,
            )
        answered = {job.binding.pk for job in jobs if job.answered}
        if answered:
            GatewayCommand.objects.filter(
                transmission_device_id__in=answered,
                kind="inspect",
                status__in=[CommandStatus.SENT, CommandStatus.CONFIRMED],
            ).update(status=CommandStatus.ANSWERED, done_at=now)
        for pk, fields in command_updates:
            GatewayCommand.objects.filter(pk=pk).update(**fields)
    committed = time.monotonic()
    per_job = [[] for _ in jobs]
    for owner, result in zip(owners, results, strict=True):
        per_job[owner].append(result)
    cases = []
    fire_devices = {job.binding.device_id for job in jobs if job.fire}
    if open_cases and fire_devices:
        cases = open_fire_cases(fire_devices, case_actor_id, raised_at=now)
    return per_job, committed, cases


def open_fire_cases(device_ids, actor_id=None, raised_at=None):
    """A panel's fire alarm raised by this batch opens a hazard case (or joins the place's open IoT
    case; joining writes a comment, which needs --case-actor)."""
    from django.contrib.auth import get_user_model

    from firegrid.iot.actions import open_case

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    opened = []
    alarms = Alarm.objects.filter(
        device_id__in=device_ids, kind=AlarmKind.FIRE, status__in=ACTIVE_STATUSES, case__isnull=True
    ).select_related("device")
    if raised_at is not None:
        alarms = alarms.filter(raised_at__gte=raised_at)  # raised by this batch (at or after its start)
    for alarm in alarms:
        try:
            case = open_case(alarm, actor=actor, note="GB/T 26875")
        except Exception as exc:  # the alarm is committed; a person can still open the case
            log.warning("gb26875 could not open a case for alarm %s: %s", alarm.pk, exc)
            continue
        opened.append(case.tracking_code)
    return opened


def upsert_counts(process, pending):
    """Add to the per-minute counters (INSERT … ON CONFLICT adds on SQLite and PostgreSQL)."""
    if not pending:
        return
    close_old_connections()
    table = IngestCount._meta.db_table
    sql = (
        f"INSERT INTO {table} (minute, process, name, count) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (minute, process, name) DO UPDATE SET count = {table}.count + excluded.count"
    )
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            sql, [(adapt(m), process[:60], name[:40], n) for (m, name), n in sorted(pending.items())]
        )


def due_commands(limit=500):
    """Commands waiting to be sent: [(pk, address, kind, minutes, created_at)]."""
    close_old_connections()
    return list(
        GatewayCommand.objects.filter(status=CommandStatus.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", "transmission_device__address", "kind", "minutes", "created_at")[:limit]
    )


def save_command_updates(updates):
    close_old_connections()
    with transaction.atomic():
        for pk, fields in updates:
            GatewayCommand.objects.filter(pk=pk).update(**fields)


def queue_command(address, kind, *, minutes=None, actor=None):
    binding = TransmissionDevice.objects.get(address=address_bytes(address).hex().upper())
    return GatewayCommand.objects.create(
        transmission_device=binding, kind=kind, minutes=minutes, created_by=actor
    )


def purge_frames(days, batch=5000):
    """Delete raw frames older than `days` days, in batches; returns how many."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    total = 0
    while True:
        ids = list(RawFrame.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return total
        total += RawFrame.objects.filter(pk__in=ids).delete()[0]


def sample_counts(results):
    return Counter(pipeline.count(results))
