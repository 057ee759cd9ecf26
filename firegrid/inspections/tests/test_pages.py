"""Inspection pages: scoping per persona, the phone form driven end to end, bad input as form
errors, plans by month, campaigns by street and a draw announced, run and published."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from firegrid.core.roles import Role
from firegrid.inspections import actions
from firegrid.inspections.forms import MAX_PHOTO_BYTES
from firegrid.inspections.models import Answer, Campaign, HazardRecord, Inspection, PlanItem, RandomDraw
from firegrid.org.testing import make_place, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, *args):
    return reverse(f"inspections:{name}", args=args)


def body(response):
    return response.content.decode()


def png(name="photo.png", size=(8, 6)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hotel_patrol(world):
    return actions.start_inspection(world.hotel_b, "patrol", [world.grid_worker_b], actor=world.grid_worker_b)


@pytest.fixture
def shop_patrol(world):
    return actions.start_inspection(world.shop_a, "patrol", [world.grid_worker_a], actor=world.grid_worker_a)


def inspectors(world, n=4):
    return [
        make_user(f"insp{i}", org_unit=world.station, roles=[(Role.INSPECTOR, world.street)], qualified=True)
        for i in range(n)
    ]


# ---- scoping -----------------------------------------------------------------------------------

PERSONAS = ["district_admin", "street_officer", "street2_officer", "grid_worker_a", "grid_worker_b",
            "police_officer", "dept_staff", "unit_owner"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_renders_for_each_persona(client, world, persona):
    client.force_login(getattr(world, persona))
    for name in ("list", "coverage", "plans", "campaigns", "draws"):
        response = client.get(url(name))
        assert response.status_code == 200, (persona, name)
    assert "/inspections/" in body(client.get(reverse("home")))  # the nav link


def test_inspection_of_another_grid_is_a_404(client, world, hotel_patrol):
    client.force_login(world.grid_worker_a)
    response = client.get(url("list"))
    assert hotel_patrol not in response.context["inspections"]
    for page in (url("detail", hotel_patrol.pk), url("form", hotel_patrol.pk)):
        assert client.get(page).status_code == 404
    answer = {"checklist": "general", "item_code": "EV-01", "result": "pass"}
    assert client.post(url("answer", hotel_patrol.pk), answer).status_code == 404
    assert client.post(url("submit", hotel_patrol.pk)).status_code == 404
    assert client.get(url("start", world.hotel_b.pk)).status_code == 404
    client.force_login(world.grid_worker_b)
    assert client.get(url("detail", hotel_patrol.pk)).status_code == 200
    assert client.get(url("form", hotel_patrol.pk)).status_code == 200
    assert hotel_patrol in client.get(url("list")).context["inspections"]


def test_people_without_a_writing_role_cannot_start(client, world):
    client.force_login(world.dept_staff)  # sees the school, does not inspect it
    assert client.get(url("start", world.school_a.pk)).status_code == 404
    assert client.get(url("new")).status_code == 404
    client.force_login(world.grid_worker_a)
    assert client.get(url("start", world.shop_a.pk)).status_code == 200
    picker = client.get(url("new"), {"q": "桥河"})
    assert world.shop_a.name in body(picker) and world.hotel_b.name not in body(picker)


def test_street2_officer_gets_404_on_street1_plans_campaigns_and_draws(client, world):
    inspectors(world)
    client.force_login(world.street_officer)
    client.post(url("plans"), {"year": timezone.localdate().year, "region": world.street.code})
    client.post(url("campaign-new"), campaign_data(world))
    client.post(url("draw-new"), draw_data(world))
    plan, campaign, draw = PlanItem.objects.first().plan, Campaign.objects.get(), RandomDraw.objects.get()
    client.force_login(world.street2_officer)
    assert client.get(url("plan", plan.pk)).status_code == 404
    assert client.get(url("campaign", campaign.pk)).status_code == 404
    assert client.get(url("draw", draw.pk)).status_code == 404
    assert client.post(url("draw-run", draw.pk)).status_code == 404
    assert client.post(url("draw-publish", draw.pk)).status_code == 404
    assert not client.get(url("plans")).context["plans"]
    assert not client.get(url("campaigns")).context["campaigns"]
    assert not client.get(url("draws")).context["draws"]
    # and cannot plan in street 1 either
    response = client.post(url("plans"), {"year": timezone.localdate().year, "region": world.street.code})
    assert response.status_code == 200 and response.context["form"].errors
    client.force_login(world.grid_worker_a)  # no planning role: sees no draws, cannot announce
    assert client.get(url("draw", draw.pk)).status_code == 404
    assert client.get(url("draw-new")).status_code == 404


# ---- the phone form, end to end ----------------------------------------------------------------


def test_patrol_through_the_pages(client, world):
    client.force_login(world.grid_worker_a)
    start = client.get(url("start", world.shop_a.pk))
    assert start.status_code == 200 and start.context["form"]["kind"].value() == "patrol"
    response = client.post(
        url("start", world.shop_a.pk), {"kind": "patrol", "inspectors": [world.grid_worker_a.pk]}
    )
    inspection = Inspection.objects.get(place=world.shop_a)
    assert response.status_code == 302 and response["Location"] == url("form", inspection.pk)

    form = client.get(url("form", inspection.pk))
    page = body(form)
    assert form.status_code == 200
    assert "EV-01" in page and 'capture="environment"' in page and 'accept="image/*"' in page
    assert 'name="elements" value="6.5" checked' in page  # pre-ticked from the item's list

    passed = client.post(
        url("answer", inspection.pk), {"checklist": "general", "item_code": "EV-02", "result": "pass"}, **HTMX
    )
    assert passed.status_code == 200 and "✓" in body(passed) and "1 of" in body(passed)
    failed = client.post(
        url("answer", inspection.pk),
        {
            "checklist": "general",
            "item_code": "EV-01",
            "result": "fail",
            "note": "后门上锁",
            "elements": ["6.5"],
            "photo": png(),
        },
        **HTMX,
    )
    assert failed.status_code == 200 and "Saved" in body(failed), body(failed)
    answer = Answer.objects.get(inspection=inspection, item_code="EV-01")
    assert answer.photo and answer.elements == ["6.5"] and answer.note == "后门上锁"
    photo_url = url("photo", inspection.pk, answer.pk)
    assert photo_url in body(failed)
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"

    done = client.post(url("submit", inspection.pk), {"not_judged": ""})
    assert done.status_code == 302 and done["Location"] == url("detail", inspection.pk)
    inspection.refresh_from_db()
    assert inspection.status == "submitted" and inspection.outcome == "major"
    hazard = HazardRecord.objects.get(inspection=inspection)
    assert hazard.severity == "major" and hazard.clauses == ["6.5"] and "后门上锁" in hazard.description

    detail = client.get(done["Location"])
    page = body(detail)
    assert "Major fire hazard proposed" in page and "Direct determination" in page
    assert "too few exits" in page  # the element's text in the current language
    assert "5.3.3d" in page and "0 counted, 6 needed" in page  # the counting rule of an "other" place
    assert "后门上锁" in page and photo_url in page
    case = hazard.case  # the finding opened a hazard case, linked from the inspection
    assert f'href="/hazards/{case.pk}/"' in page and case.tracking_code in page
    assert "decision_form" not in detail.context  # a grid worker does not decide
    assert client.get(url("form", inspection.pk)).status_code == 302  # submitted: to the detail
    client.force_login(world.grid_worker_b)
    assert client.get(photo_url).status_code == 404


def test_officer_decides_and_an_override_needs_a_reason(client, world, shop_patrol):
    actions.record_answer(
        shop_patrol, checklist="general", item_code="EV-01", result="fail", elements=["6.5"],
        actor=world.grid_worker_a,
    )
    actions.submit_inspection(shop_patrol, actor=world.grid_worker_a)
    client.force_login(world.street_officer)
    detail = client.get(url("detail", shop_patrol.pk))
    assert "decision_form" in detail.context
    response = client.post(url("detail", shop_patrol.pk), {"decision": "override", "reason": " "})
    assert response.status_code == 200
    assert response.context["decision_form"].errors["reason"]
    shop_patrol.refresh_from_db()
    assert shop_patrol.decided_by is None
    response = client.post(url("detail", shop_patrol.pk), {"decision": "override", "reason": "出口已满足"})
    assert response.status_code == 302
    shop_patrol.refresh_from_db()
    assert shop_patrol.major_confirmed is False and shop_patrol.outcome == "hazards"
    assert "overridden" in body(client.get(url("detail", shop_patrol.pk)))
    client.force_login(world.grid_worker_a)
    assert client.post(url("detail", shop_patrol.pk), {"decision": "confirm"}).status_code == 404


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(client, world, shop_patrol):
    client.force_login(world.grid_worker_a)
    fake = SimpleUploadedFile("photo.jpg", b"this is not a picture", content_type="image/jpeg")
    data = {"checklist": "general", "item_code": "EV-01", "result": "fail", "photo": fake}
    response = client.post(url("answer", shop_patrol.pk), data, **HTMX)
    assert response.status_code == 200 and "Not saved" in body(response)
    assert "valid image" in body(response)
    assert not Answer.objects.filter(inspection=shop_patrol).exists()
    fake.seek(0)
    response = client.post(url("answer", shop_patrol.pk), data)  # without htmx: the whole page
    assert response.status_code == 400 and "valid image" in body(response)
    assert not Answer.objects.filter(inspection=shop_patrol).exists()


def test_a_photo_above_the_cap_is_refused(client, world, shop_patrol, monkeypatch):
    monkeypatch.setattr("firegrid.inspections.forms.MAX_PHOTO_BYTES", 10)
    client.force_login(world.grid_worker_a)
    data = {"checklist": "general", "item_code": "EV-01", "result": "fail", "photo": png()}
    response = client.post(url("answer", shop_patrol.pk), data, **HTMX)
    assert "the limit is" in body(response)
    assert not Answer.objects.filter(inspection=shop_patrol).exists()
    assert MAX_PHOTO_BYTES == 8 * 1024 * 1024


def test_unknown_item_and_other_bad_answers_are_errors_not_500s(client, world, shop_patrol):
    client.force_login(world.grid_worker_a)
    answer = url("answer", shop_patrol.pk)
    response = client.post(answer, {"checklist": "general", "item_code": "EV-99", "result": "fail"}, **HTMX)
    assert response.status_code == 200 and "EV-99 is not in checklist general" in body(response)
    response = client.post(answer, {"checklist": "general", "item_code": "EV-99", "result": "fail"})
    assert response.status_code == 400 and "EV-99 is not in checklist general" in body(response)
    mall_item = {"checklist": "mall_market", "item_code": "MM-01", "result": "fail"}
    response = client.post(answer, mall_item, **HTMX)
    assert "is not used by this inspection" in body(response)
    response = client.post(
        answer, {"checklist": "general", "item_code": "EV-01", "result": "fail", "elements": ["9.9"]}, **HTMX
    )
    assert "Not saved" in body(response)
    response = client.post(answer, {"checklist": "general", "item_code": "EV-01", "result": "maybe"}, **HTMX)
    assert "Not saved" in body(response)
    assert not Answer.objects.filter(inspection=shop_patrol).exists()
    # a pass keeps no elements even if the hidden boxes were still ticked
    client.post(answer, {"checklist": "general", "item_code": "EV-01", "result": "pass", "elements": ["6.5"]})
    assert Answer.objects.get(inspection=shop_patrol).elements == []


def test_only_the_inspections_inspectors_record_it(client, world, shop_patrol):
    client.force_login(world.street_officer)  # sees the shop's patrol, is not its inspector
    form = client.get(url("form", shop_patrol.pk))
    assert form.status_code == 200 and "Only the inspection's own inspectors" in body(form)
    assert 'value="fail" disabled' in body(form)  # shown, not answerable
    data = {"checklist": "general", "item_code": "EV-01", "result": "pass"}
    response = client.post(url("answer", shop_patrol.pk), data, **HTMX)
    assert "Only the inspection&#x27;s own inspectors record and submit it." in body(response)
    response = client.post(url("submit", shop_patrol.pk), follow=True)
    assert "Only the inspection&#x27;s own inspectors record and submit it." in body(response)
    shop_patrol.refresh_from_db()
    assert shop_patrol.status == "draft" and not shop_patrol.answers.exists()


def test_location_stamp_notes_and_self_check_commitment(client, world):
    client.force_login(world.unit_owner)
    start = client.get(url("start", world.shop_a.pk))
    assert start.context["form"]["kind"].value() == "self_check"
    own = {"kind": "self_check", "inspectors": [world.unit_owner.pk]}
    response = client.post(url("start", world.shop_a.pk), own)
    inspection = Inspection.objects.get(place=world.shop_a)
    assert response["Location"] == url("form", inspection.pk)
    page = body(client.get(url("form", inspection.pk)))
    assert "自知、自查、自改" in page and 'name="commitment"' in page
    details = url("details", inspection.pk)
    response = client.post(details, {"lat": "28.05", "lng": ""}, **HTMX)
    assert "Not saved" in body(response)
    response = client.post(
        details,
        {"lat": "28.050001", "lng": "106.050002", "notes": "夜查", "commitment": "自知、自查、自改"},
        **HTMX,
    )
    assert "Saved" in body(response)
    inspection.refresh_from_db()
    assert (inspection.lat, inspection.lng, inspection.notes) == (28.050001, 106.050002, "夜查")
    passed = {"checklist": "general", "item_code": "EV-02", "result": "pass"}
    client.post(url("answer", inspection.pk), passed)
    client.post(url("submit", inspection.pk))
    world.shop_a.refresh_from_db()
    assert world.shop_a.public_commitment == "自知、自查、自改"
    # a patrol has no commitment field
    patrol = actions.start_inspection(
        world.shop_a, "patrol", [world.grid_worker_a], actor=world.grid_worker_a
    )
    client.force_login(world.grid_worker_a)
    assert 'name="commitment"' not in body(client.get(url("form", patrol.pk)))


def test_start_errors_from_the_action_are_form_errors(client, world):
    client.force_login(world.grid_worker_a)
    response = client.post(
        url("start", world.shop_a.pk), {"kind": "supervisory", "inspectors": [world.grid_worker_a.pk]}
    )
    assert response.status_code == 200
    assert "no valid enforcement qualification" in str(response.context["form"].errors["inspectors"])
    worker = [world.grid_worker_a.pk]
    response = client.post(url("start", world.shop_a.pk), {"kind": "campaign", "inspectors": worker})
    assert response.context["form"].errors
    client.force_login(world.street_officer)
    officer = [world.street_officer.pk]
    response = client.post(url("start", world.shop_a.pk), {"kind": "reinspection", "inspectors": officer})
    assert "previous" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_campaign_and_reinspection_started_through_the_page(client, world, shop_patrol):
    actions.submit_inspection(shop_patrol, actor=world.grid_worker_a)
    client.force_login(world.street_officer)
    client.post(url("campaign-new"), campaign_data(world))
    campaign = Campaign.objects.get()
    start = client.get(url("start", world.shop_a.pk), {"kind": "campaign", "campaign": campaign.pk})
    form = start.context["form"]
    assert form["kind"].value() == "campaign" and str(form["campaign"].value()) == str(campaign.pk)
    assert list(form.fields["campaign"].queryset) == [campaign]
    officer = [world.street_officer.pk]
    response = client.post(
        url("start", world.shop_a.pk), {"kind": "campaign", "campaign": campaign.pk, "inspectors": officer}
    )
    started = Inspection.objects.get(campaign=campaign)
    assert response["Location"] == url("form", started.pk)
    assert set(started.checklists.values_list("code", flat=True)) == {"general"}
    again = {"kind": "reinspection", "previous": shop_patrol.pk, "inspectors": officer}
    response = client.post(url("start", world.shop_a.pk), again)
    again = Inspection.objects.get(previous=shop_patrol)
    assert again.kind == "reinspection" and response["Location"] == url("form", again.pk)
    assert url("detail", shop_patrol.pk) in body(client.get(url("detail", again.pk)))


def test_the_start_page_reads_the_same_whatever_the_earlier_inspections(client, world):
    """The re-inspection choices name their place: read with them, not once per earlier inspection."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worker = world.grid_worker_a

    def submit_patrols(n):
        for _ in range(n):
            patrol = actions.start_inspection(world.shop_a, "patrol", [worker], actor=worker)
            actions.submit_inspection(patrol, actor=worker)

    def statements():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url("start", world.shop_a.pk))
        assert page.status_code == 200
        return len(queries), body(page).count(world.shop_a.name)

    client.force_login(world.street_officer)
    client.get(url("start", world.shop_a.pk))  # the session's first reads
    submit_patrols(2)
    two, named_two = statements()
    submit_patrols(3)
    five, named_five = statements()
    assert five == two
    assert named_five == named_two + 3  # the three new choices, each named by its place


