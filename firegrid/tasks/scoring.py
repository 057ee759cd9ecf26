"""Scoring (考评): a versioned scheme of items, each a metric with a weight, computed for each street
and unit from the platform's own records, every point with the figures that earned it.

    check_scheme(doc)                    SchemeError naming what is wrong (weights must add up)
    new_scheme_version(doc, actor=…)     store and (by default) activate a new version
    street_card(scheme, street, year)    ScoreCard of a street/town
    unit_card(scheme, unit, year)        ScoreCard of a unit (committee, station, department …)
    cards_for(user, year, scheme)        the cards the user may see: streets then units

Scores are computed over all records of the street or unit, not only those the viewer may open, so
the street officer and the district see the same score; who may see which card is scoped.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core.roles import DISTRICT_WIDE, Role
from firegrid.core.scoping import user_scope
from firegrid.hazards.choices import CaseStatus, EventKind
from firegrid.hazards.models import HazardCase, HazardEvent
from firegrid.inspections.choices import ENFORCEMENT_KINDS, InspectionStatus
from firegrid.inspections.models import Inspection
from firegrid.org.choices import RegionLevel, UnitKind
from firegrid.org.models import OrgUnit, Region
from firegrid.places.models import Place
from firegrid.tasks.catalogue import text
from firegrid.tasks.choices import TaskStatus

STREET_METRICS = (
    "inspection_coverage",
    "hazard_closure",
    "hazard_not_overdue",
    "tasks_on_time",
    "duties_on_time",
    "org_compliance",
)
UNIT_METRICS = ("tasks_on_time", "duties_on_time")
SCORED_UNIT_KINDS = (
    UnitKind.DISTRICT_OFFICE,
    UnitKind.DETACHMENT,
    UnitKind.COMMITTEE,
    UnitKind.WORK_STATION,
    UnitKind.DEPARTMENT,
    UnitKind.POLICE_STATION,
)
TOLERANCE = Decimal("0.001")


class SchemeError(Exception):
    pass


def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError
    number = Decimal(str(value))
    if not number.is_finite() or number < 0:
        raise ValueError
    return number


def check_scheme(doc):
    """Raise SchemeError unless the scheme is well formed and each list's weights add up to the total."""
    if not isinstance(doc, dict):
        raise SchemeError(_("The scheme must be a JSON object."))
    for key in ("version", "name", "effective_from", "total", "street", "unit"):
        if key not in doc:
            raise SchemeError(_("The scheme lacks “%(key)s”.") % {"key": key})
    try:
        datetime.date.fromisoformat(str(doc["effective_from"]))
    except ValueError:
        raise SchemeError(_("effective_from must be a date (YYYY-MM-DD).")) from None
    try:
        total = _number(doc["total"])
    except (ValueError, ArithmeticError):
        raise SchemeError(_("The total must be a number above zero.")) from None
    if total <= 0:
        raise SchemeError(_("The total must be a number above zero."))
    for target, allowed, label in (
        ("street", STREET_METRICS, _("street/town")),
        ("unit", UNIT_METRICS, _("unit")),
    ):
        items = doc[target]
        if not isinstance(items, list) or not items:
            raise SchemeError(_("The %(target)s list must hold at least one item.") % {"target": label})
        codes, weights = set(), Decimal(0)
        for index, item in enumerate(items, start=1):
            where = _("%(target)s item %(n)s") % {"target": label, "n": index}
            if not isinstance(item, dict):
                raise SchemeError(_("%(where)s is not an object.") % {"where": where})
            for key in ("code", "metric", "weight", "title"):
                if key not in item:
                    raise SchemeError(_("%(where)s lacks “%(key)s”.") % {"where": where, "key": key})
            if item["code"] in codes:
                raise SchemeError(
                    _("%(where)s: the code %(code)s appears twice.") % {"where": where, "code": item["code"]}
                )
            codes.add(item["code"])
            if item["metric"] not in allowed:
                raise SchemeError(
                    _("%(where)s: the metric must be one of %(metrics)s.")
                    % {"where": where, "metrics": ", ".join(allowed)}
                )
            try:
                weights += _number(item["weight"])
            except (ValueError, ArithmeticError):
                raise SchemeError(
                    _("%(where)s: the weight must be a number ≥ 0.") % {"where": where}
                ) from None
        if abs(weights - total) > TOLERANCE:
            raise SchemeError(
                _("The weights of the %(target)s items add up to %(sum)s, not %(total)s.")
                % {"target": label, "sum": _fmt(weights), "total": _fmt(total)}
            )


