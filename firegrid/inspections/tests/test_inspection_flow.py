import datetime

import pytest
from django.core.exceptions import ValidationError

from firegrid.inspections import actions
from firegrid.inspections.models import ChecklistVersion, HazardRecord
from firegrid.org.testing import make_user

GENERAL = {
    "code": "t-general",
    "version": "1",
    "effective_from": "2020-01-01",
    "title": {"zh-hans": "通用", "en": "General"},
    "place_kinds": [],
    "sections": [
        {
            "code": "ev",
            "title": {"zh-hans": "疏散", "en": "Evacuation"},
            "items": [
                {
                    "code": "EV-01",
                    "text": {"zh-hans": "安全出口畅通", "en": "Exits clear"},
                    "basis": "x",
                    "evidence": "R",
                    "gb35181": ["7.3.3"],
                    "critical": True,
                },
                {
                    "code": "EV-02",
                    "text": {"zh-hans": "应急照明完好", "en": "Emergency lights work"},
                    "basis": "x",
                    "evidence": "R",
                    "gb35181": ["7.3.6"],
                    "critical": False,
                },
                {
                    "code": "EV-03",
                    "text": {"zh-hans": "疏散楼梯间", "en": "Stairs"},
                    "basis": "x",
                    "evidence": "R",
                    "gb35181": ["7.3.2"],
                    "critical": False,
                },
                {
                    "code": "EV-04",
                    "text": {"zh-hans": "喷淋", "en": "Sprinklers"},
                    "basis": "x",
                    "evidence": "R",
                    "gb35181": ["6.6"],
                    "critical": True,
                },
            ],
        }
    ],
}
MALL = GENERAL | {
    "code": "t-mall",
    "place_kinds": ["mall_market"],
    "sections": [
        {
            "code": "m",
            "title": {"zh-hans": "商场", "en": "Mall"},
            "items": [
                {
                    "code": "M-01",
                    "text": {"zh-hans": "摊位占用通道", "en": "Stalls in aisles"},
                    "basis": "x",
                    "evidence": "R",
                    "gb35181": ["7.3.1"],
                    "critical": False,
                }
            ],
        }
    ],
}


@pytest.fixture
def lists(world):
    ChecklistVersion.objects.create(
        code="t-general", version="1", effective_from="2020-01-01", document=GENERAL
    )
    ChecklistVersion.objects.create(code="t-mall", version="1", effective_from="2020-01-01", document=MALL)


def test_checklists_follow_the_place_kind(world, lists):
    # the shipped lists (loaded by a migration) and the test lists
    assert {v.code for v in actions.checklists_for(world.mall_a)} == {
        "general",
        "mall_market",
        "t-general",
        "t-mall",
    }
    assert {v.code for v in actions.checklists_for(world.shop_a)} == {"general", "t-general"}


def test_supervisory_inspection_needs_qualified_inspectors(world, lists):
    with pytest.raises(ValidationError) as excinfo:
        actions.start_inspection(
            world.shop_a, "supervisory", [world.grid_worker_a], actor=world.street_officer
        )
    assert "inspectors" in excinfo.value.message_dict
    inspection = actions.start_inspection(
        world.shop_a, "supervisory", [world.street_officer], actor=world.street_officer
    )
    assert inspection.status == "draft"


def test_answer_for_an_item_not_in_the_list_version_is_rejected(world, lists):
    inspection = actions.start_inspection(
        world.shop_a, "patrol", [world.grid_worker_a], actor=world.grid_worker_a
    )
    with pytest.raises(ValidationError) as excinfo:
        actions.record_answer(inspection, checklist="t-general", item_code="EV-99", result="fail")
    assert "item_code" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        actions.record_answer(inspection, checklist="t-mall", item_code="M-01", result="fail")
    assert "checklist" in excinfo.value.message_dict  # a shop does not use the mall list
    with pytest.raises(ValidationError):
        actions.record_answer(
            inspection, checklist="t-general", item_code="EV-01", result="pass", elements=["7.3.3"]
        )


def test_patrol_outside_the_jurisdiction_is_refused(world, lists):
    with pytest.raises(ValidationError) as excinfo:
        actions.start_inspection(world.hotel_b, "patrol", [world.grid_worker_a], actor=world.grid_worker_a)
    assert "place" in excinfo.value.message_dict