def test_the_form_shows_the_general_list_before_the_special_ones(client, world):
    mall = actions.start_inspection(world.mall_a, "patrol", [world.grid_worker_a], actor=world.grid_worker_a)
    client.force_login(world.grid_worker_a)
    form = client.get(url("form", mall.pk))
    codes = [block["code"] for block in form.context["blocks"]]
    assert codes[0] == "general" and "mall_market" in codes
    total = sum(len(s["items"]) for b in form.context["blocks"] for s in b["sections"])
    assert total == form.context["item_total"] and f"0 of {total} answered" in body(form)


def test_inspection_list_filters(client, world, shop_patrol):
    other = actions.start_inspection(world.mall_a, "patrol", [world.grid_worker_a], actor=world.grid_worker_a)
    actions.submit_inspection(other, actor=world.grid_worker_a)
    client.force_login(world.grid_worker_a)
    listed = lambda **q: set(client.get(url("list"), q).context["inspections"])  # noqa: E731
    assert listed() == {shop_patrol, other}
    assert listed(status="draft") == {shop_patrol}
    assert listed(outcome="passed") == {other}
    assert listed(q="便利") == {shop_patrol}
    assert listed(place=world.mall_a.pk) == {other}
    assert listed(kind="supervisory") == set()


# ---- plans and coverage ------------------------------------------------------------------------


