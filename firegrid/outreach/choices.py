"""Value sets of outreach: key training groups (seed 002 §四(三)), home-visit findings after NERIS's
home-visit value sets (alarms present/working/installed, why a household did not take part,
hoarding, referrals, follow-up), devices for vulnerable households (seed 002 task 20), volunteer
activities and publicity kinds ("五进", boards, broadcasts, theme parks, escape rooms)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AudienceGroup(models.TextChoices):
    """The key groups of seed 002 §四(三) and §三(四)."""

    STREET_CADRE = "street_cadre", _("Street/town cadres")
    COMMITTEE_MEMBER = "committee_member", _("Village/community committee members")
    GRID_WORKER = "grid_worker", _("Grid workers")
    PROPERTY_STAFF = "property_staff", _("Property management staff")
    RENTAL_LANDLORD = "rental_landlord", _("Group-rental landlords")
    CROWDED_PLACE_MANAGER = "crowded_place_manager", _("Managers of crowded places")
    ENFORCEMENT_STAFF = "enforcement_staff", _("Fire enforcement staff")
    OTHER = "other", _("Other")


class TrainingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class AttendanceResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    ATTENDED = "attended", _("Attended (no assessment)")
    ABSENT = "absent", _("Absent")


class ConsentScope(models.TextChoices):
    """What a household agreed to; registering personal data is the least of it."""

    REGISTER = "register", _("Keep the household's details on record")
    VISITS = "visits", _("Home visits")
    DEVICES = "devices", _("Installing safety devices")
    MONITORING = "monitoring", _("Devices reporting to the monitoring platform")


class ConsentBy(models.TextChoices):
    SELF = "self", _("The resident")
    GUARDIAN = "guardian", _("Guardian")
    FAMILY = "family", _("Family member")


class VisitOutcome(models.TextChoices):
    """NERIS: whether the household took part, and if not why."""

    COMPLETED = "completed", _("Visit completed")
    NOT_HOME = "not_home", _("Nobody at home")
    DECLINED = "declined", _("Household declined")
    NOT_REACHABLE = "not_reachable", _("Could not be reached (moved, wrong address)")


class AlarmPresence(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class AlarmWorking(models.TextChoices):
    ALL = "all", _("All working")
    SOME = "some", _("Some working")
    NONE = "none", _("None working")
    NOT_TESTED = "not_tested", _("Not tested")


class HomeHazard(models.TextChoices):
    """Hazards found in a home; each opens a hazard case of the category in HAZARD_CATEGORY."""

    WIRING = "wiring", _("Old, damaged or overloaded wiring and sockets")
    GAS = "gas", _("Gas hose, cylinder or stove unsafe")
    E_BIKE_INDOORS = "e_bike_indoors", _("E-bike or battery charged indoors")
    OPEN_FLAME = "open_flame", _("Open flame, heater or incense near combustibles")
    FLAMMABLES = "flammables", _("Flammable goods stored at home")
    HOARDING = "hoarding", _("Hoarding (clutter blocking rooms or exits)")
    BLOCKED_EXIT = "blocked_exit", _("Exit or escape route blocked or locked")
    BARRED_WINDOWS = "barred_windows", _("Windows barred with no escape opening")


HAZARD_CATEGORY = {
    HomeHazard.WIRING: "electrical",
    HomeHazard.GAS: "electrical",
    HomeHazard.E_BIKE_INDOORS: "e_bike",
    HomeHazard.OPEN_FLAME: "open_flame",
    HomeHazard.FLAMMABLES: "open_flame",
    HomeHazard.HOARDING: "evacuation",
    HomeHazard.BLOCKED_EXIT: "evacuation",
    HomeHazard.BARRED_WINDOWS: "windows",
}
# required attributes of the hazard categories (hazards/data/categories.json)
HAZARD_ATTRIBUTES = {HomeHazard.E_BIKE_INDOORS: {"where": "home"}}


class Referral(models.TextChoices):
    """NERIS referrals, narrowed to the services a street or community can call on."""

    DEVICE_INSTALL = "device_install", _("Install a safety device")
    ELECTRICAL_REPAIR = "electrical_repair", _("Electrical or gas repair")
    SOCIAL_SERVICES = "social_services", _("Civil affairs / social services")
    HEALTH = "health", _("Health services")
    FIRE_RESCUE = "fire_rescue", _("Fire rescue station")


class HomeDeviceKind(models.TextChoices):
    """Seed 002 task 20: devices for the households of the elderly, infirm, sick and disabled."""

    SMOKE_ALARM = "smoke_alarm", _("Independent smoke alarm")
    SIMPLE_SPRINKLER = "simple_sprinkler", _("Simple sprinkler")
    ELECTRICAL_MONITOR = "electrical_monitor", _("Electrical fire monitor")
    LEAKAGE_PROTECTOR = "leakage_protector", _("Leakage protector")


# the IoT device kind a home device may report as (a simple sprinkler does not report)
IOT_KIND = {
    HomeDeviceKind.SMOKE_ALARM: "smoke_detector",
    HomeDeviceKind.ELECTRICAL_MONITOR: "electrical_monitor",
    HomeDeviceKind.LEAKAGE_PROTECTOR: "leakage_protector",
}


class VolunteerActivityKind(models.TextChoices):
    PUBLICITY = "publicity", _("Fire safety publicity")
    DOOR_KNOCKING = "door_knocking", _("Door-knocking visits")
    PATROL = "patrol", _("Fire prevention patrol")
    DRILL = "drill", _("Evacuation and firefighting drill")
    FIREFIGHTING = "firefighting", _("Helping at an early-stage fire")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class SelectionStatus(models.TextChoices):
    DRAFT = "draft", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")


class PublicityKind(models.TextChoices):
    FIVE_INTO = "five_into", _("“Five into” activity")
    BULLETIN_BOARD = "bulletin_board", _("Publicity board or column")
    BROADCAST = "broadcast", _("Broadcast (village loudspeaker, compound speaker)")
    THEME_PARK = "theme_park", _("Fire safety theme park")
    ESCAPE_ROOM = "escape_room", _("Escape experience room")
    MEDIA = "media", _("Media or wall painting")


class FiveIntoTarget(models.TextChoices):
    """消防宣传“五进”: into communities, the countryside, schools, enterprises and families."""

    COMMUNITY = "community", _("Into communities")
    COUNTRYSIDE = "countryside", _("Into the countryside")
    SCHOOL = "school", _("Into schools")
    ENTERPRISE = "enterprise", _("Into enterprises")
    FAMILY = "family", _("Into families")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    AGE_18_39 = "18_39", _("18–39")
    AGE_40_59 = "40_59", _("40–59")
    AGE_60_PLUS = "60_plus", _("60 or over")
