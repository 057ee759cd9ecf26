"""Demo facilities for `seed_demo` (issue 8): a few hundred over the demo district: hydrants, pools,
tanks and pipes in every street, intake points, docks, stations and forest infrastructure in the
towns, ancient-town pools and pipes of which some fall short of the seed's thresholds, annual
construction plans with evaluations, "一镇一策" plans, and survey records (a few faults walked
through the real survey, so they open hazard cases). Idempotent: a district that already has
facilities gets none added."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from firegrid.facilities import actions, rules
from firegrid.facilities.choices import (
    Access,
    CheckKind,
    FacilityKind,
    FacilityStatus,
    PlanStatus,
    PolicyStatus,
)
from firegrid.facilities.models import (
    AncientTownPolicy,
    ConstructionPlan,
    Facility,
    FacilityCheck,
    new_facility_code,
)
from firegrid.org.choices import RegionKind, RegionLevel
from firegrid.org.demo import DISTRICT_CODE, SEED
from firegrid.org.demo import names as N
from firegrid.org.demo.geometry import point_in
from firegrid.org.models import Region, User

K = FacilityKind
OWNERS = ["区自来水公司", "镇人民政府", "村民委员会", "区林业局", "区水利局", "街道办事处"]
ROADS = ["桥河路", "九龙大道", "沿河路", "文化街", "老街", "新街", "北渡路", "南门路"]


def _status(rng, damaged=0.08, missing=0.02):
    x = rng.random()
    if x < missing:
        return FacilityStatus.MISSING
    if x < missing + damaged:
        return FacilityStatus.DAMAGED
    return FacilityStatus.WORKING


def _facility(rng, grid, kind, name, owner, today, **attrs):
    lat, lng = point_in((grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat), rng)
    installed = today - datetime.timedelta(days=rng.randint(200, 15 * 365))
    attrs.setdefault("status", _status(rng))
    return Facility(
        code=new_facility_code(),
        name=name,
        kind=kind,
        region=grid,
        lat=lat,
        lng=lng,
        address=f"{grid.name}{rng.choice(ROADS)}{rng.randint(1, 300)}号附近",
        owner=owner,
        maintainer=owner,
        installed_on=None if attrs.get("status") == FacilityStatus.PLANNED else installed,
        **attrs,
    )


def _street_facilities(rng, street, grids, today):
    town = street.kind == RegionKind.TOWN
    ancient = street.name in N.ANCIENT_TOWNS or street.is_ancient_town
    out = []
    hydrants = 6 if town else 12
    for i in range(hydrants):
        grid = grids[i % len(grids)] if i < len(grids) else rng.choice(grids)
        out.append(
            _facility(
                rng,
                grid,
                K.HYDRANT,
                f"{street.name}{i + 1}号市政消火栓",
                "区自来水公司",
                today,
                pipe_diameter_mm=rng.choice(
                    [80, 100, 100, 150, 150, 200] if ancient else [100, 150, 150, 200]
                ),
            )
        )
    pools = 3 if ancient else 1
    for i in range(pools):
        # ancient-town pools straddle the 500 m³ line so the compliance view has both kinds
        volume = rng.choice([300, 450, 500, 600, 800]) if ancient else rng.choice([100, 200, 300, 500])
        out.append(
            _facility(
                rng,
                rng.choice(grids),
                K.POOL,
                f"{street.name}消防水池{i + 1}",
                "镇人民政府",
                today,
                volume_m3=volume,
            )
        )
    out.append(
        _facility(
            rng,
            rng.choice(grids),
            K.TANK,
            f"{street.name}高位消防水箱",
            "街道办事处",
            today,
            volume_m3=rng.choice([18, 36, 50]),
        )
    )
    for i in range(2 if ancient else 1):
        out.append(
            _facility(
                rng,
                rng.choice(grids),
                K.PIPE_NETWORK,
                f"{street.name}消防给水管网{i + 1}段",
                "区自来水公司",
                today,
                pipe_diameter_mm=rng.choice([80, 100, 150] if ancient else [100, 150, 200]),
                length_m=rng.randint(300, 3000),
            )
        )
    team = K.STATION_FULL_TIME if street.name in N.FULL_TIME_TEAMS else K.STATION_VOLUNTEER
    label = "政府专职消防队" if team == K.STATION_FULL_TIME else "志愿消防队"
    out.append(
        _facility(
            rng, grids[0], team, f"{street.name}{label}", street.name, today, status=FacilityStatus.WORKING
        )
    )
    out.append(
        _facility(
            rng,
            rng.choice(grids),
            K.FIRE_LANE,
            f"{street.name}消防车通道",
            street.name,
            today,
            length_m=rng.randint(200, 1500),
        )
    )
    if town:
        out.append(
            _facility(
                rng,
                rng.choice(grids),
                K.SMALL_ENGINE_ROAD,
                f"{street.name}消防摩托车通道",
                "村民委员会",
                today,
                length_m=rng.randint(300, 2000),
            )
        )
        out.append(
            _facility(rng, rng.choice(grids), K.INTAKE_POINT, f"{street.name}綦河取水点", "区水利局", today)
        )
        out.append(
            _facility(
                rng,
                rng.choice(grids),
                K.PUMP_ROOM,
                f"{street.name}取水泵房",
                "区水利局",
                today,
                pipe_diameter_mm=150,
            )
        )
        if ancient or rng.random() < 0.3:
            out.append(
                _facility(
                    rng, rng.choice(grids), K.WATER_DOCK, f"{street.name}消防车取水码头", "区水利局", today
                )
            )
        out.append(
            _facility(
                rng,
                rng.choice(grids),
                K.FIREBREAK,
                f"{street.name}林火阻隔带",
                "区林业局",
                today,
                length_m=rng.randint(1000, 8000),
            )
        )
        out.append(
            _facility(rng, rng.choice(grids), K.LOOKOUT_TOWER, f"{street.name}火情瞭望塔", "区林业局", today)
        )
        out.append(
            _facility(
                rng, rng.choice(grids), K.MONITORING_POST, f"{street.name}森林防火监测哨", "区林业局", today
            )
        )
        out.append(
            _facility(rng, rng.choice(grids), K.CHECKPOINT, f"{street.name}进山检查站", "区林业局", today)
        )
    return out


@transaction.atomic
def seed_facilities(today=None):
    """Create the demo facilities, plans and checks once; returns a summary line."""
    today = today or timezone.localdate()
    district = Region.objects.filter(code=DISTRICT_CODE, level=RegionLevel.DISTRICT).first()
    if district is None:
        return "Facilities: no demo district."
    existing = Facility.objects.filter(region__path__startswith=district.path).count()
    if existing:
        return f"Facilities: {existing} already there, none added."
    rng = random.Random(SEED + 8)
    streets = list(Region.objects.filter(parent=district, level=RegionLevel.STREET).order_by("code"))
    grids_by_street = {}
    for grid in (
        Region.objects.grids().filter(path__startswith=district.path, min_lat__isnull=False).order_by("path")
    ):
        street_code = grid.path.strip("/").split("/")[1]
        grids_by_street.setdefault(street_code, []).append(grid)
    facilities = []
    for street in streets:
        grids = grids_by_street.get(street.code)
        if grids:
            facilities += _street_facilities(rng, street, grids, today)
    # helicopter water points and landing pads, one pair per mountain range
    for name in ("丁山", "古剑山", "老瀛山"):
        street = rng.choice([s for s in streets if s.kind == RegionKind.TOWN])
        grids = grids_by_street.get(street.code)
        if grids:
            facilities.append(
                _facility(
                    rng, rng.choice(grids), K.HELI_WATER_POINT, f"{name}直升机取水点", "区林业局", today
                )
            )
            facilities.append(
                _facility(rng, rng.choice(grids), K.HELIPAD, f"{name}直升机停机坪", "区林业局", today)
            )
    Facility.objects.bulk_create(facilities, batch_size=500)
    plans = _plans(rng, streets, grids_by_street, today)
    policies = _policies(today)
    checks, cases = _checks(rng, today)
    return (
        f"Facilities: {len(facilities)} created, {plans} construction plans, {policies} one-town plans, "
        f"{checks} check records, {cases} survey faults opened hazard cases."
    )


def _plans(rng, streets, grids_by_street, today):
    admin = User.objects.filter(username="district_admin").first()
    count = 0
    for street in streets:
        if rng.random() > 0.6 and street.code != f"{DISTRICT_CODE}001":
            continue
        plan, created = ConstructionPlan.objects.get_or_create(
            region=street,
            year=today.year,
            title="公共消防设施年度建设计划",
            defaults={
                "status": PlanStatus.IN_PROGRESS,
                "budget_wan": rng.choice([50, 80, 120, 200]),
                "target_count": rng.randint(3, 8),
                "description": "新建市政消火栓、消防水池；增设消防车通道；古镇按“一镇一策”补齐短板。",
            },
        )
        if not created:
            continue
        grids = grids_by_street[street.code]
        planned = [
            _facility(
                rng,
                rng.choice(grids),
                kind,
                f"{street.name}规划{label}{i + 1}",
                street.name,
                today,
                status=FacilityStatus.PLANNED,
                plan=plan,
                **extra,
            )
            for i, (kind, label, extra) in enumerate(
                [(K.HYDRANT, "消火栓", {"pipe_diameter_mm": 150}), (K.POOL, "消防水池", {"volume_m3": 500})]
            )
        ]
        Facility.objects.bulk_create(planned)
        for months, pct in ((3, 20), (6, 45)):
            day = today - datetime.timedelta(days=30 * (6 - months) + 1)
            if day.year == today.year:
                actions.evaluate_plan(
                    plan,
                    actor=admin,
                    progress_pct=pct,
                    evaluated_on=day,
                    summary=f"第{months // 3}季度评估：按计划推进，完成{pct}%。",
                )
        count += 1
    return count


def _policies(today):
    count = 0
    for region in rules.ancient_regions():
        _policy, created = AncientTownPolicy.objects.get_or_create(
            region=region,
            year=today.year,
            title=f"{region.name}古镇消防安全“一镇一策”",
            defaults={
                "status": PolicyStatus.IN_FORCE,
                "text": "一、建设市政消火栓、消防水池（不小于500立方米）、"
                "消防给水管网（管径不小于100毫米）。\n"
                "二、增设或拓宽消防车通道，临河建设消防车取水码头。\n"
                "三、建筑连片密集区、城镇面山区域设置防火隔离带。\n"
                "四、推广简易喷淋、独立式感烟探测器、电气火灾监控。",
            },
        )
        count += created
    return count


def _checks(rng, today):
    """Working facilities get a past survey record; a few faults go through the real survey."""
    actor = (
        User.objects.filter(username="street_officer").first()
        or User.objects.filter(is_superuser=True).first()
    )
    now = timezone.now()
    records, touched = [], []
    sample = list(Facility.objects.exclude(status=FacilityStatus.PLANNED).order_by("id"))
    for facility in sample:
        if rng.random() > 0.5:
            continue
        at = now - datetime.timedelta(days=rng.randint(20, 300))
        records.append(
            FacilityCheck(
                facility=facility,
                kind=CheckKind.SURVEY,
                checked_at=at,
                actor=actor,
                actor_label=getattr(actor, "full_name", "") or str(actor or ""),
                status_before=FacilityStatus.WORKING,
                status_after=facility.status,
                pressure_mpa=round(rng.uniform(0.12, 0.35), 2) if facility.kind == K.HYDRANT else None,
                access=Access.CLEAR,
                faults=[],
            )
        )
        facility.last_checked_on = timezone.localtime(at).date()
        touched.append(facility)
    FacilityCheck.objects.bulk_create(records, batch_size=500)
    Facility.objects.bulk_update(touched, ["last_checked_on"], batch_size=500)
    cases = 0
    if actor is not None:
        persona_street = Region.objects.filter(code=f"{DISTRICT_CODE}001").first()
        hydrants = Facility.objects.filter(kind=K.HYDRANT, status=FacilityStatus.WORKING)
        if persona_street:
            hydrants = hydrants.filter(region__path__startswith=persona_street.path)
        for facility, kwargs in zip(
            hydrants.order_by("id")[:3],
            [
                {"status_after": FacilityStatus.DAMAGED, "damage": "栓口漏水，闷盖缺失"},
                {"status_after": FacilityStatus.WORKING, "access": Access.BLOCKED, "note": "被私家车圈占"},
                {"status_after": FacilityStatus.WORKING, "pressure_mpa": 0.06, "note": "出水压力不足"},
            ],
            strict=False,
        ):
            check = actions.record_check(facility, actor=actor, **kwargs)
            cases += bool(check.hazard_case_id)
    return len(records), cases
