"""Inspection findings open confirmed cases; the officer's decision on major hazards follows them."""

from firegrid.hazards.choices import CaseStatus, Level, Source
from firegrid.hazards.models import HazardCase
from firegrid.inspections import actions as inspection_actions
from firegrid.inspections.choices import AnswerResult, InspectionKind
from firegrid.inspections.models import ChecklistVersion


def inspect(world, place, failures, kind=InspectionKind.SUPERVISORY):
    officer = world.street_officer
    inspection = inspection_actions.start_inspection(place, kind, [officer], actor=officer)
    checklist = inspection.checklists.first()
    for code, corrected, elements in failures:
        inspection_actions.record_answer(
            inspection,
            checklist=checklist.code,
            item_code=code,
            result=AnswerResult.FAIL,
            note="现场发现",
            corrected_on_spot=corrected,
            elements=elements,
            actor=officer,
        )
    return inspection_actions.submit_inspection(inspection, actor=officer)


def failing_items(checklist, n):
    return [item["code"] for section in checklist.document["sections"] for item in section["items"]][:n]


def test_findings_become_confirmed_cases_except_those_fixed_on_the_spot(world):
    checklist = ChecklistVersion.objects.filter(code="general", is_active=True).first()
    first, second = failing_items(checklist, 2)
    inspection = inspect(world, world.shop_a, [(first, False, []), (second, True, [])])
    cases = list(HazardCase.objects.filter(finding__inspection=inspection))
    assert len(cases) == 1
    case = cases[0]
    assert (
        case.status == CaseStatus.CONFIRMED and case.source == Source.INSPECTION and case.level == Level.GRID
    )
    assert case.place == world.shop_a and case.region == world.grid_a
    assert case.category.code == "evacuation"  # the item's checklist section
    assert list(case.events.values_list("kind", flat=True)) == ["reported", "confirmed"]
    assert case.events.first().actor == world.street_officer


def test_overriding_to_major_moves_the_cases_to_the_street(world):
    checklist = ChecklistVersion.objects.filter(code="general", is_active=True).first()
    (code,) = failing_items(checklist, 1)
    inspection = inspect(world, world.shop_a, [(code, False, [])])
    case = HazardCase.objects.get(finding__inspection=inspection)
    assert case.severity == "general"
    inspection_actions.decide_major(inspection, officer=world.street_officer, major=True, reason="现场判定")
    case.refresh_from_db()
    assert case.severity == "major" and case.level == Level.STREET
    assert case.events.filter(kind="severity").get().data == {"from": "general", "to": "major"}


def test_patrol_findings_are_patrol_cases(world):
    checklist = ChecklistVersion.objects.filter(code="general", is_active=True).first()
    (code,) = failing_items(checklist, 1)
    officer = world.grid_worker_a
    inspection = inspection_actions.start_inspection(
        world.shop_a, InspectionKind.PATROL, [officer], actor=officer
    )
    inspection_actions.record_answer(
        inspection,
        checklist=checklist.code,
        item_code=code,
        result=AnswerResult.FAIL,
        actor=officer,
    )
    inspection_actions.submit_inspection(inspection, actor=officer)
    assert HazardCase.objects.get(finding__inspection=inspection).source == Source.PATROL