def test_generated_plan_shows_counts_per_month_and_inspector(client, world):
    inspectors(world, 2)
    for i in range(6):
        make_place(f"面馆{i}", "restaurant", 28.01 + i * 0.01, 106.03)
    client.force_login(world.street_officer)
    year = timezone.localdate().year
    response = client.post(url("plans"), {"year": year, "region": world.street.code}, follow=True)
    plan = PlanItem.objects.first().plan
    total = PlanItem.objects.filter(plan=plan).count()
    assert f"{total} visits created" in body(response)
    page = client.get(url("plan", plan.pk))
    months = page.context["months"]
    assert sum(m["planned"] for m in months) == total == page.context["totals"]["planned"]
    for m in months:
        assert m["planned"] == PlanItem.objects.filter(plan=plan, month=m["month"]).count()
    busiest = max(months, key=lambda m: m["planned"])
    assert f'data-month="{busiest["month"]}"' in body(page)
    by_month = client.get(url("plan", plan.pk), {"month": busiest["month"]})
    rows = by_month.context["inspector_rows"]
    assert sum(r["planned"] for r in rows) == busiest["planned"]
    chosen = rows[0]["inspector"] or "none"
    visits = client.get(url("plan", plan.pk), {"month": busiest["month"], "inspector": chosen})
    assert visits.context["visits"].paginator.count == rows[0]["planned"]
    again = client.post(url("plans"), {"year": year, "region": world.street.code}, follow=True)
    assert "0 visits created" in body(again)  # idempotent
    bad = client.post(url("plans"), {"year": year - 1, "region": world.street.code})
    assert "this year or a later one" in body(bad)


