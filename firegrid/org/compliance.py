"""Organisation compliance per street/town (seed 002 §一, tasks 1–4).

What each street must have: "1委+1站+1队" (a fire safety committee, a work station with at least
two dedicated officers, a full-time or volunteer team), at least two staff with a valid
enforcement qualification, a fire work group with staff in every community/village, a fire
manager for every compound and villager group, and micro fire stations covering communities
and compounds. Computed for many streets at once with a fixed number of grouped queries.
"""

import os
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.db.models import Case, CharField, Count, Exists, F, Func, OuterRef, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.org.choices import AreaKind, Position, RegionLevel, UnitKind
from firegrid.org.models import OrgMember, OrgUnit, Region, ResidentialArea, RoleAssignment, User

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
    gap_count: int = 0  # every gap, listed in `gaps` or not (see district_compliance's details)

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
        return not (self.gaps or self.gap_count)

    def as_dict(self):
        data = asdict(self)
        data["micro_station_community_pct"] = self.micro_station_community_pct
        data["micro_station_compound_pct"] = self.micro_station_compound_pct
        data["compliant"] = self.compliant
        return data


def _street_code(path):
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) > 1 else None


class StreetCode(Func):
    """SQL for `_street_code`: the second code of a materialised path ("/district/street/…/"; "" for
    a district's own), so rows are grouped by their street in the database. SPLIT_PART on PostgreSQL;
    SUBSTR and INSTR elsewhere (SQLite), ~5 times slower there on PostgreSQL's STRPOS."""

    arity = 1
    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        path, params = compiler.compile(self.source_expressions[0])
        rest = f"SUBSTR({path}, 2)"  # "district/street/…/"
        rest = f"SUBSTR({rest}, INSTR({rest}, '/') + 1)"  # "street/…/"
        return f"SUBSTR({rest}, 1, MAX(INSTR({rest}, '/') - 1, 0))", tuple(params) * 4

    def as_postgresql(self, compiler, connection, **extra_context):
        path, params = compiler.compile(self.source_expressions[0])
        return f"SPLIT_PART({path}, '/', 3)", tuple(params)


def street_code_of(path):
    return StreetCode(path)


def _in_streets(queryset, streets, path):
    """The rows whose region (its path at `path`) lies in one of the streets, annotated with the
    street's code: one prefix match (the streets' common path, e.g. their district's) and the code in
    the list, rather than one LIKE per street."""
    common = os.path.commonprefix([s.path for s in streets])
    common = common[: common.rfind("/") + 1]
    return queryset.annotate(street=street_code_of(path)).filter(
        **{f"{path}__startswith": common, "street__in": [s.code for s in streets]}
    )


def _by_street(queryset, **aggregates):
    """{street code: {name: value}} of aggregates over rows of `_in_streets`, grouped by their street."""
    rows = queryset.values("street").annotate(**aggregates).order_by()
    return {row.pop("street"): row for row in rows}


