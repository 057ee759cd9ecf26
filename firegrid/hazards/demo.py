"""Demo hazard cases for `seed_demo`: a few hundred cases walked through the real workflow, so the
demo shows every status, escalation path and a readable timeline."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from firegrid.core.roles import Role
from firegrid.hazards import actions, escalation, reports, tally
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.org.models import OrgUnit, RoleAssignment, User
from firegrid.places.models import Place

DESCRIPTIONS = {
    "evacuation": ["安全出口被货物堵塞", "疏散通道堆放杂物", "应急照明灯不亮", "安全出口上锁"],
    "fire_lane": ["消防车通道被私家车占用", "消防车通道设置地桩"],
    "e_bike": ["楼道内停放电动自行车充电", "一楼门厅飞线充电"],
    "fire_facilities": ["灭火器过期", "室内消火栓无水", "喷淋系统阀门关闭"],
    "electrical": ["私拉乱接电线", "插线板串接使用"],
    "open_flame": ["后厨违规储存液化气罐", "仓库内吸烟"],
    "living_in_workplace": ["门市阁楼住人", "生产车间内设置员工宿舍"],
    "public_water": ["市政消火栓被圈占", "消火栓漏水"],
}
# how far along the loop a case got: (weight, number of steps after the report)
PROGRESS = [(5, 0), (8, 1), (8, 2), (6, 3), (6, 4), (5, 5), (55, 6), (7, -1)]
STEPS = ["confirm", "order", "start", "rectified", "reinspect", "close"]


def _handler_for(case, personas):
    grid_worker = personas.get("grid_worker_a")
    if (
        grid_worker
        and case.severity == "general"
        and case.level == "grid"
        and actions.acting_roles(case, grid_worker)
    ):
        return grid_worker
    street = personas.get("street_officer")
    if street and actions.acting_roles(case, street):
        return street
    return personas["district_admin"]


def _walk(case, steps, personas, rng):
    actor = _handler_for(case, personas)
    if steps < 0:
        actions.reject(case, actor=actor, reason="现场核实不是火灾隐患")
        return
    for step in STEPS[:steps]:
        if step == "confirm":
            major = rng.random() < 0.08
            if major and actor.username == "grid_worker_a":  # the grid hands it up rather than judge it
                escalation.escalate(case, actor=actor, reason="疑似重大火灾隐患，报街道")
                case.refresh_from_db()
                actor = _handler_for(case, personas)
            actions.confirm(case, actor=actor, severity="major" if major else None)
            case.refresh_from_db()
            actor = _handler_for(case, personas)
        elif step == "order":
            actions.order(case, actor=actor)
        elif step == "start":
            actions.start(case, actor=actor, note="单位已安排整改")
        elif step == "rectified":
            actions.rectified(case, actor=actor, note="已按要求整改完毕")
        elif step == "reinspect":
            actions.reinspect(case, actor=actor, passed=True, note="复查合格")
        elif step == "close":
            actions.close(case, actor=actor)


@transaction.atomic
def seed_cases(count=300, seed=2026):
    """Create `count` demo cases unless there are cases already; returns a summary line."""
    if HazardCase.objects.exists():
        return f"Hazard cases: {HazardCase.objects.count()} already there: skipping."
    rng = random.Random(seed)
    personas = {
        u.username: u
        for u in User.objects.filter(
            username__in=["district_admin", "street_officer", "grid_worker_a", "dept_staff"]
        )
    }
    if "district_admin" not in personas:
        return "Hazard cases: no district_admin persona: skipping."
    categories = {c.code: c for c in HazardCategory.objects.filter(code__in=DESCRIPTIONS)}
    grid_a = RoleAssignment.objects.filter(user__username="grid_worker_a", role=Role.GRID_WORKER).first()
    local = list(Place.objects.filter(region=grid_a.region)[:40]) if grid_a else []
    elsewhere = list(Place.objects.order_by("?")[: count * 2])
    department = OrgUnit.objects.filter(role_assignments__user__username="dept_staff").first()
    weights, progress = zip(*PROGRESS, strict=True)
    made = 0
    for i in range(count):
        place = rng.choice(local) if local and i % 3 == 0 else rng.choice(elsewhere)
        code = rng.choice(list(categories))
        public = rng.random() < 0.4
        case = reports.report(
            description=rng.choice(DESCRIPTIONS[code]),
            category=categories[code],
            place=place,
            source=Source.PUBLIC if public else Source.PATROL,
            channel=rng.choice([Channel.WEB, Channel.HOTLINE_12345, Channel.HOTLINE_96119])
            if public
            else Channel.STAFF,
            actor=None if public else personas.get("grid_worker_a"),
            anonymous=public and rng.random() < 0.5,
            reporter_name="市民" if public else "",
            reporter_phone=f"139{rng.randrange(10**8):08d}" if public else "",
        )
        _walk(case, rng.choices(progress, weights)[0], personas, rng)
        made += 1
        age = datetime.timedelta(days=rng.randrange(1, 300))
        HazardCase.objects.filter(pk=case.pk).update(created_at=timezone.now() - age)
    # a few open cases whose step is already late, and one called in to the education department
    late = HazardCase.objects.open().order_by("id")[:12]
    HazardCase.objects.filter(pk__in=[c.pk for c in late]).update(
        step_due=timezone.now() - datetime.timedelta(days=2)
    )
    school_case = HazardCase.objects.open().filter(sector="education").first()
    street = personas.get("street_officer")
    if school_case and department and street and actions.acting_roles(school_case, street):
        escalation.whistle(
            school_case,
            actor=personas["street_officer"],
            department=department,
            reason="校园隐患请教委督促整改",
        )
    tally.rebuild()  # the report times and late steps above were written by update(), past the tally
    return f"Hazard cases: {made} created ({HazardCase.objects.open().count()} open)."