def test_failed_items_propose_major_with_clauses_and_officer_overrides_with_reason(world, lists):
    inspection = actions.start_inspection(
        world.mall_a, "supervisory", [world.street_officer], actor=world.street_officer
    )
    actions.record_answer(
        inspection, checklist="t-general", item_code="EV-01", result="fail", elements=["7.3.3"]
    )
    actions.record_answer(
        inspection,
        checklist="t-general",
        item_code="EV-02",
        result="fail",
        elements=["7.3.6"],
        note="三楼应急灯不亮",
    )
    actions.record_answer(inspection, checklist="t-mall", item_code="M-01", result="fail", elements=["7.3.1"])
    actions.record_answer(inspection, checklist="t-general", item_code="EV-03", result="pass")
    inspection = actions.submit_inspection(inspection, actor=world.street_officer)
    assert inspection.outcome == "major" and inspection.determination["major"]
    rule = next(r for r in inspection.determination["comprehensive"] if r["rule"] == "5.3.3a")
    assert rule["triggered"] and sorted(rule["counted"]) == ["7.3.1", "7.3.3", "7.3.6"]
    records = HazardRecord.objects.filter(inspection=inspection)
    assert records.count() == 3 and set(records.values_list("severity", flat=True)) == {"major"}
    assert any("三楼应急灯不亮" in r.description for r in records)
    world.mall_a.refresh_from_db()
    assert world.mall_a.last_inspected_on == inspection.inspected_on
    assert world.mall_a.last_inspection_outcome == "major"
    assert world.mall_a.next_inspection_due > inspection.inspected_on
    with pytest.raises(ValidationError) as excinfo:
        actions.decide_major(inspection, officer=world.street_officer, major=False)
    assert "decision_reason" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        actions.decide_major(inspection, officer=world.grid_worker_a, major=True)
    actions.decide_major(inspection, officer=world.street_officer, major=False, reason="专家评审：可现场整改")
    inspection.refresh_from_db()
    assert inspection.major_confirmed is False and inspection.outcome == "hazards"
    world.mall_a.refresh_from_db()
    assert world.mall_a.last_inspection_outcome == "hazards"  # the public page follows the decision
    assert set(records.values_list("severity", flat=True)) == {"general"}


def test_corrected_on_the_spot_does_not_count(world, lists):
    inspection = actions.start_inspection(
        world.shop_a, "patrol", [world.grid_worker_a], actor=world.grid_worker_a
    )
    actions.record_answer(
        inspection,
        checklist="t-general",
        item_code="EV-04",
        result="fail",
        elements=["6.6"],
        corrected_on_spot=True,
    )
    inspection = actions.submit_inspection(inspection, actor=world.grid_worker_a)
    assert inspection.outcome == "hazards" and not inspection.determination["major"]
    world.shop_a.refresh_from_db()
    assert world.shop_a.last_inspected_on is None  # a patrol does not count as the authority's inspection
    with pytest.raises(ValidationError):
        actions.record_answer(inspection, checklist="t-general", item_code="EV-01", result="pass")


def test_self_check_by_the_owner_posts_the_commitment(world, lists):
    with pytest.raises(ValidationError):
        actions.start_inspection(world.shop_a, "self_check", [world.grid_worker_a], actor=world.grid_worker_a)
    inspection = actions.start_inspection(
        world.shop_a, "self_check", [world.unit_owner], actor=world.unit_owner
    )
    inspection.commitment = "本单位承诺：自知、自查、自改。"
    inspection.save()
    actions.submit_inspection(inspection, actor=world.unit_owner)
    world.shop_a.refresh_from_db()
    assert world.shop_a.public_commitment == "本单位承诺：自知、自查、自改。"


def test_expired_inspector_is_refused_on_the_date(world, lists):
    late = datetime.date.today() + datetime.timedelta(days=800)
    with pytest.raises(ValidationError):
        actions.start_inspection(
            world.shop_a, "supervisory", [world.street_officer], actor=world.street_officer, on=late
        )
    helper = make_user("helper", org_unit=world.station, qualified=True)
    actions.start_inspection(
        world.shop_a, "supervisory", [world.street_officer, helper], actor=world.street_officer
    )
