"""What the GB/T 26875 gateway keeps: the binding of a 6-byte address to a device, raw frames (purged
after GB26875_RAW_DAYS days), and commands queued for devices (clock synchronisation, inspection).

The address lives in its own model with a one-to-one link to Device rather than as a column on
Device: the generic device table (updated by every ingest batch) stays free of one protocol's state,
and the gateway's own state (components in fault, versions and configuration the device reported,
its clock skew, its last connection) has a place that is not Device.last_values.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.iot.models import Device

address_validator = RegexValidator(r"^[0-9A-F]{12}$", _("An address is 12 hexadecimal digits (6 bytes)."))


class TransmissionDevice(models.Model):
    """A user information transmission device (用户信息传输装置) known by its GB/T 26875 address."""

    device = models.OneToOneField(
        Device, on_delete=models.CASCADE, related_name="gb26875", verbose_name=_("device")
    )
    # 12 hex digits in transmission order (low byte first), as the frames carry it
    address = models.CharField(
        _("GB/T 26875 address"), max_length=12, unique=True, validators=[address_validator]
    )
    faults = models.JSONField(default=list, blank=True, editable=False)  # systems/components in fault
    info = models.JSONField(default=dict, blank=True, editable=False)  # versions, configuration texts
    clock_skew_s = models.FloatField(_("clock off by (s)"), null=True, blank=True, editable=False)
    connected_at = models.DateTimeField(_("last connected"), null=True, blank=True, editable=False)
    peer = models.CharField(_("last connected from"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["address"]
        verbose_name = _("transmission device")
        verbose_name_plural = _("transmission devices")

    def __str__(self):
        return self.address


class Direction(models.TextChoices):
    IN = "in", _("from the device")
    OUT = "out", _("to the device")


class RawFrame(models.Model):
    """Frames as they came (or went), for field engineers; heartbeats are not kept."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    address = models.CharField(_("address"), max_length=12, blank=True)
    transmission_device = models.ForeignKey(
        TransmissionDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="frames"
    )
    command = models.PositiveSmallIntegerField(_("command"), null=True, blank=True)
    type_flag = models.PositiveSmallIntegerField(_("type flag"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=30, blank=True)  # empty for a good frame
    data = models.BinaryField(_("bytes"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["address", "-at"], name="gb_frame_address_at_idx")]
        verbose_name = _("raw frame")
        verbose_name_plural = _("raw frames")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.direction} {self.address}"

    @property
    def hex(self):
        return bytes(self.data).hex(" ").upper()


class CommandKind(models.TextChoices):
    SYNC_TIME = "sync_time", _("Synchronise the clock")
    INSPECT = "inspect", _("Inspection (on-duty check)")


class CommandStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the device to connect")
    SENT = "sent", _("Sent")
    CONFIRMED = "confirmed", _("Confirmed by the device")
    ANSWERED = "answered", _("Answered on site")
    DENIED = "denied", _("Denied by the device")
    FAILED = "failed", _("Failed")


class GatewayCommand(models.Model):
    """A control command for a device, queued here and sent by the gateway holding its connection."""

    transmission_device = models.ForeignKey(
        TransmissionDevice, on_delete=models.CASCADE, related_name="commands"
    )
    kind = models.CharField(_("command"), max_length=12, choices=CommandKind.choices)
    minutes = models.PositiveSmallIntegerField(_("answer within (minutes)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CommandStatus.choices, default=CommandStatus.PENDING
    )
    serial = models.PositiveIntegerField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="gb_command_status_idx")]
        verbose_name = _("gateway command")
        verbose_name_plural = _("gateway commands")

    def __str__(self):
        return f"{self.kind} → {self.transmission_device_id} ({self.status})"
