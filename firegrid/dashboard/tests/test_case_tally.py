"""hazards.tally: the case counts the transitions keep give the command view the same figures as
counting the cases, and a rebuild gives the same table.

A seeded random walk over the `world` fixture's places reports cases and moves them along every
transition there is (confirm, a major confirmation that goes to the street, reject, order, start,
rectified, re-inspection passed and failed, close, escalate, whistle to a department and its check-in,
district supervision, reopened by the reporter and reviewed either way, merge, the overdue sweep);
after it the hazard figures of every persona whose figures come from the tally equal the direct
count at several moments (now, within the hour a deadline falls in, days and a year later: overdue
cases by the tally's hours and by the current hour's direct count), and the tally equals its
rebuild — a transition that wrote a case without the tally would break both.
"""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from firegrid.dashboard import kpis
from firegrid.dashboard.scope import chosen_region, sees_every_case
from firegrid.hazards import actions, escalation, reporter_actions, reports, tally
from firegrid.hazards.actions import TransitionError
from firegrid.hazards.choices import OPEN_STATUSES, CaseStatus, Channel, EventKind, Source
from firegrid.hazards.models import (
    CaseTally,
    ClosedCaseTally,
    HazardCase,
    HazardCategory,
    HazardEvent,
    OpenCaseTally,
)
from firegrid.org.models import Region
from firegrid.org.testing import PERSONAS

DAY = datetime.timedelta(days=1)


def table():
    """The tally's rows that count something (a rebuild leaves out the zeros)."""
    main = {(r.region_id, r.month, r.state, r.public, r.closed_month): r.n for r in CaseTally.objects.all()}
    open_ = {(r.region_id, r.major, r.late_hour): r.n for r in OpenCaseTally.objects.all()}
    closed = {(r.region_id, r.month, r.took_days): r.n for r in ClosedCaseTally.objects.all()}
    return tuple({k: n for k, n in t.items() if n} for t in (main, open_, closed))


def rebuilt():
    tally.rebuild()
    return table()


def hazard_view(user, now, use_tally):
    """The hazard figures and the two hazard trends of the user's own region at `now`."""
    region, _homes = chosen_region(user)
    _labels, bounds = kpis.month_bounds(now)
    year = timezone.localdate(now).year
    figures, reported, closed = kpis._hazard_figures(user, region, year, now, bounds, use_tally=use_tally)
    if closed is None:  # from the cases the "closed" trend is counted by kpis.trends
        closed = kpis.trends(user, region, now)["hazards_closed"]
    return figures, reported, closed


def new_case(world, place, source=Source.PUBLIC):
    return reports.report(
        description="安全出口被杂物堵塞",
        category=HazardCategory.objects.get(code="evacuation"),
        place=place,
        source=source,
        channel=Channel.WEB,
    )


def take(world, case, name, rng):
    """One transition of `case` named `name`, by someone allowed to take it."""
    admin, officer = world.district_admin, world.street_officer
    case = HazardCase.objects.get(pk=case.pk)
    match name:
        case "confirm":
            actions.confirm(case, actor=admin)
        case "confirm_major":  # major hazards go to the street
            actions.confirm(case, actor=admin, severity="major")
        case "reject":
            actions.reject(case, actor=admin, reason="不是隐患")
        case "order":
            actions.order(case, actor=admin)
        case "start":
            actions.start(case, actor=admin)
        case "rectified":
            actions.rectified(case, actor=admin, note="已清理")
        case "pass":
            actions.reinspect(case, actor=admin, passed=True)
        case "fail":
            actions.reinspect(case, actor=admin, passed=False, note="仍有杂物")
        case "close":
            actions.close(case, actor=admin)
        case "escalate":
            escalation.escalate(case, actor=admin, reason="网格无法处理")
        case "whistle":
            escalation.whistle(case, actor=admin, department=world.department, reason="请教委处理")
        case "check_in":
            escalation.check_in(case, actor=world.dept_staff)
        case "supervise":
            escalation.supervise(
                case, actor=admin, reason="督办", due=timezone.now() + rng.randint(1, 40) * DAY
            )
        case "not_fixed":
            reporter_actions.not_fixed(case, note="没有整改")
        case "review_open":
            reporter_actions.review_reopened(case, actor=officer, still_hazard=True)
        case "review_close":
            reporter_actions.review_reopened(case, actor=officer, still_hazard=False, note="已整改")
        case "merge":
            into = HazardCase.objects.filter(status__in=OPEN_STATUSES).exclude(pk=case.pk).first()
            reporter_actions.merge(case, into=into, actor=admin)


