"""Organisation compliance per street/town (seed 002 §一, tasks 1–4).

What each street must have: "1委+1站+1队" (a fire safety committee, a work station with at least
two dedicated officers, a full-time or volunteer team), at least two staff with a valid
enforcement qualification, a fire work group with staff in every community/village, a fire
manager for every compound and villager group, and micro fire stations covering communities
and compounds. Computed for many streets at once with a fixed number of queries.
"""

from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.org.choices import Position, RegionLevel, UnitKind
from firegrid.org.models import OrgUnit, Region, ResidentialArea, RoleAssignment, User

MIN_OFFICERS = 2
MIN_QUALIFIED = 2


@dataclass
class Gap:
    code: str
    message: str
    region: str = ""
    object_name: str = ""


@dataclass
class StreetCompliance:
    street_id: int
    street_code: str
    street_name: str
    has_committee: bool = False
    committee_members: int = 0
    has_station: bool = False
    station_officers: int = 0
    has_team: bool = False
    team_types: list = field(default_factory=list)
    qualified_staff: int = 0
    communities: int = 0
    communities_with_group: int = 0
    areas: int = 0
    areas_with_manager: int = 0
    communities_with_micro_station: int = 0
    compounds: int = 0
    compounds_with_micro_station: int = 0
    gaps: list = field(default_factory=list)

    @staticmethod
    def _pct(part, whole):
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def micro_station_community_pct(self):
        return self._pct(self.communities_with_micro_station, self.communities)

    @property
    def micro_station_compound_pct(self):
        return self._pct(self.compounds_with_micro_station, self.compounds)

    @property
    def compliant(self):
        return not self.gaps

    def as_dict(self):
        data = asdict(self)
        data["micro_station_community_pct"] = self.micro_station_community_pct
        data["micro_station_compound_pct"] = self.micro_station_compound_pct
        data["compliant"] = self.compliant
        return data


def _street_code(path):
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) > 1 else None


def district_compliance(streets, on=None):
    """StreetCompliance for each street given (a queryset or list of street Regions)."""
    on = on or timezone.localdate()
    streets = list(streets)
    reports = {s.code: StreetCompliance(s.pk, s.code, s.name) for s in streets}
    if not streets:
        return []
    within = Q()
    for street in streets:
        within |= Q(path__startswith=street.path)

    community_names = {}
    for path, code, name in Region.objects.filter(within, level=RegionLevel.COMMUNITY).values_list(
        "path", "code", "name"
    ):
        community_names[code] = (path, name)
        reports[_street_code(path)].communities += 1

    def region_q(prefix):
        q = Q()
        for street in streets:
            q |= Q(**{f"{prefix}__path__startswith": street.path})
        return q

    units = (
        OrgUnit.objects.filter(region_q("region"), is_active=True)
        .annotate(
            member_count=Count("members"),
            officer_count=Count("members", filter=Q(members__position=Position.OFFICER)),
        )
        .values(
            "kind",
            "team_type",
            "region__path",
            "region__code",
            "residential_area_id",
            "member_count",
            "officer_count",
        )
    )
    groups, micro_regions, micro_areas = {}, set(), set()
    for unit in units:
        report = reports[_street_code(unit["region__path"])]
        kind = unit["kind"]
        if kind == UnitKind.COMMITTEE:
            report.has_committee = True
            report.committee_members = max(report.committee_members, unit["member_count"])
        elif kind == UnitKind.WORK_STATION:
            report.has_station = True
            report.station_officers = max(report.station_officers, unit["officer_count"])
        elif kind == UnitKind.FIRE_TEAM:
            report.has_team = True
            report.team_types.append(unit["team_type"])
        elif kind == UnitKind.COMMUNITY_GROUP:
            groups[unit["region__code"]] = unit["member_count"]
        elif kind == UnitKind.MICRO_STATION:
            micro_regions.add(unit["region__path"])
            if unit["residential_area_id"]:
                micro_areas.add(unit["residential_area_id"])

    for code, (path, name) in community_names.items():
        report = reports[_street_code(path)]
        staff = groups.get(code)
        if staff is None:
            report.gaps.append(Gap("community_without_group", _("No fire work group"), name, name))
        elif staff == 0:
            report.gaps.append(Gap("group_without_staff", _("The fire work group has no staff"), name, name))
        else:
            report.communities_with_group += 1
        if any(p.startswith(path) for p in micro_regions):
            report.communities_with_micro_station += 1

    areas = ResidentialArea.objects.filter(region_q("region")).values_list(
        "id", "name", "kind", "region__path", "region__name", "fire_manager__id"
    )
    for area_id, name, kind, path, region_name, manager_id in areas:
        report = reports[_street_code(path)]
        report.areas += 1
        if manager_id:
            report.areas_with_manager += 1
        else:
            report.gaps.append(Gap("area_without_manager", _("No fire manager"), region_name, name))
        if kind == "compound":
            report.compounds += 1
            if area_id in micro_areas:
                report.compounds_with_micro_station += 1

    qualified_ids = set(User.objects.qualified_inspectors(on).values_list("id", flat=True))
    staff_by_street = {code: set() for code in reports}
    assignments = RoleAssignment.objects.filter(region_q("region"), user_id__in=qualified_ids).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on
    )
    for user_id, path in assignments.values_list("user_id", "region__path"):
        staff_by_street[_street_code(path)].add(user_id)
    for user_id, path in User.objects.filter(region_q("org_unit__region"), id__in=qualified_ids).values_list(
        "id", "org_unit__region__path"
    ):
        staff_by_street[_street_code(path)].add(user_id)

    for code, report in reports.items():
        report.qualified_staff = len(staff_by_street[code])
        head = []
        if not report.has_committee:
            head.append(Gap("no_committee", _("No fire safety committee")))
        if not report.has_station:
            head.append(Gap("no_station", _("No fire work station")))
        elif report.station_officers < MIN_OFFICERS:
            head.append(
                Gap(
                    "few_officers",
                    _("%(n)s dedicated officer(s); at least %(min)s required")
                    % {"n": report.station_officers, "min": MIN_OFFICERS},
                )
            )
        if not report.has_team:
            head.append(Gap("no_team", _("No full-time or volunteer fire team")))
        if report.qualified_staff < MIN_QUALIFIED:
            head.append(
                Gap(
                    "few_qualified",
                    _("%(n)s qualified enforcement staff; at least %(min)s required")
                    % {"n": report.qualified_staff, "min": MIN_QUALIFIED},
                )
            )
        report.gaps[:0] = head
    return [reports[s.code] for s in streets]


def street_compliance(street, on=None):
    return district_compliance([street], on)[0]