def test_coverage_page(client, world, shop_patrol):
    client.force_login(world.grid_worker_a)
    response = client.get(url("coverage"))
    figures = response.context["figures"]
    assert figures["places"] == 3 and figures["never_inspected"] == 3
    page = body(response)
    assert "/places/?due=true" in page and world.shop_a.name in page and world.hotel_b.name not in page
    within = client.get(url("coverage"), {"within": world.grid_a.code})
    assert within.context["figures"]["places"] == 3
    outside = client.get(url("coverage"), {"within": world.grid_s2.code})
    assert outside.context["figures"]["places"] == 0


# ---- campaigns ---------------------------------------------------------------------------------


def campaign_data(world, **extra):
    today = timezone.localdate()
    return {
        "name": "九小场所专项整治",
        "campaign_kind": "other",
        "region": world.street.code,
        "kind": ["shop", "hotel"],
        "starts_on": today.isoformat(),
        "deadline": (today + datetime.timedelta(days=30)).isoformat(),
    } | extra


def test_campaign_launched_through_the_page_with_progress_per_street(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("campaign-new"), campaign_data(world, checklists=["high_rise"]))
    campaign = Campaign.objects.get()
    assert response["Location"] == url("campaign", campaign.pk)
    assert campaign.filters == {"kind": ["shop", "hotel"]} and campaign.checklists == ["high_rise"]
    detail = client.get(url("campaign", campaign.pk))
    assert [(r["street"], r["places"], r["inspected"]) for r in detail.context["rows"]] == [("T501", 2, 0)]
    page = body(detail)
    assert "古南街道" in page and f"?kind=campaign&amp;campaign={campaign.pk}" in page
    bad = client.post(url("campaign-new"), campaign_data(world, deadline="2000-01-01"))
    assert bad.status_code == 200 and "before the start" in body(bad)
    client.force_login(world.grid_worker_a)  # sees the campaign for its own places, cannot launch
    assert client.get(url("campaign", campaign.pk)).status_code == 200
    assert client.get(url("campaign-new")).status_code == 404


