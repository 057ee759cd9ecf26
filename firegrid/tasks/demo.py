"""Demo data for `seed_demo` (issue 9): this year's key tasks from seed 002's breakdown for the demo
district with each street's share, milestones and progress reports, the recurring duties (some done),
responsibility lists, a supervision and a warning interview, fires of last year and this year (a
high-rise one among them) and the "high-rise fires and deaths down 5%" targets. Idempotent: a district
that already has fires recorded gets nothing added but the missing tasks and duties."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from firegrid.org.choices import RegionLevel, UnitKind
from firegrid.org.demo import DISTRICT_CODE, SEED
from firegrid.org.models import OrgUnit, Region, User
from firegrid.places.models import Place
from firegrid.tasks import catalogue
from firegrid.tasks.choices import FireCause, SupervisionKind, SupervisionStatus, TargetMetric, TaskStatus
from firegrid.tasks.models import (
    Duty,
    FireIncident,
    IncidentTarget,
    KeyTask,
    Milestone,
    ProgressReport,
    Supervision,
)

HIGH_RISE_SOURCE = "菜园坝街道2023年消防工作要点 二(三)9：实现全年高层建筑火灾起数、死亡人数下降5%工作目标"


TARGET_TITLES = {
    TargetMetric.HIGH_RISE_FIRES: "高层建筑火灾起数同比下降5%",
    TargetMetric.HIGH_RISE_DEATHS: "高层建筑火灾死亡人数同比下降5%",
}


def _aware(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))


@transaction.atomic
def seed_tasks(today=None):
    """Create the demo tasks, duties, supervision, fires and targets once; returns a summary line."""
    today = today or timezone.localdate()
    district = Region.objects.filter(code=DISTRICT_CODE, level=RegionLevel.DISTRICT).first()
    if district is None:
        return "Tasks: no demo district."
    catalogue.ensure_reference_data()
    tasks = catalogue.load_key_tasks(today.year, district)
    duties = catalogue.schedule_duties(today.year)
    lines = catalogue.ensure_responsibilities()
    if FireIncident.objects.filter(region__path__startswith=district.path).exists():
        return f"Tasks: {tasks} task(s), {duties} duty occurrence(s) added; demo fires already there."
    rng = random.Random(SEED + 9)
    admin = User.objects.filter(username="district_admin").first()
    street_tasks = list(
        KeyTask.objects.filter(region__parent=district, year=today.year)
        .select_related("lead_unit")
        .order_by("id")
    )
    reports = 0
    for task in rng.sample(street_tasks, min(len(street_tasks), 40)):
        if task.lead_unit is None:
            continue
        mid = min(task.due_on, task.starts_on + datetime.timedelta(days=180))
        Milestone.objects.get_or_create(task=task, title="完成阶段性工作并报送进展", defaults={"due_on": mid})
        percent = rng.choice([20, 40, 60, 80, 100])
        on = min(today, task.starts_on + datetime.timedelta(days=rng.randint(10, 200)))
        ProgressReport.objects.create(
            task=task,
            unit=task.lead_unit,
            reported_on=on,
            percent=percent,
            completes=percent == 100,
            note="按照任务分解要求推进，已召开专题会议部署，形成工作台账。",
            reported_by=admin,
        )
        task.progress_pct = percent
        if percent == 100:
            task.status, task.completed_on = TaskStatus.DONE, on
        task.save()
        reports += 1
    for duty in Duty.objects.filter(
        year=today.year, due_on__lt=today, region__path__startswith=district.path
    ):
        if rng.random() < 0.7:
            duty.done_on = duty.due_on - datetime.timedelta(days=rng.randint(0, 20))
            duty.record = "已按期召开会议并形成纪要。"
            duty.save()
    streets = list(Region.objects.filter(parent=district, level=RegionLevel.STREET).order_by("code"))
    stations = list(
        OrgUnit.objects.filter(kind=UnitKind.WORK_STATION, region__in=streets).order_by("region__code")
    )
    if stations:
        Supervision.objects.create(
            kind=SupervisionKind.SUPERVISION,
            unit=stations[0],
            region=stations[0].region,
            held_by=admin,
            held_on=today - datetime.timedelta(days=20),
            reason="重点任务推进缓慢，老旧小区隐患整改逾期。",
            requirements="十五日内完成整改并书面报告。",
            respond_by=today - datetime.timedelta(days=5),
            response="已完成整改并报送书面报告。",
            responded_on=today - datetime.timedelta(days=8),
            status=SupervisionStatus.RESPONDED,
        )
    if len(stations) > 1:
        Supervision.objects.create(
            kind=SupervisionKind.WARNING_INTERVIEW,
            unit=stations[1],
            region=stations[1].region,
            held_by=admin,
            held_on=today - datetime.timedelta(days=3),
            attendees="街道分管负责人、消防工作站站长",
            reason="辖区连续发生两起电动自行车火灾。",
            requirements="开展电动自行车专项整治，十日内报告。",
            respond_by=today + datetime.timedelta(days=10),
        )
    places = list(Place.objects.filter(region__path__startswith=district.path).order_by("id")[:400])
    high_rise = [p for p in places if "high_rise" in p.flag_list] or places[:3]
    fires = 0
    for year, count, deaths in ((today.year - 1, 6, 1), (today.year, 3, 0)):
        for n in range(count):
            place = rng.choice(high_rise if n < 2 else places) if places else None
            day = datetime.date(
                year, rng.randint(1, 12 if year < today.year else today.month), rng.randint(1, 28)
            )
            if day > today:
                day = today - datetime.timedelta(days=1)
            incident = FireIncident(
                occurred_at=_aware(day, rng.randint(0, 22)),
                place=place,
                region=place.region if place else streets[0],
                sector=place.sector if place else "",
                address=place.address if place else "",
                lat=place.lat if place else None,
                lng=place.lng if place else None,
                cause=rng.choice(
                    [FireCause.ELECTRICAL, FireCause.E_BIKE, FireCause.COOKING, FireCause.SMOKING]
                ),
                deaths=deaths if n == 0 else 0,
                injuries=rng.randint(0, 2),
                loss_yuan=Decimal(rng.randint(2, 300) * 1000),
                high_rise=n < 2,
                description="演示数据：火灾起因经调查认定。",
                recorded_by=admin,
            )
            incident.save()
            fires += 1
    for metric in (TargetMetric.HIGH_RISE_FIRES, TargetMetric.HIGH_RISE_DEATHS):
        IncidentTarget.objects.get_or_create(
            region=district,
            year=today.year,
            metric=metric,
            defaults={
                "change_pct": Decimal("-5"),
                "title": TARGET_TITLES[metric],
                "source": HIGH_RISE_SOURCE,
            },
        )
    return (
        f"Tasks: {tasks} task(s), {duties} duty occurrence(s), {lines} responsibility line(s), "
        f"{reports} progress report(s), {fires} fire(s) and 2 targets added."
    )