STEPS = {  # forward steps weighted up, so that the walk reaches the end of the workflow and back
    CaseStatus.REPORTED: ["confirm"] * 4
    + ["confirm_major", "reject", "escalate", "whistle", "supervise", "merge"],
    CaseStatus.CONFIRMED: ["order"] * 5 + ["reject", "escalate", "whistle", "whistle", "supervise"],
    CaseStatus.ORDERED: ["start", "start", "rectified", "rectified", "whistle"],
    CaseStatus.RECTIFYING: ["rectified"],
    CaseStatus.RECTIFIED: ["pass", "fail"],
    CaseStatus.REINSPECTED: ["close"],
    CaseStatus.CLOSED: ["not_fixed"] + ["stay"] * 3,  # most closed cases stay closed
    CaseStatus.REJECTED: ["not_fixed"] + ["stay"] * 3,
    CaseStatus.REOPENED: ["review_open", "review_close"],
}


@pytest.fixture
def walked(world):
    """A seeded random history: cases reported in several months at places of both streets (the
    report times moved back with update() and the tally rebuilt once, as an import would), then 240
    transitions counted by the tally as they happen."""
    rng = random.Random(2026)
    places = [world.shop_a, world.mall_a, world.hotel_b, world.school_a, world.shop_s2]
    cases = []
    for i in range(16):
        place = places[i % len(places)]
        cases.append(new_case(world, place, rng.choice([Source.PUBLIC, Source.PATROL])))
    now = timezone.now()
    for case in cases[:13]:  # most reported in earlier months (closed after days), some last year
        HazardCase.objects.filter(pk=case.pk).update(created_at=now - rng.randint(2, 500) * DAY)
    tally.rebuild()
    taken = []
    for _ in range(240):
        case = HazardCase.objects.get(pk=rng.choice(cases).pk)
        names = list(STEPS.get(case.status, []))
        if case.department_id and not case.checked_in_at:
            names += ["check_in"] * 3
        if rng.random() < 0.1:
            cases.append(new_case(world, rng.choice(places)))  # a report meanwhile
            continue
        name = rng.choice(names)
        if name == "stay":
            continue
        try:
            take(world, case, name, rng)
        except (TransitionError, ValidationError):
            continue  # not allowed from here (a whistle to a department of another sector …)
        taken.append(name)
    escalation.sweep_overdue(now=now + 30 * DAY)  # marks overdue cases (overdue_at only)
    return taken


def test_the_walk_took_every_kind_of_transition(world, walked):
    kinds = set(HazardEvent.objects.values_list("kind", flat=True))
    for kind in (
        EventKind.CONFIRMED,
        EventKind.REJECTED,
        EventKind.ORDERED,
        EventKind.STARTED,
        EventKind.RECTIFIED,
        EventKind.REINSPECTED_PASS,
        EventKind.REINSPECTED_FAIL,
        EventKind.CLOSED,
        EventKind.ESCALATED,
        EventKind.WHISTLE,
        EventKind.CHECKED_IN,
        EventKind.SUPERVISED,
        EventKind.NOT_FIXED,
        EventKind.REVIEWED,
        EventKind.MERGED_INTO,
        EventKind.OVERDUE,
    ):
        assert kind in kinds, kind
    assert HazardCase.objects.filter(severity="major").exists()
    assert HazardCase.objects.filter(status=CaseStatus.REOPENED).exists() or "review_open" in walked


def moments(now):
    """Now, around the first deadline still ahead (its hour: counted from the cases), days and a
    year later."""
    ahead = sorted(
        late
        for late in (
            tally.late_since(
                c.status, c.step_due, c.department_id, c.checked_in_at, c.checkin_due, c.supervision_due
            )
            for c in HazardCase.objects.all()
        )
        if late is not None and late > now
    )
    first = ahead[0]
    return [
        now,
        first - datetime.timedelta(seconds=1),
        first,
        first + datetime.timedelta(seconds=1),
        tally.hour_start(tally.hour_key(first)),
        now + 3 * DAY,
        now + 8 * DAY,
        now + 400 * DAY,
    ]


TALLIED = ["district_admin", "street_officer", "street2_officer"]


@pytest.mark.parametrize("username", TALLIED)
def test_after_the_walk_the_tally_gives_the_direct_figures(world, walked, username):
    user = getattr(world, username)
    region, _homes = chosen_region(user)
    assert kpis.counted_by_tally(user, region)
    now = timezone.now()
    overdue = set()
    for moment in moments(now):
        from_tally = hazard_view(user, moment, True)
        assert from_tally == hazard_view(user, moment, False), moment
        overdue.add(from_tally[0]["overdue"])
    assert len(overdue) >= 2  # the moments do move cases into "overdue"


def test_after_the_walk_the_tally_equals_its_rebuild(world, walked):
    kept = table()
    assert sum(kept[0].values()) == HazardCase.objects.count()
    assert sum(kept[1].values()) == HazardCase.objects.filter(status__in=OPEN_STATUSES).count()
    assert (
        sum(kept[2].values()) == HazardCase.objects.filter(status="closed", closed_at__isnull=False).count()
    )
    assert len({key[2] for key in kept[2]}) >= 3  # closed after several different numbers of days
    assert rebuilt() == kept


