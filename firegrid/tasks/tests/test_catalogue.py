"""The 20 tasks of seed 002 and the recurring duties, loaded from the shipped data."""

import datetime

from firegrid.tasks import catalogue
from firegrid.tasks.models import Duty, KeyTask, Responsibility, TaskCatalogue


def test_the_breakdown_ships_as_data_with_all_20_tasks(db):
    doc = catalogue.read(catalogue.KEY_TASKS_FILE)
    assert [t["number"] for t in doc["tasks"]] == list(range(1, 21))
    assert all(t["content"] and t["responsible"] and t["title"]["zh-hans"] for t in doc["tasks"])
    assert "綦江府办发〔2022〕71号" in doc["source"]
    # the migration stored both catalogues
    assert TaskCatalogue.objects.filter(code="qijiang-2022-71").exists()
    assert TaskCatalogue.objects.filter(code="duties").exists()


def test_loading_a_year_gives_the_district_and_each_street_its_tasks(world):
    year = datetime.date.today().year
    created = catalogue.load_key_tasks(year, world.district)
    district_tasks = KeyTask.objects.filter(region=world.district, year=year)
    assert district_tasks.count() == 20
    # tasks naming 各街道办事处/各镇人民政府 are shared by both streets, led by the street's committee
    share = KeyTask.objects.get(region=world.street, number=1, year=year)
    assert share.lead_unit == world.committee
    assert set(share.units.all()) == {world.committee, world.station}
    assert share.parent == district_tasks.get(number=1)
    assert not KeyTask.objects.filter(region=world.street, number=4).exists()  # the detachment's alone
    # task 17 names 区教委: the department leads the district task
    assert district_tasks.get(number=17).lead_unit == world.department
    # task 14 (区公安局) goes to the police stations
    assert world.police in district_tasks.get(number=14).units.all()
    shared = sum(
        1 for t in catalogue.read(catalogue.KEY_TASKS_FILE)["tasks"] if {"kind": "streets"} in t["units"]
    )
    assert created == 20 + 2 * shared
    assert catalogue.load_key_tasks(year, world.district) == 0  # idempotent


def test_duties_are_scheduled_per_unit_and_year_once(world):
    year = datetime.date.today().year
    n = catalogue.schedule_duties(year)
    study = Duty.objects.filter(kind="regular_study", unit=world.committee, year=year).order_by("period")
    assert [d.due_on for d in study] == [datetime.date(year, 6, 30), datetime.date(year, 12, 31)]
    four = set(Duty.objects.filter(unit=world.department, year=year).values_list("kind", flat=True))
    assert four == {"risk_assessment", "hazard_campaign", "unannounced_inspection", "key_group_training"}
    assert Duty.objects.filter(unit=world.committee, kind="annual_inspection").count() == 1
    assert n > 0 and catalogue.schedule_duties(year) == 0


def test_leaders_get_their_duty_lists(world):
    catalogue.ensure_responsibilities()
    director = Responsibility.objects.get(member=world.committee_member)
    assert director.title == "本街镇消防工作第一责任人" and "三(一)" in director.source
    assert Responsibility.objects.filter(unit=world.station, member__isnull=True).exists()
    assert catalogue.ensure_responsibilities() == 0