def _fmt(number):
    number = Decimal(number).normalize()
    return f"{number:f}"


@transaction.atomic
def new_scheme_version(document, *, actor=None, activate=True):
    """Store an edited scheme as a new version (validated), and put it in force."""
    from firegrid.tasks.models import ScoreScheme

    try:
        check_scheme(document)
    except SchemeError as exc:
        raise ValidationError({"document": str(exc)}) from None
    scheme = ScoreScheme(
        version=str(document.get("version", ""))[:40],
        name=str(document.get("name", ""))[:200],
        effective_from=datetime.date.fromisoformat(str(document["effective_from"])),
        document=document,
        notes=str(document.get("notes", "")),
        created_by=actor,
    )
    scheme.full_clean()
    if activate:
        ScoreScheme.objects.filter(is_active=True).update(is_active=False)
        scheme.is_active = True
    scheme.save()
    return scheme


# ---- computing --------------------------------------------------------------------------------------


@dataclass
class ItemScore:
    code: str
    metric: str
    title: str
    source: str
    weight: Decimal
    earned: int | None  # the numerator (None for a composite)
    counted: int | None  # the denominator
    ratio: Decimal
    points: Decimal
    explanation: str
    details: list = field(default_factory=list)  # (label, ok) rows of a composite


@dataclass
class ScoreCard:
    kind: str  # street / unit
    code: str
    name: str
    year: int
    version: str
    items: list
    total: Decimal
    maximum: Decimal
    pk: int = 0

    def as_dict(self):
        return {
            "kind": self.kind,
            "id": self.pk,
            "code": self.code,
            "name": self.name,
            "year": self.year,
            "scheme": self.version,
            "total": float(self.total),
            "maximum": float(self.maximum),
            "items": [
                {
                    "code": i.code,
                    "metric": i.metric,
                    "title": i.title,
                    "weight": float(i.weight),
                    "earned": i.earned,
                    "counted": i.counted,
                    "ratio": float(i.ratio),
                    "points": float(i.points),
                    "explanation": i.explanation,
                    "details": [{"label": label, "ok": ok} for label, ok in i.details],
                    "source": i.source,
                }
                for i in self.items
            ],
        }


def _q2(value):
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _pct(ratio):
    return f"{_q2(ratio * 100):f}"


def _bounds(year):
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    return start, datetime.datetime(year + 1, 1, 1, tzinfo=tz)


def as_of(year, today=None):
    today = today or timezone.localdate()
    return min(datetime.date(year, 12, 31), today)


def _ratio(earned, counted):
    return Decimal(1) if not counted else Decimal(earned) / Decimal(counted)


def _simple(earned, counted, message, empty):
    return earned, counted, _ratio(earned, counted), (message if counted else empty), []


def inspection_coverage(street, year, today):
    places = Place.objects.filter(region__path__startswith=street.path, status="active")
    done = Inspection.objects.filter(
        place=OuterRef("pk"),
        status=InspectionStatus.SUBMITTED,
        kind__in=list(ENFORCEMENT_KINDS),
        inspected_on__year=year,
    )
    total = places.count()
    earned = places.filter(Exists(done)).count()
    return _simple(
        earned,
        total,
        _("%(n)s of %(total)s active places had an enforcement inspection in %(year)s.")
        % {"n": earned, "total": total, "year": year},
        _("No active places to inspect: full marks."),
    )


def _year_cases(street, year):
    start, end = _bounds(year)
    return HazardCase.objects.filter(
        region__path__startswith=street.path, created_at__gte=start, created_at__lt=end
    )