def test_the_whole_dashboard_is_the_same_from_the_tally(world, walked):
    """Every persona's whole dashboard (the tally's or not) equals the one counted from the cases."""
    now = timezone.now()
    for username in PERSONAS:
        if username == "nobody":
            continue
        user = getattr(world, username)
        region, _homes = chosen_region(user)
        data = kpis._dashboard(user, region, now=now)
        figures, reported, closed = hazard_view(user, now, False)
        assert data["hazards"] == figures, username
        assert (data["trends"]["hazards_reported"], data["trends"]["hazards_closed"]) == (reported, closed)


def test_a_write_that_bypasses_the_tally_is_caught(world):
    """What the walk's checks would see of a transition that forgot the tally: a case written without
    it differs from both the direct figures and the rebuild."""
    case = new_case(world, world.shop_a)
    kept = table()
    assert rebuilt() == kept
    HazardCase.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    now = timezone.now()
    assert hazard_view(world.district_admin, now, True) != hazard_view(world.district_admin, now, False)
    assert rebuilt() != kept


@pytest.fixture
def five_cases(world):
    """a: major (confirmed by the street), b: closed, c: rejected in the other street, d: called in to
    the education department, checked in and supervised, e: closed and reopened by the reporter."""
    a = new_case(world, world.shop_a)
    actions.confirm(a, actor=world.street_officer, severity="major")
    b = new_case(world, world.hotel_b, Source.PATROL)
    for step in ("confirm", "order", "start", "rectified", "pass", "close"):
        take(world, b, step, None)
    c = new_case(world, world.shop_s2)
    take(world, c, "reject", None)
    d = new_case(world, world.school_a)
    take(world, d, "confirm", None)
    escalation.whistle(d, actor=world.street_officer, department=world.department, reason="请教委处理")
    take(world, d, "check_in", None)
    escalation.supervise(d, actor=world.district_admin, reason="督办", due=timezone.now() + 2 * DAY)
    e = new_case(world, world.shop_a)
    for step in ("confirm", "order", "start", "rectified", "pass", "close", "not_fixed"):
        take(world, e, step, None)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_hand_checked_figures_and_the_streets_apart(world, five_cases):
    now = timezone.now()
    counted = (
        "open",
        "major_open",
        "overdue",
        "reported_this_year",
        "closed_this_year",
        "rejected_this_year",
    )
    counted += ("public_this_year", "closure_rate_pct")
    expected = {
        "district_admin": (3, 1, 0, 5, 1, 1, 4, 40.0),
        "street_officer": (3, 1, 0, 4, 1, 0, 3, 25.0),  # never the other street's rejected case
        "street2_officer": (0, 0, 0, 1, 0, 1, 1, 100.0),
    }
    for username, values in expected.items():
        user = getattr(world, username)
        figures, reported, closed = hazard_view(user, now, True)
        assert tuple(figures[k] for k in counted) == values, username
        assert (reported[-1], closed[-1]) == (values[3], values[4]), username
        assert (figures, reported, closed) == hazard_view(user, now, False), username
    # a year on, every open case is late (each has a step, check-in or supervision deadline)
    late = hazard_view(world.district_admin, now + 400 * DAY, True)[0]
    assert late["overdue"] == 3
    # supervision due in two days: d is late from then though its step (three days) is not, nor are
    # a's and e's steps (three days)
    d = HazardCase.objects.get(pk=five_cases["d"].pk)
    assert d.step_due > d.supervision_due
    for username in ("district_admin", "street_officer"):
        user = getattr(world, username)
        for moment, overdue in (
            (d.supervision_due, 0),
            (d.supervision_due + datetime.timedelta(minutes=1), 1),
        ):
            figures = hazard_view(user, moment, True)[0]
            assert figures["overdue"] == overdue, (username, moment)
            assert figures == hazard_view(user, moment, False)[0]


def test_who_is_counted_from_the_tally_sees_every_case_of_the_region(world, five_cases):
    """`sees_every_case` says yes only where restrict() holds the region's every case (the police see
    only the police station's places' cases; a grid worker holds no whole street)."""
    regions = list(Region.objects.all())
    for username in PERSONAS:
        user = getattr(world, username)
        for region in regions:
            inside = HazardCase.objects.filter(region__path__startswith=region.path)
            if sees_every_case(user, region):
                assert HazardCase.objects.restrict(user).filter(pk__in=inside).count() == inside.count()
    assert not sees_every_case(world.police_officer, world.district)
    assert not sees_every_case(world.grid_worker_a, world.street)
    assert not sees_every_case(world.street_officer, world.street2)
    assert sees_every_case(world.street_officer, world.street)
    assert not kpis.counted_by_tally(world.grid_worker_a, chosen_region(world.grid_worker_a)[0])
