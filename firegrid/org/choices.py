from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street/town")
    COMMUNITY = "community", _("Community/village")
    GRID = "grid", _("Grid")


LEVEL_ORDER = [RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID]


class RegionKind(models.TextChoices):
    """Whether a street-level region is a 街道 or a 镇, and a community a 社区 or a 村."""

    STREET = "street", _("Street (街道)")
    TOWN = "town", _("Town (镇)")
    COMMUNITY = "community", _("Community (社区)")
    VILLAGE = "village", _("Village (村)")


class UnitKind(models.TextChoices):
    DISTRICT_OFFICE = "district_office", _("District fire safety committee office")
    DETACHMENT = "detachment", _("Fire rescue detachment")
    COMMITTEE = "committee", _("Street/town fire safety committee")
    WORK_STATION = "work_station", _("Street/town fire work station")
    FIRE_TEAM = "fire_team", _("Full-time/volunteer fire team")
    COMMUNITY_GROUP = "community_group", _("Community/village fire work group")
    MICRO_STATION = "micro_station", _("Micro fire station")
    POLICE_STATION = "police_station", _("Police station")
    DEPARTMENT = "department", _("Industry department")


# Where each kind of unit sits in the region tree (None: any level).
UNIT_REGION_LEVEL = {
    UnitKind.DISTRICT_OFFICE: RegionLevel.DISTRICT,
    UnitKind.DETACHMENT: RegionLevel.DISTRICT,
    UnitKind.DEPARTMENT: RegionLevel.DISTRICT,
    UnitKind.COMMITTEE: RegionLevel.STREET,
    UnitKind.WORK_STATION: RegionLevel.STREET,
    UnitKind.FIRE_TEAM: RegionLevel.STREET,
    UnitKind.COMMUNITY_GROUP: RegionLevel.COMMUNITY,
    UnitKind.MICRO_STATION: None,
    UnitKind.POLICE_STATION: None,
}
# One of each per region: "1委+1站+1队" per street, one group per community.
ONE_PER_REGION = {UnitKind.COMMITTEE, UnitKind.WORK_STATION, UnitKind.COMMUNITY_GROUP}


class TeamType(models.TextChoices):
    FULL_TIME = "full_time", _("Government full-time")
    VOLUNTEER = "volunteer", _("Volunteer")


class MicroStationOwner(models.TextChoices):
    COMMUNITY = "community", _("Community/village")
    KEY_UNIT = "key_unit", _("Key fire safety unit")
    COMPOUND = "compound", _("Residential compound")


class Sector(models.TextChoices):
    EDUCATION = "education", _("Education")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    COMMERCE = "commerce", _("Commerce")
    CULTURE_TOURISM = "culture_tourism", _("Culture and tourism")
    HEALTH = "health", _("Health")
    HOUSING = "housing", _("Housing and urban-rural development")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    EMERGENCY = "emergency", _("Emergency management")
    TRANSPORT = "transport", _("Transport")
    AGRICULTURE = "agriculture", _("Agriculture and rural affairs")
    FORESTRY = "forestry", _("Forestry")
    WATER = "water", _("Water resources")
    PLANNING = "planning", _("Planning and natural resources")
    ECONOMY = "economy", _("Economy and information technology")
    RELIGION = "religion", _("Ethnic and religious affairs")


class Position(models.TextChoices):
    DIRECTOR = "director", _("Director")
    DEPUTY = "deputy", _("Deputy director")
    MEMBER = "member", _("Member")
    OFFICER = "officer", _("Dedicated fire officer")
    LEADER = "leader", _("Leader")
    STAFF = "staff", _("Staff")
    FIREFIGHTER = "firefighter", _("Firefighter")


class AreaKind(models.TextChoices):
    COMPOUND = "compound", _("Residential compound")
    VILLAGER_GROUP = "villager_group", _("Villager group")


class QualificationKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("Fire enforcement qualification")
    TRAINING = "training", _("Fire safety training certificate")
