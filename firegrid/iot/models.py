"""Devices that watch fire facilities, the messages they send, alarm rules kept as data, and alarms."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.roles import ORG_WRITERS, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.iot.choices import AlarmEventKind, AlarmKind, AlarmStatus, DeviceKind, DeviceStatus, Operator
from firegrid.places.choices import Authority

OFFLINE_CODE = "offline"
ACTIVE_STATUSES = (AlarmStatus.ACTIVE, AlarmStatus.ACKNOWLEDGED)


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def _scope(write_roles):
    return ScopeRules(
        region="region",
        sector="sector",
        owner="place__owners",
        owner_roles=frozenset({Role.UNIT_OWNER}),
        write_roles=frozenset(write_roles),
        role_filters={Role.POLICE_OFFICER: models.Q(authority=Authority.POLICE_STATION)},
    )


class AlarmRule(AuditedModel):
    """A threshold or event rule for one kind of device, with the norm it comes from."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    device_kind = models.CharField(_("device kind"), max_length=24, choices=DeviceKind.choices)
    metric = models.CharField(_("value or event"), max_length=40)
    operator = models.CharField(_("condition"), max_length=8, choices=Operator.choices)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    # hysteresis: an alarm raised above `threshold` clears only below `clear_threshold`
    clear_threshold = models.FloatField(_("clears at"), null=True, blank=True)
    # for event rules: the event that clears the alarm (a panel's reset, a lane clear again)
    clear_event = models.CharField(_("event that clears it"), max_length=40, blank=True)
    # debounce: this many consecutive readings beyond the threshold before raising
    debounce = models.PositiveSmallIntegerField(_("consecutive readings"), default=1)
    alarm_kind = models.CharField(_("alarm kind"), max_length=10, choices=AlarmKind.choices)
    message_zh = models.CharField(_("message (Chinese)"), max_length=120)
    message_en = models.CharField(_("message (English)"), max_length=160)
    source = models.CharField(_("source"), max_length=300)
    evidence = models.CharField(
        _("evidence"), max_length=1, default="R", help_text=_("V seen in the norm, R recalled")
    )
    version = models.CharField(_("rule set version"), max_length=20)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        district_wide_view=frozenset(set(Role)), write_roles=frozenset({Role.DISTRICT_ADMIN})
    )

    class Meta:
        ordering = ["device_kind", "code"]
        verbose_name = _("alarm rule")
        verbose_name_plural = _("alarm rules")

    def __str__(self):
        return self.code

    def clean(self):
        """A threshold rule needs a threshold, and its clear level on the safe side of it (hysteresis)."""
        from django.core.exceptions import ValidationError

        if self.operator not in (Operator.ABOVE, Operator.BELOW):
            return
        if self.threshold is None:
            raise ValidationError({"threshold": _("A threshold rule needs a threshold.")})
        if self.clear_threshold is None:
            return
        if self.operator == Operator.ABOVE and self.clear_threshold > self.threshold:
            raise ValidationError(
                {"clear_threshold": _("An alarm above the threshold must clear at or below it.")}
            )
        if self.operator == Operator.BELOW and self.clear_threshold < self.threshold:
            raise ValidationError(
                {"clear_threshold": _("An alarm below the threshold must clear at or above it.")}
            )

    @property
    def message(self):
        return self.message_en if (get_language() or "").startswith("en") else self.message_zh