def district_compliance(streets, on=None, *, details=True):
    """StreetCompliance for each street given (a queryset or list of street Regions).

    Counted per street by grouped queries (a fixed number however many streets and communities).
    details=False leaves the per-community and per-area gaps unlisted (`gaps` then holds only the
    street's own, `gap_count` has them all): what the command view needs, without reading every
    community and compound that has a gap."""
    on = on or timezone.localdate()
    streets = list(streets)
    if not streets:
        return []
    reports = {s.code: StreetCompliance(s.pk, s.code, s.name) for s in streets}

    # a unit's street is the street of its region. Units matched to a community or a compound need
    # no street condition of their own: a community group sits in its community, a micro station
    # counts for the community it sits in (or in one of whose grids), a compound's micro station is
    # its own wherever it sits.
    active_units = _in_streets(OrgUnit.objects.filter(is_active=True), streets, "region__path")
    micro = OrgUnit.objects.filter(is_active=True, kind=UnitKind.MICRO_STATION)
    micro_communities = micro.annotate(
        community=Case(
            When(region__level=RegionLevel.COMMUNITY, then=F("region_id")),
            When(region__level=RegionLevel.GRID, then=F("region__parent_id")),
        )
    ).values("community")
    groups = OrgUnit.objects.filter(is_active=True, kind=UnitKind.COMMUNITY_GROUP)
    staffed_groups = groups.filter(Exists(OrgMember.objects.filter(unit=OuterRef("pk")))).values("region_id")
    communities = _in_streets(Region.objects.filter(level=RegionLevel.COMMUNITY), streets, "path")
    for code, row in _by_street(
        communities,
        n=Count("pk"),
        staffed=Count("pk", filter=Q(pk__in=staffed_groups)),
        micro=Count("pk", filter=Q(pk__in=micro_communities)),
    ).items():
        report = reports[code]
        report.communities = row["n"]
        report.communities_with_group = row["staffed"]
        report.communities_with_micro_station = row["micro"]

    areas = _in_streets(ResidentialArea.objects.all(), streets, "region__path")
    compound = Q(kind=AreaKind.COMPOUND)
    micro_areas = micro.filter(residential_area__isnull=False).values("residential_area_id")
    for code, row in _by_street(
        areas,
        n=Count("pk"),
        managed=Count("pk", filter=Q(fire_manager__isnull=False)),
        compounds=Count("pk", filter=compound),
        micro=Count("pk", filter=compound & Q(pk__in=micro_areas)),
    ).items():
        report = reports[code]
        report.areas = row["n"]
        report.areas_with_manager = row["managed"]
        report.compounds = row["compounds"]
        report.compounds_with_micro_station = row["micro"]

    # the street's own bodies: a handful of rows per street
    street_units = (
        active_units.filter(kind__in=[UnitKind.COMMITTEE, UnitKind.WORK_STATION, UnitKind.FIRE_TEAM])
        .annotate(
            member_count=Count("members"),
            officer_count=Count("members", filter=Q(members__position=Position.OFFICER)),
        )
        .values_list("street", "kind", "team_type", "member_count", "officer_count")
        .order_by("region__path", "kind", "name", "pk")
    )
    for code, kind, team_type, members, officers in street_units:
        report = reports[code]
        if kind == UnitKind.COMMITTEE:
            report.has_committee = True
            report.committee_members = max(report.committee_members, members)
        elif kind == UnitKind.WORK_STATION:
            report.has_station = True
            report.station_officers = max(report.station_officers, officers)
        else:
            report.has_team = True
            report.team_types.append(team_type)

    # qualified staff: holding a current role in the street or working for one of its units; a person
    # may be both (or hold several roles), so (street, user) pairs are made distinct by the UNION
    qualified = User.objects.qualified_inspectors(on).values("id")
    by_role = (
        _in_streets(RoleAssignment.objects.filter(user__in=qualified), streets, "region__path")
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)
        .values_list("street", "user_id")
        .order_by()
    )
    by_unit = (
        _in_streets(User.objects.filter(id__in=qualified), streets, "org_unit__region__path")
        .values_list("street", "id")
        .order_by()
    )
    staff = Counter(code for code, _user in by_role.union(by_unit))

    for code, report in reports.items():
        report.qualified_staff = staff[code]
        report.gaps = _head_gaps(report)
        report.gap_count = (
            len(report.gaps)
            + (report.communities - report.communities_with_group)
            + (report.areas - report.areas_with_manager)
        )
    if details:
        _list_gaps(reports, communities, areas, groups, staffed_groups)
    return [reports[s.code] for s in streets]


def _head_gaps(report):
    """What the street itself lacks: committee, station and its officers, team, qualified staff."""
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
    return head


def _list_gaps(reports, communities, areas, groups, staffed_groups):
    """The communities without a staffed fire work group and the areas without a fire manager, one
    Gap each (only the rows with a gap are read)."""
    unstaffed = (
        communities.exclude(pk__in=staffed_groups)
        .annotate(has_group=Exists(groups.filter(region_id=OuterRef("pk"))))
        .values_list("path", "name", "has_group")
        .order_by("path")
    )
    for path, name, has_group in unstaffed:
        if has_group:
            gap = Gap("group_without_staff", _("The fire work group has no staff"), name, name)
        else:
            gap = Gap("community_without_group", _("No fire work group"), name, name)
        reports[_street_code(path)].gaps.append(gap)
    unmanaged = (
        areas.filter(fire_manager__isnull=True)
        .values_list("name", "region__path", "region__name")
        .order_by("region__path", "name", "pk")
    )
    for name, path, region_name in unmanaged:
        reports[_street_code(path)].gaps.append(
            Gap("area_without_manager", _("No fire manager"), region_name, name)
        )


def street_compliance(street, on=None):
    return district_compliance([street], on)[0]
