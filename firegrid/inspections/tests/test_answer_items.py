"""The phone form's items written in Python (inspections.views.answer_items) are the markup of
answer_item.html byte for byte: unanswered, passed, failed with a note that needs escaping, elements and
a photo, corrected on the spot, for an inspector and read-only for an officer, in English and Chinese;
and the item that comes back with errors is still the template's."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from PIL import Image

from firegrid.inspections import actions
from firegrid.inspections.views.phone_form import form_context

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # a masked CSRF token: each get_token() masks it anew


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def inspection(world):
    patrol = actions.start_inspection(
        world.shop_a, "patrol", [world.grid_worker_a], actor=world.grid_worker_a
    )
    answer = actions.record_answer
    answer(patrol, checklist="general", item_code="EV-02", result="pass", actor=world.grid_worker_a)
    answer(
        patrol,
        checklist="general",
        item_code="EV-01",
        result="fail",
        note='后门上锁 <b>"&"</b>',
        elements=["6.5"],
        photo=png(),
        corrected_on_spot=True,
        actor=world.grid_worker_a,
    )
    answer(patrol, checklist="general", item_code="EV-03", result="na", note="n/a", actor=world.grid_worker_a)
    return patrol


def page_both_ways(user, inspection, **extra):
    """The page's HTML with the items written in Python and through the template, tokens masked."""
    request = RequestFactory().get("/")
    request.user = user
    request.htmx = False
    context = form_context(request, inspection, **extra)
    written = [
        item for b in context["blocks"] for s in b["sections"] for item in s["items"] if "html" in item
    ]
    fast = render_to_string("inspections/inspection_form.html", context, request=request)
    for item in written:
        del item["html"]
    slow = render_to_string("inspections/inspection_form.html", context, request=request)
    return TOKEN.sub("TOKEN", fast), TOKEN.sub("TOKEN", slow), written


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("who", ["grid_worker_a", "street_officer"])
def test_items_are_the_templates_markup(world, inspection, language, who):
    with translation.override(language):
        fast, slow, written = page_both_ways(getattr(world, who), inspection)
    assert fast == slow
    assert len(written) > 10
    assert "is-fail" in fast and "is-pass" in fast and "is-na" in fast
    assert "&lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;" in fast and "photo-thumb" in fast
    assert ('capture="environment" disabled>' in fast) == (who == "street_officer")


def test_the_item_with_errors_comes_from_the_template(world, inspection):
    key = "general-EV-04"
    errors = {"note": ["Too long <here>"]}
    fast, slow, written = page_both_ways(world.grid_worker_a, inspection, answer_errors=errors, error_key=key)
    assert fast == slow
    assert key not in {item["key"] for item in written}
    assert fast.count("Too long &lt;here&gt;") == 2  # at the top and on its item


def test_the_item_count_of_a_tap_follows_a_changed_checklist(world, inspection):
    from firegrid.inspections.views.explain import item_count

    versions = list(inspection.checklists.all())
    total = item_count(inspection, versions)
    assert item_count(inspection) == total  # read and remembered
    assert item_count(inspection) == total  # remembered
    version = inspection.checklists.get(code="general")
    version.document["sections"][0]["items"].pop()
    version.save()
    assert item_count(inspection) == total - 1


def test_a_tap_checks_its_item_against_the_checklist_as_it_is_now(world, inspection):
    from django.core.exceptions import ValidationError

    version = inspection.checklists.get(code="general")
    last = version.document["sections"][0]["items"][-1]["code"]
    tap = {"checklist": "general", "item_code": last, "result": "pass", "actor": world.grid_worker_a}
    assert actions.record_answer(inspection, **tap).checklist.code == "general"
    version.document["sections"][0]["items"].pop()
    version.save()
    with translation.override("en"):
        with pytest.raises(ValidationError, match=f"{last} is not in checklist general"):
            actions.record_answer(inspection, **tap)
        with pytest.raises(ValidationError, match="is not used by this inspection"):
            actions.record_answer(inspection, **(tap | {"checklist": "nope"}))


def test_the_api_answers_name_their_checklists_in_one_query(world, inspection, api_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(world.grid_worker_a)
    url = f"/api/v1/inspections/{inspection.pk}/answers/"
    rows = [{"checklist": "general", "item_code": f"EV-0{n}", "result": "pass"} for n in (1, 2)]
    with CaptureQueriesContext(connection) as two:
        response = api_client.post(url, rows, format="json")
    assert response.status_code == 201 and [a["checklist"] for a in response.json()] == ["general"] * 2
    rows = [{"checklist": "general", "item_code": f"EV-0{n}", "result": "na"} for n in (1, 2, 3, 4)]
    with CaptureQueriesContext(connection) as four:
        response = api_client.post(url, rows, format="json")
    assert response.status_code == 201 and [a["checklist"] for a in response.json()] == ["general"] * 4

    def documents_read(queries):
        return [q["sql"] for q in queries if '"inspections_checklistversion"."document"' in q["sql"]]

    # the checklists' documents are not read once per answer (the fixture's taps read this one already)
    assert len(documents_read(four)) == len(documents_read(two))


def test_a_taps_post_reads_the_inspection_and_its_checklists_once(world, inspection, client):
    """The scoped read, the locked re-read (which also asks whether the actor is an inspector), the
    checklist versions once (the item's and the count's), the answer, its write and the count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.grid_worker_a)
    url = f"/inspections/{inspection.pk}/form/answer/"
    tap = {"checklist": "general", "item_code": "EV-04", "result": "pass"}
    client.post(url, tap | {"item_code": "EV-05"}, HTTP_HX_REQUEST="true")  # the login's first reads
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, tap, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "✓" in response.content.decode()
    sqls = [q["sql"] for q in queries]
    inspection_reads = [s for s in sqls if s.startswith('SELECT "inspections_inspection"."id"')]
    assert len(inspection_reads) == 2 and "EXISTS" in inspection_reads[1]
    assert sum("inspections_inspection_checklists" in s for s in sqls) == 1
    assert not any(s.startswith('SELECT 1 AS "a" FROM "org_user"') for s in sqls)  # no separate check
    answered = inspection.answers.count()
    total = sum(len(v.items()) for v in inspection.checklists.all())
    assert f"{answered} of {total} answered" in response.content.decode()


def test_only_an_inspector_taps_after_the_single_statement_check(world, inspection):
    from django.core.exceptions import ValidationError

    tap = {"checklist": "general", "item_code": "EV-04", "result": "pass"}
    with translation.override("en"):
        with pytest.raises(ValidationError, match="own inspectors"):
            actions.record_answer(inspection, **tap, actor=world.street_officer)
        assert actions.record_answer(inspection, **tap, actor=world.grid_worker_a).result == "pass"
    assert not inspection.answers.filter(item_code="EV-04", result="fail").exists()