class Device(AuditedModel):
    """A sensor or panel at a place (or a public facility), with its own key."""

    ident = models.SlugField(_("device id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=DeviceKind.choices)
    key_hash = models.CharField(max_length=64, editable=False)
    key_prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    place = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name=_("place"),
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="devices", verbose_name=_("grid")
    )
    sector = models.CharField(_("sector"), max_length=30, blank=True, editable=False)
    authority = models.CharField(_("supervising authority"), max_length=20, blank=True, editable=False)
    location = models.CharField(_("where it is"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    # 0: the default of its kind (choices.DEFAULT_HEARTBEAT), filled in when the device is saved
    heartbeat_seconds = models.PositiveIntegerField(_("heartbeat interval (s)"), default=0)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # per-device threshold overrides: {rule_code: {"threshold": x, "clear_threshold": y}}
    thresholds = models.JSONField(_("threshold overrides"), default=dict, blank=True)
    # kept by the ingest, not edited
    status = models.CharField(
        _("status"), max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.UNKNOWN, editable=False
    )
    last_seen_at = models.DateTimeField(_("last heard"), null=True, blank=True, editable=False)
    last_values = models.JSONField(_("last values"), default=dict, blank=True, editable=False)
    rule_state = models.JSONField(default=dict, blank=True, editable=False)  # debounce counters per rule

    objects = RestrictedQuerySet.as_manager()
    scope_rules = _scope(ORG_WRITERS)
    audit_exclude = (
        "created_at",
        "updated_at",
        "last_seen_at",
        "last_values",
        "rule_state",
        "status",
        "key_hash",
    )

    class Meta:
        ordering = ["ident"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        # No index may hold a column the ingest writes with every message (last_seen_at, last_values,
        # rule_state; status rarely): PostgreSQL then rewrites a device in place (a HOT update, no index
        # entries), with the table's fillfactor (migration 0004) leaving room on its page. An index on
        # (status, last_seen_at) made every message write six index entries; the offline sweep, once a
        # minute, reads the devices without it. Held by iot/tests/test_pipeline.py ("device rows").

    def __str__(self):
        return self.name or self.ident

    def set_key(self, key=None):
        """Give the device a new key; returns it (only its hash is stored)."""
        key = key or secrets.token_urlsafe(18)
        self.key_hash = hash_key(key)
        self.key_prefix = key[:8]
        return key

    def check_key(self, key):
        return bool(key) and secrets.compare_digest(self.key_hash, hash_key(str(key)))

    def is_silent(self, now=None, factor=None):
        factor = factor or settings.IOT_OFFLINE_FACTOR
        now = now or timezone.now()
        return (
            self.last_seen_at is None
            or (now - self.last_seen_at).total_seconds() > self.heartbeat_seconds * factor
        )


class Message(models.Model):
    """One message from a device, stored once whatever the redeliveries (unique device + message id)."""

    # no index of its own: the two below lead with the device (at 1,000 msgs/s a third index on the
    # device alone grew by ~2 GB a day and cost every insert)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="messages", db_index=False)
    message_id = models.CharField(max_length=64)
    ts = models.DateTimeField(_("device time"))
    received_at = models.DateTimeField(_("received at"))
    values = models.JSONField(default=dict, blank=True)
    events = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-ts"]
        verbose_name = _("device message")
        verbose_name_plural = _("device messages")
        constraints = [models.UniqueConstraint(fields=["device", "message_id"], name="iot_message_once")]
        indexes = [models.Index(fields=["device", "-ts"], name="iot_message_device_ts_idx")]

    def __str__(self):
        return f"{self.device_id}/{self.message_id}"


ALARM_SCOPE = _scope(
    ORG_WRITERS
    | {Role.GRID_WORKER, Role.COMMUNITY_MEMBER, Role.POLICE_OFFICER, Role.UNIT_OWNER, Role.DETACHMENT_OFFICER}
)


class Alarm(models.Model):
    """An alarm of one device under one rule; repeats fold into the active one (with a count)."""

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="alarms", verbose_name=_("device")
    )
    rule = models.ForeignKey(
        AlarmRule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alarms",
        verbose_name=_("rule"),
    )
    code = models.CharField(_("rule code"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=AlarmKind.choices)
    status = models.CharField(
        _("status"), max_length=14, choices=AlarmStatus.choices, default=AlarmStatus.ACTIVE
    )
    text = models.CharField(_("message"), max_length=200)
    value = models.FloatField(_("value"), null=True, blank=True)
    count = models.PositiveIntegerField(_("occurrences"), default=1)
    flaps = models.PositiveIntegerField(_("times raised again"), default=0)
    first_at = models.DateTimeField(_("first raised"))
    last_at = models.DateTimeField(_("last raised"))
    raised_at = models.DateTimeField(_("raised at (committed)"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "hazards.HazardCase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alarms",
        verbose_name=_("hazard case"),
    )
    # copied from the device so scoping needs no join
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(max_length=30, blank=True)
    authority = models.CharField(max_length=20, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ALARM_SCOPE

    class Meta:
        ordering = ["-last_at", "-id"]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "code"],
                condition=models.Q(status__in=["active", "acknowledged"]),
                name="iot_one_active_alarm_per_rule",
            ),
        ]
        indexes = [models.Index(fields=["status", "-last_at"], name="iot_alarm_status_idx")]

    def __str__(self):
        return f"{self.device} · {self.text}"

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES


class AlarmEvent(models.Model):
    """A step in an alarm's life (raised, acknowledged, cleared, case); never changed."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=14, choices=AlarmEventKind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.alarm_id} {self.kind}"


class IngestCount(models.Model):
    """Counts of what the ingest did, per process and minute: accepted, duplicates, each rejection reason."""

    minute = models.DateTimeField()
    process = models.CharField(max_length=60)
    name = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["minute", "process", "name"], name="iot_count_once")]
        ordering = ["-minute"]

    def __str__(self):
        return f"{self.minute:%H:%M} {self.name}={self.count}"


class RejectedMessage(models.Model):
    """A sample of rejected messages (the first bytes), to see what a broken device sends."""

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    channel = models.CharField(max_length=10)  # mqtt or http
    device_ident = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)
    sample = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.reason} {self.device_ident}"


__all__ = [
    "ACTIVE_STATUSES",
    "OFFLINE_CODE",
    "Alarm",
    "AlarmEvent",
    "AlarmEventKind",
    "AlarmRule",
    "Device",
    "IngestCount",
    "Message",
    "RejectedMessage",
]

# The GB/T 26875 gateway's models live in its package; imported here so Django registers them.
from firegrid.iot.gb26875.models import GatewayCommand, RawFrame, TransmissionDevice  # noqa: E402, F401
