"""Kinds and statuses of public fire facilities (seed 002 tasks 7–9, seed 000 §14)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FacilityKind(models.TextChoices):
    # water supply (seed 002 task 7, 8)
    HYDRANT = "hydrant", _("Municipal fire hydrant")
    POOL = "pool", _("Fire water pool")
    TANK = "tank", _("Fire water tank")
    PIPE_NETWORK = "pipe_network", _("Fire water pipe network")
    INTAKE_POINT = "intake_point", _("Natural water intake point")
    PUMP_ROOM = "pump_room", _("Water intake pump room")
    WATER_DOCK = "water_dock", _("Fire engine water dock")
    # stations (seed 002 task 3, 7)
    STATION_FULL_TIME = "station_full_time", _("Government full-time fire station")
    STATION_VOLUNTEER = "station_volunteer", _("Volunteer fire station")
    # roads (seed 002 task 7, 8)
    FIRE_LANE = "fire_lane", _("Fire lane")
    SMALL_ENGINE_ROAD = "small_engine_road", _("Road for small fire engines or motorcycles")
    # forest fire infrastructure (seed 002 task 8, 9)
    FIREBREAK = "firebreak", _("Firebreak")
    LOOKOUT_TOWER = "lookout_tower", _("Forest fire lookout tower")
    MONITORING_POST = "monitoring_post", _("Fire monitoring post")
    CHECKPOINT = "checkpoint", _("Forest entrance checkpoint")
    HELI_WATER_POINT = "heli_water_point", _("Helicopter water point")
    HELIPAD = "helipad", _("Helicopter landing pad")


class KindGroup(models.TextChoices):
    WATER = "water", _("Water supply")
    STATION = "station", _("Fire stations")
    ROAD = "road", _("Fire lanes and roads")
    FOREST = "forest", _("Forest fire infrastructure")


K = FacilityKind
KIND_GROUP = {
    K.HYDRANT: KindGroup.WATER,
    K.POOL: KindGroup.WATER,
    K.TANK: KindGroup.WATER,
    K.PIPE_NETWORK: KindGroup.WATER,
    K.INTAKE_POINT: KindGroup.WATER,
    K.PUMP_ROOM: KindGroup.WATER,
    K.WATER_DOCK: KindGroup.WATER,
    K.STATION_FULL_TIME: KindGroup.STATION,
    K.STATION_VOLUNTEER: KindGroup.STATION,
    K.FIRE_LANE: KindGroup.ROAD,
    K.SMALL_ENGINE_ROAD: KindGroup.ROAD,
    K.FIREBREAK: KindGroup.FOREST,
    K.LOOKOUT_TOWER: KindGroup.FOREST,
    K.MONITORING_POST: KindGroup.FOREST,
    K.CHECKPOINT: KindGroup.FOREST,
    K.HELI_WATER_POINT: KindGroup.FOREST,
    K.HELIPAD: KindGroup.FOREST,
}
# Points a fire engine can draw water from: what the coverage counts (a pipe network or a pump
# room feeds them, so it is not a source of its own here).
WATER_SOURCE_KINDS = (K.HYDRANT, K.POOL, K.TANK, K.INTAKE_POINT, K.WATER_DOCK)
# Kinds whose survey records a pressure reading (MPa).
PRESSURE_KINDS = (K.HYDRANT, K.PIPE_NETWORK, K.PUMP_ROOM)
# The hazard category a fault found on a survey opens a case in (hazards/data/categories.json).
FAULT_CATEGORY = {KindGroup.WATER: "public_water", KindGroup.ROAD: "fire_lane"}
FAULT_CATEGORY_DEFAULT = "fire_facilities"


def kinds_of_group(group):
    return [kind for kind, g in KIND_GROUP.items() if g == group]


class FacilityStatus(models.TextChoices):
    WORKING = "working", _("Working")
    DAMAGED = "damaged", _("Damaged")
    MISSING = "missing", _("Missing")
    PLANNED = "planned", _("Planned")


STATUS_COLOURS = {
    FacilityStatus.WORKING: "green",
    FacilityStatus.DAMAGED: "red",
    FacilityStatus.MISSING: "red",
    FacilityStatus.PLANNED: "muted",
}
MAP_COLOURS = {
    FacilityStatus.WORKING: "#2e7d32",
    FacilityStatus.DAMAGED: "#c62828",
    FacilityStatus.MISSING: "#6a1b9a",
    FacilityStatus.PLANNED: "#90a4ae",
}
FAULT_STATUSES = (FacilityStatus.DAMAGED, FacilityStatus.MISSING)


class CheckKind(models.TextChoices):
    SURVEY = "survey", _("Survey (摸底排查)")
    MAINTENANCE = "maintenance", _("Maintenance or repair")
    COMMISSIONING = "commissioning", _("Built and put into service")


class Access(models.TextChoices):
    CLEAR = "clear", _("Clear")
    OBSTRUCTED = "obstructed", _("Partly obstructed")
    BLOCKED = "blocked", _("Blocked")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Completed")


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    IN_FORCE = "in_force", _("Being carried out")
    SUPERSEDED = "superseded", _("Superseded")