def hazard_closure(street, year, today):
    cases = _year_cases(street, year)
    total = cases.count()
    settled = cases.filter(status__in=[CaseStatus.CLOSED, CaseStatus.REJECTED]).count()
    return _simple(
        settled,
        total,
        _("%(n)s of %(total)s hazard cases reported in %(year)s are closed or rejected.")
        % {"n": settled, "total": total, "year": year},
        _("No hazard cases reported in %(year)s: full marks.") % {"year": year},
    )


def hazard_not_overdue(street, year, today):
    cases = _year_cases(street, year)
    total = cases.count()
    late = cases.filter(
        Exists(HazardEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.OVERDUE))
    ).count()
    return _simple(
        total - late,
        total,
        _("%(late)s of %(total)s hazard cases reported in %(year)s went overdue at some step; %(n)s did not.")
        % {"late": late, "total": total, "year": year, "n": total - late},
        _("No hazard cases reported in %(year)s: full marks.") % {"year": year},
    )


def _on_time(rows, year, today, done_field):
    """(on time, counted) over rows due in the year: those due by now, or already done."""
    cutoff = as_of(year, today)
    due = rows.filter(due_on__year=year).filter(Q(due_on__lte=cutoff) | Q(**{f"{done_field}__isnull": False}))
    counted = due.count()
    on_time = due.filter(**{f"{done_field}__isnull": False, f"{done_field}__lte": F("due_on")}).count()
    return on_time, counted


def _tasks_result(tasks, year, today):
    on_time, counted = _on_time(tasks.exclude(status=TaskStatus.CANCELLED), year, today, "completed_on")
    return _simple(
        on_time,
        counted,
        _("%(n)s of %(total)s key tasks due by %(date)s were done on time.")
        % {"n": on_time, "total": counted, "date": as_of(year, today)},
        _("No key tasks due yet in %(year)s: full marks.") % {"year": year},
    )


def _duties_result(duties, year, today):
    on_time, counted = _on_time(duties, year, today, "done_on")
    return _simple(
        on_time,
        counted,
        _("%(n)s of %(total)s recurring duties due by %(date)s were done on time.")
        % {"n": on_time, "total": counted, "date": as_of(year, today)},
        _("No recurring duties due yet in %(year)s: full marks.") % {"year": year},
    )


def street_tasks(street, year, today):
    from firegrid.tasks.models import KeyTask

    return _tasks_result(KeyTask.objects.filter(region__path__startswith=street.path), year, today)


def street_duties(street, year, today):
    from firegrid.tasks.models import Duty

    return _duties_result(Duty.objects.filter(region__path__startswith=street.path), year, today)


def org_compliance(street, year, today):
    from firegrid.org.compliance import MIN_OFFICERS, MIN_QUALIFIED, street_compliance

    report = street_compliance(street, on=as_of(year, today))
    checks = [
        (_("Fire safety committee"), Decimal(int(report.has_committee))),
        (
            _("Work station with at least %(n)s dedicated officers (%(have)s)")
            % {"n": MIN_OFFICERS, "have": report.station_officers},
            Decimal(int(report.has_station and report.station_officers >= MIN_OFFICERS)),
        ),
        (_("Full-time or volunteer fire team"), Decimal(int(report.has_team))),
        (
            _("At least %(n)s qualified enforcement staff (%(have)s)")
            % {"n": MIN_QUALIFIED, "have": report.qualified_staff},
            Decimal(int(report.qualified_staff >= MIN_QUALIFIED)),
        ),
        (
            _("Communities with a staffed fire work group: %(n)s of %(total)s")
            % {"n": report.communities_with_group, "total": report.communities},
            _ratio(report.communities_with_group, report.communities),
        ),
        (
            _("Compounds and villager groups with a fire manager: %(n)s of %(total)s")
            % {"n": report.areas_with_manager, "total": report.areas},
            _ratio(report.areas_with_manager, report.areas),
        ),
    ]
    ratio = sum(value for _label, value in checks) / len(checks)
    explanation = _("The mean of %(n)s organisation checks (each 0 to 1) is %(pct)s%%.") % {
        "n": len(checks),
        "pct": _pct(ratio),
    }
    return None, None, ratio, explanation, [(label, f"{_pct(value)}%") for label, value in checks]


