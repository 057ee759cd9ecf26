"""Answering an item again changes its one answer (the inspector changed their mind on the phone): the
latest result, note, elements and on-the-spot flag are kept, and the submit counts only those."""

from firegrid.inspections import actions
from firegrid.inspections.models import Answer, HazardRecord
from firegrid.inspections.tests.test_inspection_flow import lists  # noqa: F401 - the fixture


def test_an_item_answered_again_keeps_one_answer_with_the_latest_values(world, lists):  # noqa: F811
    inspection = actions.start_inspection(
        world.mall_a, "supervisory", [world.street_officer], actor=world.street_officer
    )
    first = actions.record_answer(
        inspection, checklist="t-general", item_code="EV-01", result="fail", elements=["7.3.3"], note="锁闭"
    )
    again = actions.record_answer(
        inspection, checklist="t-general", item_code="EV-01", result="pass", actor=world.street_officer
    )
    assert again.pk == first.pk
    stored = Answer.objects.get(inspection=inspection)
    assert (stored.result, stored.note, stored.elements, stored.corrected_on_spot) == ("pass", "", [], False)

    actions.record_answer(
        inspection,
        checklist="t-general",
        item_code="EV-01",
        result="fail",
        elements=["7.3.3"],
        corrected_on_spot=True,
        note="当场清理",
    )
    stored.refresh_from_db()
    assert (stored.result, stored.note, stored.elements, stored.corrected_on_spot) == (
        "fail",
        "当场清理",
        ["7.3.3"],
        True,
    )
    assert Answer.objects.filter(inspection=inspection).count() == 1
    inspection = actions.submit_inspection(inspection, actor=world.street_officer)
    record = HazardRecord.objects.get(inspection=inspection)
    assert record.corrected_on_spot and "当场清理" in record.description
