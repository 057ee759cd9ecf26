from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceKind(models.TextChoices):
    # the nine kinds of small places (九小场所) and their larger versions
    SHOP = "shop", _("Shop (门市/商店)")
    RESTAURANT = "restaurant", _("Restaurant")
    HOTEL = "hotel", _("Hotel/guesthouse")
    ENTERTAINMENT = "entertainment", _("Song and dance entertainment venue")
    INTERNET_CAFE = "internet_cafe", _("Internet café")
    BEAUTY_BATH = "beauty_bath", _("Beauty salon/bathhouse")
    TRAINING = "training", _("Training institution")
    CLINIC = "clinic", _("Clinic")
    WORKSHOP = "workshop", _("Small production/processing workshop")
    FLAMMABLE_SHOP = "flammable_shop", _("Flammable/explosive goods shop")
    # mixed and informal living
    THREE_IN_ONE = "three_in_one", _('"Three-in-one" place (living with work or storage)')
    GROUP_RENTAL = "group_rental", _("Group rental (群租房)")
    SELF_BUILT_HOUSE = "self_built_house", _("Self-built house")
    # residential
    RESIDENTIAL_COMPOUND = "residential_compound", _("Residential compound")
    VILLAGER_HOUSING = "villager_housing", _("Villager housing area")
    HIGH_RISE_RESIDENTIAL = "high_rise_residential", _("High-rise residential building")
    # public and commercial
    HIGH_RISE_PUBLIC = "high_rise_public", _("High-rise public building")
    MALL_MARKET = "mall_market", _("Mall/market")
    RELIC_BUILDING = "relic_building", _("Relic building")
    CHILDCARE = "childcare", _("Childcare/kindergarten")
    ELDERLY_CARE = "elderly_care", _("Elderly care institution")
    HOSPITAL = "hospital", _("Hospital")
    SCHOOL = "school", _("School")
    FUEL_STATION = "fuel_station", _("Fuel/gas station")
    ESPORTS_HOTEL = "esports_hotel", _("E-sports hotel")
    LOGISTICS_WAREHOUSE = "logistics_warehouse", _("Logistics warehouse")
    CONSTRUCTION_SITE = "construction_site", _("Construction site")
    RECYCLING_SITE = "recycling_site", _("Recycling site")
    UNDERGROUND_WORKS = "underground_works", _("Underground works")
    CONVERTED_COMMERCIAL = "converted_commercial", _("Factory/warehouse converted to commercial use")
    FACTORY = "factory", _("Factory/enterprise")
    PUBLIC_VENUE = "public_venue", _("Public venue (library, exhibition, stadium)")
    TRANSPORT_HUB = "transport_hub", _("Passenger station/wharf")
    OFFICE = "office", _("Government agency/office")
    OTHER = "other", _("Other")


# Which industry department's sector a kind belongs to ("管行业必须管安全").
KIND_SECTOR = {
    PlaceKind.SCHOOL: "education",
    PlaceKind.TRAINING: "education",
    PlaceKind.CHILDCARE: "education",
    PlaceKind.ELDERLY_CARE: "civil_affairs",
    PlaceKind.HOSPITAL: "health",
    PlaceKind.CLINIC: "health",
    PlaceKind.MALL_MARKET: "commerce",
    PlaceKind.SHOP: "market_regulation",
    PlaceKind.RESTAURANT: "market_regulation",
    PlaceKind.BEAUTY_BATH: "market_regulation",
    PlaceKind.HOTEL: "culture_tourism",
    PlaceKind.ESPORTS_HOTEL: "culture_tourism",
    PlaceKind.ENTERTAINMENT: "culture_tourism",
    PlaceKind.INTERNET_CAFE: "culture_tourism",
    PlaceKind.RELIC_BUILDING: "culture_tourism",
    PlaceKind.PUBLIC_VENUE: "culture_tourism",
    PlaceKind.RESIDENTIAL_COMPOUND: "housing",
    PlaceKind.HIGH_RISE_RESIDENTIAL: "housing",
    PlaceKind.CONSTRUCTION_SITE: "housing",
    PlaceKind.SELF_BUILT_HOUSE: "housing",
    PlaceKind.GROUP_RENTAL: "housing",
    PlaceKind.FUEL_STATION: "commerce",
    PlaceKind.RECYCLING_SITE: "commerce",
    PlaceKind.LOGISTICS_WAREHOUSE: "transport",
    PlaceKind.TRANSPORT_HUB: "transport",
    PlaceKind.FLAMMABLE_SHOP: "emergency",
    PlaceKind.WORKSHOP: "economy",
    PlaceKind.FACTORY: "economy",
    PlaceKind.VILLAGER_HOUSING: "agriculture",
}


class RiskLevel(models.TextChoices):
    """Four-colour risk grading (蓝/黄/橙/红)."""

    LOW = "low", _("Low (blue)")
    GENERAL = "general", _("General (yellow)")
    HIGH = "high", _("High (orange)")
    MAJOR = "major", _("Major (red)")


RISK_ORDER = [RiskLevel.LOW, RiskLevel.GENERAL, RiskLevel.HIGH, RiskLevel.MAJOR]
RISK_COLOURS = {"low": "blue", "general": "yellow", "high": "orange", "major": "red"}


class Authority(models.TextChoices):
    DETACHMENT = "detachment", _("Fire rescue detachment")
    POLICE_STATION = "police_station", _("Police station")
    STREET = "street", _("Street/town")


# When several rules name an authority, the strongest supervises.
AUTHORITY_ORDER = [Authority.STREET, Authority.POLICE_STATION, Authority.DETACHMENT]


class SelfBuiltUse(models.TextChoices):
    HOMESTAY = "homestay", _("Homestay")
    RENTAL = "rental", _("Rental")
    BUSINESS = "business", _("Business")
    TRAINING = "training", _("Training")
    OWN_USE = "own_use", _("Own residence")


class PlaceStatus(models.TextChoices):
    ACTIVE = "active", _("In use")
    CLOSED = "closed", _("Closed/stopped")
