"""Demo outreach for `seed_demo` (issue 10), written through the real actions: key-group training in
古南街道 (the demo grid workers pass and get certificates, so they may patrol), online learning
records, vulnerable households of grids A and B with consent, helpers, visits (one finding opens a
hazard case) and devices, volunteers with hours and a proposed best-volunteer selection, publicity
("五进", boards, loudspeakers, a theme park, an escape room) and survey answers. Idempotent: a
district that already has outreach data gets nothing added."""

import datetime
import random

from django.db import transaction

from firegrid.org.choices import RegionLevel
from firegrid.org.demo import SEED
from firegrid.org.demo.personas import PERSONA_STREET_CODE
from firegrid.org.models import Region, User
from firegrid.outreach import actions, survey
from firegrid.outreach.models import (
    Attendance,
    Household,
    LearningRecord,
    PublicityActivity,
    PublicitySite,
    SurveyResponse,
    TrainingSession,
    Volunteer,
    VolunteerActivity,
    VolunteerHours,
)

MARK = "【演示】"
INTO = {"community": "社区", "countryside": "农村", "school": "学校", "enterprise": "企业", "family": "家庭"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "德明", "国华", "玉珍", "建军", "小红", "志强", "淑芬", "长生", "家豪", "子涵"]


def _name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _user(username):
    return User.objects.filter(username=username).first()