STREET_FUNCTIONS = {
    "inspection_coverage": inspection_coverage,
    "hazard_closure": hazard_closure,
    "hazard_not_overdue": hazard_not_overdue,
    "tasks_on_time": street_tasks,
    "duties_on_time": street_duties,
    "org_compliance": org_compliance,
}


def unit_tasks(unit, year, today):
    from firegrid.tasks.models import KeyTask

    return _tasks_result(KeyTask.objects.of_unit(unit), year, today)


def unit_duties(unit, year, today):
    from firegrid.tasks.models import Duty

    return _duties_result(Duty.objects.filter(unit=unit), year, today)


UNIT_FUNCTIONS = {"tasks_on_time": unit_tasks, "duties_on_time": unit_duties}


def _card(scheme, kind, target, year, functions, today):
    doc = scheme.document
    items, total = [], Decimal(0)
    for item in doc[kind]:
        weight = Decimal(str(item["weight"]))
        earned, counted, ratio, explanation, details = functions[item["metric"]](target, year, today)
        points = _q2(weight * ratio)
        total += points
        items.append(
            ItemScore(
                code=item["code"],
                metric=item["metric"],
                title=text(item["title"]),
                source=item.get("source", ""),
                weight=weight,
                earned=earned,
                counted=counted,
                ratio=ratio,
                points=points,
                explanation=explanation
                + " "
                + _("%(points)s of %(weight)s points.") % {"points": _fmt(points), "weight": _fmt(weight)},
                details=details,
            )
        )
    return ScoreCard(
        kind=kind,
        code=getattr(target, "code", "") or str(target.pk),
        name=target.name,
        year=year,
        version=scheme.version,
        items=items,
        total=_q2(total),
        maximum=Decimal(str(doc["total"])),
        pk=target.pk,
    )


def street_card(scheme, street, year, today=None):
    return _card(scheme, "street", street, year, STREET_FUNCTIONS, today or timezone.localdate())


def unit_card(scheme, unit, year, today=None):
    return _card(scheme, "unit", unit, year, UNIT_FUNCTIONS, today or timezone.localdate())


SCORE_VIEWERS = frozenset({Role.DISTRICT_ADMIN, Role.DETACHMENT_OFFICER, Role.STREET_OFFICER})


def visible_streets(user):
    """Streets whose score the user may see: the district's roles all, a street officer their own."""
    scope = user_scope(user)
    if scope.user_id is None:
        return Region.objects.none()
    streets = Region.objects.filter(level=RegionLevel.STREET).order_by("path")
    if scope.superuser or scope.roles & DISTRICT_WIDE:
        return streets
    q = Q(pk__in=[])
    for grant in scope.grants:
        if grant.role == Role.STREET_OFFICER and grant.region_path:
            q |= Q(path__startswith=grant.region_path)
    return streets.filter(q)


def visible_units(user, year):
    """Units with tasks or duties in the year whose score the user may see (their OrgUnit scope)."""
    from firegrid.tasks.models import Duty, KeyTask

    with_work = Q(pk__in=KeyTask.units.through.objects.filter(keytask__year=year).values("orgunit_id")) | Q(
        pk__in=Duty.objects.filter(year=year).values("unit_id")
    )
    units = OrgUnit.objects.restrict(user).filter(kind__in=SCORED_UNIT_KINDS).filter(with_work)
    scope = user_scope(user)
    if not scope.superuser and not scope.roles & (SCORE_VIEWERS | {Role.DEPT_STAFF, Role.POLICE_OFFICER}):
        return units.none()
    if not scope.superuser and not scope.roles & SCORE_VIEWERS:
        # department and police staff see their own unit's score only
        own = {g.unit_id for g in scope.grants if g.unit_id}
        units = units.filter(pk__in=own)
    return units.select_related("region").order_by("region__path", "kind", "name")


def cards_for(user, year, scheme, today=None):
    streets = [street_card(scheme, s, year, today) for s in visible_streets(user)]
    units = [unit_card(scheme, u, year, today) for u in visible_units(user, year)]
    return streets, units