# ---- draws ---------------------------------------------------------------------------------------


def draw_data(world, **extra):
    data = {"title": "十二月双随机抽查", "region": world.street.code, "kind": ["shop"], "sample_size": 2}
    return data | extra


def test_draw_announced_run_and_published_through_the_pages(client, world):
    inspectors(world)
    for i in range(3):
        make_place(f"商铺{i}", "shop", 28.01 + i * 0.01, 106.01)
    client.force_login(world.street_officer)
    response = client.post(url("draw-new"), draw_data(world))
    draw = RandomDraw.objects.get()
    assert response["Location"] == url("draw", draw.pk)
    assert draw.params["filters"] == {"kind": ["shop"]} and draw.params["sample_size"] == 2
    detail = body(client.get(url("draw", draw.pk)))
    assert draw.seed in detail and url("draw-run", draw.pk) in detail
    assert reverse("public-draw", args=[draw.pk]) in detail
    client.post(url("draw-run", draw.pk))
    draw.refresh_from_db()
    assert draw.status == "drawn" and draw.assignments.count() == 2
    again = client.post(url("draw-run", draw.pk), follow=True)
    assert "already been run" in body(again)
    detail = body(client.get(url("draw", draw.pk)))
    assert url("draw-publish", draw.pk) in detail
    client.post(url("draw-publish", draw.pk))
    draw.refresh_from_db()
    assert draw.status == "published"
    client.logout()
    public = body(client.get(reverse("public-draw", args=[draw.pk])))
    for assignment in draw.assignments.select_related("place"):
        assert assignment.place.name in public


def test_draw_form_errors(client, world):
    client.force_login(world.street_officer)
    both = client.post(url("draw-new"), draw_data(world, percent="10"))
    assert "either a sample size or a share" in body(both)
    neither = client.post(url("draw-new"), draw_data(world, sample_size=""))
    assert "either a sample size or a share" in body(neither)
    client.post(url("draw-new"), draw_data(world, sample_size="", percent="50"))
    draw = RandomDraw.objects.get()
    assert draw.params["ratio"] == 0.5 and draw.params["sample_size"] is None
    too_many = make_user("lonely", org_unit=world.station, roles=[(Role.STREET_OFFICER, world.street)])
    client.force_login(too_many)
    response = client.post(url("draw-run", draw.pk), follow=True)  # no inspector pool: a clear error
    assert response.status_code == 200 and response.context["messages"]