@transaction.atomic
def seed_outreach(today=None):
    today = today or datetime.date.today()
    if TrainingSession.objects.filter(topic__startswith=MARK).exists():
        return "Outreach: demo data present, nothing added."
    street = Region.objects.filter(code=PERSONA_STREET_CODE).first()
    users = {
        u: _user(u)
        for u in (
            "detachment_officer",
            "street_officer",
            "grid_worker_a",
            "grid_worker_b",
            "community_member",
            "district_admin",
        )
    }
    if street is None or None in users.values():
        return "Outreach: demo personas missing, nothing added."
    rng = random.Random(SEED + 10)
    community = users["community_member"].role_assignments.get(role="community_member").region
    grid_a = users["grid_worker_a"].role_assignments.get(role="grid_worker").region
    grid_b = users["grid_worker_b"].role_assignments.get(role="grid_worker").region
    detachment = users["detachment_officer"]

    # training: the grid workers' course (they pass and are certified by the detachment) and key groups
    grid_course = TrainingSession.objects.create(
        topic=f"{MARK}网格员消防业务培训",
        audience="grid_worker",
        held_on=today - datetime.timedelta(days=60),
        hours=8,
        trainer="綦江区消防救援支队 防火监督科",
        organiser="綦江区消防救援支队",
        region=street,
        location="古南街道消防工作站",
    )
    for key in ("grid_worker_a", "grid_worker_b"):
        attendance = Attendance.objects.create(
            session=grid_course,
            user=users[key],
            name=users[key].full_name,
            group="grid_worker",
            result="passed",
            score=rng.randint(80, 98),
        )
        actions.issue_certificate(attendance, actor=detachment, issued_on=grid_course.held_on)
    Attendance.objects.create(
        session=grid_course, name=_name(rng), group="grid_worker", result="failed", score=52
    )
    sessions = 1
    for audience, topic in (
        ("rental_landlord", "群租房消防安全管理"),
        ("property_staff", "物业小区消防设施维护"),
        ("crowded_place_manager", "人员密集场所消防安全管理"),
        ("committee_member", "村（居）委消防工作职责"),
        ("street_cadre", "街镇干部消防安全责任"),
    ):
        session = TrainingSession.objects.create(
            topic=f"{MARK}{topic}",
            audience=audience,
            held_on=today - datetime.timedelta(days=rng.randint(10, 200)),
            trainer="古南街道消防工作站",
            organiser="古南街道办事处",
            region=street,
        )
        sessions += 1
        for _i in range(rng.randint(4, 9)):
            result = rng.choice(["passed", "passed", "passed", "attended", "absent"])
            attendance = Attendance.objects.create(
                session=session,
                name=_name(rng),
                group=audience,
                result=result,
                organisation=rng.choice(["桥河小区", "九龙商场", "滨河苑", "石佛村"]),
            )
            if result == "passed":
                actions.issue_certificate(
                    attendance, actor=users["street_officer"], issued_on=session.held_on
                )
    for i in range(12):
        LearningRecord.objects.create(
            platform="全民消防学习云平台",
            external_id=f"DEMO-{i:04d}",
            name=_name(rng),
            group=rng.choice(["grid_worker", "rental_landlord", "property_staff", "committee_member"]),
            region=community,
            course=rng.choice(["家庭消防安全常识", "电动自行车火灾防范", "初起火灾扑救"]),
            hours=rng.choice([1, 2, 3]),
            completed_on=today - datetime.timedelta(days=rng.randint(1, 150)),
            score=rng.randint(60, 100),
        )

    # vulnerable households of grids A and B, visited by their helpers
    households = []
    for i in range(8):
        grid, helper = (grid_a, users["grid_worker_a"]) if i % 2 == 0 else (grid_b, users["grid_worker_b"])
        child = i % 4 == 3
        name = _name(rng)
        household = Household(
            grid=grid,
            name=name,
            address=f"桥河路{10 + i}号{rng.randint(1, 6)}-{rng.randint(1, 4)}",
            phone=f"1390827{rng.randint(1000, 9999)}",
            elderly_alone=not child,
            left_behind_child=child,
            disability=i % 3 == 1,
            residents=1 if not child else 2,
            guardian_name=_name(rng) if child else "",
            helper=helper,
            consent_by=_name(rng) if child else name,
            consent_relation="guardian" if child else "self",
            consent_on=today - datetime.timedelta(days=90),
            consent_record=f"同意书 第{i + 1}号",
            consent_scope=["register", "visits", "devices"] + (["monitoring"] if i % 2 == 0 else []),
        )
        household.full_clean()
        household.save()
        households.append(household)
    for i, household in enumerate(households):
        helper = household.helper
        actions.record_visit(
            household,
            actor=helper,
            visited_on=today - datetime.timedelta(days=45 + i),
            outcome="completed",
            alarms_present="no",
            alarms_installed=1,
            advice_given=True,
        )
        actions.install_device(
            household,
            actor=helper,
            kind="smoke_alarm",
            installed_on=today - datetime.timedelta(days=45 + i),
            installed_by="古南街道",
            funded_by="区财政 特殊群体技防项目",
        )
    actions.record_visit(
        households[0],
        actor=households[0].helper,
        visited_on=today - datetime.timedelta(days=3),
        outcome="completed",
        alarms_present="yes",
        alarms_working="all",
        hazards=["wiring"],
        referrals=["electrical_repair"],
        follow_up_needed=True,
        follow_up_by=today + datetime.timedelta(days=10),
        notes="插线板老化、串接使用",
    )
    actions.record_visit(
        households[1],
        actor=households[1].helper,
        visited_on=today - datetime.timedelta(days=2),
        outcome="not_home",
        follow_up_needed=True,
    )

    # volunteers, activities and hours; the street's selection proposed (not yet confirmed)
    volunteers = [
        Volunteer.objects.create(
            name=_name(rng),
            phone=f"1370827{rng.randint(1000, 9999)}",
            region=rng.choice([community, grid_a, grid_b]),
            joined_on=today - datetime.timedelta(days=rng.randint(100, 900)),
            skills=rng.choice(["宣传讲解", "初起火灾扑救", "急救", ""]),
        )
        for _i in range(10)
    ]
    for i in range(8):
        activity = VolunteerActivity.objects.create(
            title=rng.choice(["敲门行动入户宣传", "小区消防演练", "防火巡查", "五进宣传活动"]),
            kind=rng.choice(["door_knocking", "drill", "patrol", "publicity"]),
            held_on=today.replace(month=1, day=1)
            + datetime.timedelta(days=min(i * 20, (today - today.replace(month=1, day=1)).days)),
            region=community,
        )
        for volunteer in rng.sample(volunteers, rng.randint(3, 7)):
            VolunteerHours.objects.create(
                activity=activity, volunteer=volunteer, hours=rng.choice([2, 3, 4, 6])
            )
    actions.compute_selection(street, today.year, actor=users["street_officer"], places=3, min_hours=6)

    # publicity in every street; survey answers across the district
    streets = list(Region.objects.filter(level=RegionLevel.STREET).order_by("code")[:8])
    for s in streets:
        board = PublicitySite.objects.create(name=f"{s.name}消防宣传专栏", kind="bulletin_board", region=s)
        speaker = PublicitySite.objects.create(name=f"{s.name}“大喇叭”", kind="broadcast", region=s)
        for target in ("community", "countryside", "school", "enterprise", "family"):
            PublicityActivity.objects.create(
                title=f"消防宣传进{INTO[target]}",
                kind="five_into",
                target=target,
                region=s,
                reach=rng.randint(40, 600),
                held_on=today - datetime.timedelta(days=rng.randint(1, 300)),
            )
        PublicityActivity.objects.create(
            title="冬春火灾防控专栏更新",
            kind="bulletin_board",
            site=board,
            region=s,
            reach=rng.randint(100, 900),
            held_on=today - datetime.timedelta(days=rng.randint(1, 60)),
        )
        PublicityActivity.objects.create(
            title="每日防火提示广播",
            kind="broadcast",
            site=speaker,
            region=s,
            reach=rng.randint(300, 3000),
            held_on=today - datetime.timedelta(days=rng.randint(1, 30)),
        )
    park = PublicitySite.objects.create(name="古南消防主题公园", kind="theme_park", region=street)
    room = PublicitySite.objects.create(name="桥河社区消防逃生体验室", kind="escape_room", region=community)
    PublicityActivity.objects.create(
        title="主题公园开放日",
        kind="theme_park",
        site=park,
        region=street,
        reach=820,
        held_on=today - datetime.timedelta(days=20),
    )
    PublicityActivity.objects.create(
        title="逃生体验：小学生专场",
        kind="escape_room",
        site=room,
        region=community,
        reach=160,
        held_on=today - datetime.timedelta(days=12),
    )
    areas = list(Region.objects.filter(level=RegionLevel.COMMUNITY, parent__in=streets))
    responses = []
    for _i in range(min(200, 10 * len(areas))):
        answers = {
            q.code: (q.answer if rng.random() < 0.7 else rng.choice([k for k, _l in q.options]))
            for q in survey.QUESTIONS
        }
        score = sum(answers[q.code] == q.answer for q in survey.QUESTIONS)
        responses.append(
            SurveyResponse(
                region=rng.choice(areas),
                version=survey.VERSION,
                answers=answers,
                score=score,
                max_score=len(survey.QUESTIONS),
                age_band=rng.choice(["", "18_39", "40_59", "60_plus"]),
            )
        )
    SurveyResponse.objects.bulk_create(responses)
    return (
        f"Outreach: {sessions} training sessions, {len(households)} households with visits and devices, "
        f"{len(volunteers)} volunteers, publicity in {len(streets)} streets, {len(responses)} survey answers."
    )
