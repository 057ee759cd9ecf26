from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DeviceKind(models.TextChoices):
    SMOKE_DETECTOR = "smoke_detector", _("Independent smoke detector")
    ELECTRICAL_MONITOR = "electrical_monitor", _("Electrical fire monitor")
    LEAKAGE_PROTECTOR = "leakage_protector", _("Leakage protector")
    WATER_PRESSURE = "water_pressure", _("Water pressure sensor")
    WATER_LEVEL = "water_level", _("Water level sensor")
    LANE_CAMERA = "lane_camera", _("Fire lane camera")
    ALARM_PANEL = "alarm_panel", _("Fire alarm panel (transmission device)")


class DeviceStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Never heard from")
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline")


class AlarmKind(models.TextChoices):
    """ThingsBoard-like severities narrowed to what fire work distinguishes."""

    FIRE = "fire", _("Fire alarm")
    FAULT = "fault", _("Fault")
    WARNING = "warning", _("Warning")


ALARM_KIND_ORDER = {AlarmKind.FIRE: 0, AlarmKind.FAULT: 1, AlarmKind.WARNING: 2}


class AlarmStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("alarm", "Active")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLEARED = "cleared", _("Cleared")


class Operator(models.TextChoices):
    ABOVE = "gt", _("above")
    BELOW = "lt", _("below")
    EVENT = "event", _("event reported")


class AlarmEventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    REOPENED = "reopened", _("Raised again (flapping)")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLEARED = "cleared", _("Cleared")
    CASE = "case", _("Hazard case opened or joined")


# Default heartbeat per kind (seconds); a device silent for IOT_OFFLINE_FACTOR heartbeats is offline.
# GB 50440: transmission devices are polled at least every 2 h [R]; NB-IoT smoke alarms report daily.
DEFAULT_HEARTBEAT = {
    DeviceKind.SMOKE_DETECTOR: 86400,
    DeviceKind.ELECTRICAL_MONITOR: 900,
    DeviceKind.LEAKAGE_PROTECTOR: 900,
    DeviceKind.WATER_PRESSURE: 600,
    DeviceKind.WATER_LEVEL: 600,
    DeviceKind.LANE_CAMERA: 300,
    DeviceKind.ALARM_PANEL: 7200,
}
# The hazard category a case opened from an alarm of this kind of device starts with.
KIND_CATEGORY = {
    DeviceKind.SMOKE_DETECTOR: "fire_facilities",
    DeviceKind.ELECTRICAL_MONITOR: "electrical",
    DeviceKind.LEAKAGE_PROTECTOR: "electrical",
    DeviceKind.WATER_PRESSURE: "fire_facilities",
    DeviceKind.WATER_LEVEL: "fire_facilities",
    DeviceKind.LANE_CAMERA: "fire_lane",
    DeviceKind.ALARM_PANEL: "fire_facilities",
}
