"""Staff pages of hazard cases: scoping per persona, recording a case, the whole loop walked through
the page forms by the right people, refusals and stale pages as messages, and the reporter block."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from firegrid.hazards import actions
from firegrid.hazards.choices import CaseStatus, Channel, EventKind, Level, Severity, Source
from firegrid.hazards.models import Attachment, HazardCase
from firegrid.hazards.tests.conftest import png

pytestmark = pytest.mark.django_db

REPORTER = {"reporter_name": "王举报", "reporter_phone": "13912345678"}


def url(name, *args):
    return reverse(f"hazards:{name}", args=args)


def body(response):
    return response.content.decode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cases(world, make_case):
    """One reported case in grid A, one at the police-supervised hotel in grid B, one in street 2."""
    return {
        "a": make_case(description="桥河便利店安全出口堵塞", **REPORTER),
        "b": make_case(world.hotel_b, description="河滨旅馆灭火器过期"),
        "s2": make_case(world.shop_s2, description="沙溪超市电线私拉乱接"),
    }


def listed(client, user, query=""):
    client.force_login(user)
    response = client.get(url("list") + query)
    assert response.status_code == 200
    return {case.tracking_code for case in response.context["cases"]}


def step(client, case, name, data=None, files=None, version=None, follow=True):
    """POST a step as the page's form would: the step's prefix and the version the page showed."""
    case.refresh_from_db()
    payload = {f"{name}-version": case.version if version is None else version}
    payload.update({f"{name}-{key}": value for key, value in (data or {}).items()})
    payload.update({f"{name}-{key}": value for key, value in (files or {}).items()})
    return client.post(url("step", case.pk, name), payload, follow=follow)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def offered(response):
    return [s.name for s, _f in response.context["primary_steps"] + response.context["other_steps"]]


# ---- scoping -----------------------------------------------------------------------------------


def test_list_scoping_per_persona(client, world, cases):
    a, b, s2 = (cases[k].tracking_code for k in ("a", "b", "s2"))
    assert listed(client, world.district_admin) == {a, b, s2}
    assert listed(client, world.street_officer) == {a, b}
    assert listed(client, world.street2_officer) == {s2}
    assert listed(client, world.grid_worker_a) == {a}
    assert listed(client, world.grid_worker_b) == {b}
    assert listed(client, world.police_officer) == {b}  # the hotel is police-supervised
    assert listed(client, world.unit_owner) == {a}  # their own shop
    assert listed(client, world.dept_staff) == set()
    assert listed(client, world.nobody) == set()


def test_list_needs_a_login_and_links_from_the_nav(client, world, cases):
    response = client.get(url("list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(world.grid_worker_a)
    assert url("list") in body(client.get(reverse("home")))


def test_detail_out_of_scope_is_a_404(client, world, cases):
    client.force_login(world.grid_worker_b)
    assert client.get(url("detail", cases["a"].pk)).status_code == 404
    assert client.get(url("notice", cases["a"].pk)).status_code == 404
    assert client.post(url("step", cases["a"].pk, "confirm"), {"confirm-version": 1}).status_code == 404
    assert client.get(url("detail", cases["b"].pk)).status_code == 200
    client.force_login(world.street2_officer)
    for case in (cases["a"], cases["b"]):
        assert client.get(url("detail", case.pk)).status_code == 404
    client.force_login(world.nobody)
    assert client.get(url("detail", cases["s2"].pk)).status_code == 404
    assert client.get(url("detail", 999999)).status_code == 404


def test_list_filters(client, world, cases, category):
    a, b = cases["a"], cases["b"]
    actions.confirm(b, actor=world.street_officer, severity=Severity.MAJOR)
    user = world.street_officer
    assert listed(client, user, "?severity=major") == {b.tracking_code}
    assert listed(client, user, "?level=grid") == {a.tracking_code}
    assert listed(client, user, "?status=confirmed") == {b.tracking_code}
    assert listed(client, user, "?state=open") == {a.tracking_code, b.tracking_code}
    assert listed(client, user, "?state=closed") == set()
    assert listed(client, user, f"?q={a.tracking_code.lower()}") == {a.tracking_code}
    assert listed(client, user, "?q=灭火器") == {b.tracking_code}
    assert listed(client, user, f"?region={world.grid_b.code}") == {b.tracking_code}
    assert listed(client, user, f"?category={category.code}&source=public&channel=web") == {
        a.tracking_code,
        b.tracking_code,
    }
    HazardCase.objects.filter(pk=a.pk).update(step_due="2020-01-01T00:00:00Z")
    assert listed(client, user, "?state=overdue") == {a.tracking_code}
    response = client.get(url("list"))
    assert "hz-overdue" in body(response)  # the overdue deadline is highlighted


# ---- recording a case --------------------------------------------------------------------------


def test_street_officer_records_a_12345_call(client, world, category):
    client.force_login(world.street_officer)
    assert client.get(url("new")).status_code == 200
    response = client.post(
        url("new"),
        {
            "place_code": world.shop_a.code.lower(),
            "category": category.pk,
            "description": "来电反映便利店门口堆放纸箱",
            "channel": Channel.HOTLINE_12345,
            "external_ref": "12345-2026-0001",
            "reporter_name": "李先生",
            "reporter_phone": "13700000000",
            "photos": [png("a.png"), png("b.png")],
        },
        follow=True,
    )
    case = HazardCase.objects.get(external_ref="12345-2026-0001")
    assert response.redirect_chain[-1][0] == url("detail", case.pk)
    assert case.place == world.shop_a and case.region == world.grid_a
    assert case.source == Source.PUBLIC and case.channel == Channel.HOTLINE_12345
    assert case.reporter is None and case.reporter_name == "李先生"
    event = case.events.get()
    assert event.actor == world.street_officer  # the officer typed it in, the caller reported it
    assert Attachment.objects.filter(case=case, event=event).count() == 2
    assert "李先生" in body(response)  # the street officer sees the reporter


def test_grid_worker_records_by_location_and_bad_input_is_a_form_error(client, world, category):
    client.force_login(world.grid_worker_a)
    base = {"category": category.pk, "description": "楼道电动车充电", "channel": Channel.STAFF}
    response = client.post(url("new"), base)
    assert response.status_code == 200 and "place_code" in response.context["form"].errors
    response = client.post(url("new"), base | {"place_code": "ZZZZZZZZ"})
    assert "No place with this code" in body(response)
    response = client.post(url("new"), base | {"lat": 28.05, "lng": 106.15})  # grid B: not theirs
    assert "outside your jurisdiction" in body(response)
    response = client.post(url("new"), base | {"lat": 20.0, "lng": 100.0})  # outside the district
    assert "outside the district" in body(response)
    response = client.post(
        url("new"), base | {"place_code": world.shop_a.code, "photos": [png()], "channel": "web"}
    )
    assert "channel" in response.context["form"].errors
    assert HazardCase.objects.count() == 0
    response = client.post(url("new"), base | {"lat": 28.05, "lng": 106.05}, follow=True)
    case = HazardCase.objects.get()
    assert case.region == world.grid_a and case.place is None and case.source == Source.PATROL
    assert response.status_code == 200 and case.tracking_code in body(response)


def test_unit_owner_and_nobody_cannot_record(client, world):
    for user in (world.unit_owner, world.nobody):
        client.force_login(user)
        assert client.get(url("new")).status_code == 404


# ---- the loop through the page forms -----------------------------------------------------------


def test_grid_worker_walks_a_general_case_to_closed(client, world, cases):
    case = cases["a"]
    client.force_login(world.grid_worker_a)
    response = client.get(url("detail", case.pk))
    assert offered(response) == ["confirm", "reject", "escalate", "comment"]
    assert response.context["primary_steps"][0][1]["severity"].is_hidden  # major is the street's call
    response = step(client, case, "confirm", {"note": "现场核实属实"})
    assert "Confirmed." in messages_of(response)
    assert offered(response)[0] == "order"
    response = step(
        client, case, "order", {"deadline": "2099-01-31", "responsible_party": "桥河便利店张老板"}
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ORDERED and case.notice_number and str(case.deadline) == "2099-01-31"
    assert url("notice", case.pk) in body(response)
    step(client, case, "start")
    response = step(client, case, "rectified", {"note": "杂物已清理"}, files={"photos": png("fixed.png")})
    case.refresh_from_db()
    assert case.status == CaseStatus.RECTIFIED
    assert case.attachments.filter(kind="evidence").count() == 1
    step(client, case, "reinspect", {"passed": "yes", "note": "复查合格"})
    response = step(client, case, "close", {"note": "办结"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.close_reason == "fixed"
    assert offered(response) == ["comment"]
    kinds = [e.kind for e in case.events.all()]
    assert kinds == ["reported", "confirmed", "ordered", "started", "rectified", "reinspected_pass", "closed"]
    timeline = body(response)
    for text in ("现场核实属实", "杂物已清理", "复查合格", case.notice_number):
        assert text in timeline


def test_a_major_case_is_walked_by_the_street_and_the_owner(client, world, cases):
    case = cases["a"]
    client.force_login(world.street_officer)
    step(client, case, "confirm", {"severity": Severity.MAJOR, "note": "构成重大火灾隐患"})
    case.refresh_from_db()
    assert case.severity == Severity.MAJOR and case.level == Level.STREET
    client.force_login(world.grid_worker_a)
    response = client.get(url("detail", case.pk))
    assert "order" not in offered(response)  # the grid no longer holds it
    client.force_login(world.street_officer)
    step(client, case, "order")
    client.force_login(world.unit_owner)  # the owner reports the rectification of their own shop
    response = client.get(url("detail", case.pk))
    assert offered(response)[:2] == ["start", "rectified"]
    step(client, case, "rectified", {"note": "已整改"})
    client.force_login(world.street_officer)
    step(client, case, "reinspect", {"passed": "no", "note": "仍有堵塞", "deadline": "2099-02-01"})
    case.refresh_from_db()
    assert case.status == CaseStatus.RECTIFYING and str(case.deadline) == "2099-02-01"
    client.force_login(world.unit_owner)
    step(client, case, "rectified", {"note": "彻底清理"})
    client.force_login(world.street_officer)
    step(client, case, "reinspect", {"passed": "yes"})
    step(client, case, "close")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_escalate_whistle_check_in_and_supervise_through_the_pages(client, world, make_case):
    case = make_case(world.school_a, description="学校宿舍电线老化")
    client.force_login(world.grid_worker_a)
    step(client, case, "escalate", {"reason": "需街道协调"})
    case.refresh_from_db()
    assert case.level == Level.STREET
    client.force_login(world.street_officer)
    response = client.get(url("detail", case.pk))
    assert "whistle" in offered(response) and "supervise" not in offered(response)
    step(client, case, "whistle", {"department": world.department.pk, "reason": "请区教委督促学校整改"})
    client.force_login(world.dept_staff)
    response = client.get(url("detail", case.pk))
    assert offered(response)[0] == "checkin"
    response = step(client, case, "checkin", {"note": "已报到"})
    case.refresh_from_db()
    assert case.checked_in_at is not None
    client.force_login(world.district_admin)
    response = step(client, case, "supervise", {"reason": "限期办结", "due": "2099-03-01"})
    case.refresh_from_db()
    assert case.supervised_at is not None and case.supervision_due.date().isoformat() == "2099-03-01"
    assert "区教委" in body(response)


def test_reject_as_duplicate_names_the_other_case(client, world, cases, make_case):
    dup = make_case(description="同一处出口堵塞")
    client.force_login(world.grid_worker_a)
    response = step(client, dup, "reject", {"close_reason": "duplicate", "reason": "重复举报"}, follow=False)
    assert response.status_code == 400 and response.context["bound_step"] == "reject"
    reject_form = next(f for s, f in response.context["other_steps"] if s.name == "reject")
    assert "duplicate_of" in reject_form.errors and "Name the case" in body(response)
    response = step(
        client,
        dup,
        "reject",
        {"close_reason": "duplicate", "reason": "重复举报", "duplicate_of": cases["a"].tracking_code},
    )
    dup.refresh_from_db()
    assert dup.status == CaseStatus.REJECTED and dup.duplicate_of == cases["a"]
    assert dup.close_reason == "duplicate"


# ---- refusals ----------------------------------------------------------------------------------


def test_a_forbidden_step_shows_the_reason_and_changes_nothing(client, world, cases):
    case = cases["a"]
    actions.confirm(case, actor=world.street_officer, severity=Severity.MAJOR)
    case.refresh_from_db()
    before = (case.version, case.status, case.events.count())
    client.force_login(world.grid_worker_a)
    response = step(client, case, "order", {"deadline": "2099-01-31"})
    assert response.status_code == 200
    text = " ".join(messages_of(response))
    assert "You may not order rectification of this case" in text
    case.refresh_from_db()
    assert (case.version, case.status, case.events.count()) == before
    # a step that does not apply to the status: a conflict, explained
    response = step(client, case, "close")
    assert "cannot be closed now" in " ".join(messages_of(response))
    # the police officer has no say on a shop
    client.force_login(world.police_officer)
    assert client.post(url("step", case.pk, "close"), {"close-version": case.version}).status_code == 404


def test_a_grid_worker_cannot_declare_a_major_hazard(client, world, cases):
    case = cases["a"]
    client.force_login(world.grid_worker_a)
    page = client.get(url("detail", case.pk))
    confirm_form = page.context["primary_steps"][0][1]
    assert confirm_form["severity"].is_hidden  # not offered to them
    response = step(client, case, "confirm", {"severity": "major"})  # posted anyway
    assert "Only street-level or district staff may confirm a major hazard." in messages_of(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.severity == Severity.GENERAL
    step(client, case, "confirm", {"severity": "general"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CONFIRMED


def test_a_stale_page_gets_the_conflict_message(client, world, cases):
    case = cases["a"]
    client.force_login(world.grid_worker_a)
    page_version = case.version
    actions.confirm(case, actor=world.street_officer)  # someone else acts meanwhile
    response = step(
        client, case, "reject", {"close_reason": "not_hazard", "reason": "不是隐患"}, version=page_version
    )
    text = " ".join(messages_of(response))
    assert "changed this case meanwhile" in text and "nothing was saved" in text
    case.refresh_from_db()
    assert case.status == CaseStatus.CONFIRMED
    assert response.redirect_chain[-1][0] == url("detail", case.pk)


def test_bad_input_is_a_form_error_not_a_500(client, world, cases):
    case = cases["a"]
    client.force_login(world.grid_worker_a)
    step(client, case, "confirm")
    response = step(client, case, "order", {"deadline": "2000-01-01"}, follow=False)
    assert response.status_code == 400 and "cannot be in the past" in body(response)
    assert response.context["bound_step"] == "order"
    response = step(client, case, "comment", {"note": ""}, follow=False)
    assert response.status_code == 400
    response = step(client, case, "comment", {"note": "附图"}, files={"photos": png()}, follow=False)
    assert response.status_code == 302
    response = step(
        client,
        case,
        "comment",
        {"note": "坏图"},
        files={"photos": SimpleUploadedFile("x.png", b"GIF89a-nope", content_type="image/png")},
        follow=False,
    )
    assert response.status_code == 400 and "is not a JPEG, PNG or WebP image" in body(response)
    assert case.events.filter(kind=EventKind.COMMENT).count() == 1  # the bad upload wrote nothing
    assert client.post(url("step", case.pk, "nonsense"), {}).status_code == 404
    response = client.post(url("step", case.pk, "close"), {}, follow=True)  # no version at all
    assert "reload it" in " ".join(messages_of(response))


# ---- who sees the reporter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("street_officer", True),
        ("district_admin", True),
        ("grid_worker_a", False),
        ("police_officer", False),
        ("unit_owner", False),
    ],
)
def test_reporter_block_only_for_those_who_may_call_back(client, world, make_case, persona, sees):
    case = make_case(world.hotel_b if persona == "police_officer" else world.shop_a, **REPORTER)
    client.force_login(getattr(world, persona))
    response = client.get(url("detail", case.pk))
    assert response.status_code == 200
    page = body(response)
    assert ('id="reporter"' in page) is sees
    assert ("13912345678" in page) is sees and ("王举报" in page) is sees


def test_internal_events_are_for_staff_only(client, world, cases):
    case = cases["a"]
    actions.comment(case, actor=world.grid_worker_a, note="内部备注：业主态度差")
    client.force_login(world.grid_worker_a)
    assert "内部备注" in body(client.get(url("detail", case.pk)))
    client.force_login(world.unit_owner)
    page = body(client.get(url("detail", case.pk)))
    assert "内部备注" not in page and "安全出口" in page
    step(client, case, "comment", {"note": "我已联系物业"})  # the owner sees their own note
    assert "我已联系物业" in body(client.get(url("detail", case.pk)))


def test_photos_are_served_to_those_in_scope(client, world, make_case):
    case = make_case(photos=[png()])
    attachment = case.attachments.get()
    client.force_login(world.grid_worker_a)
    response = client.get(url("file", case.pk, attachment.pk))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(world.grid_worker_b)
    assert client.get(url("file", case.pk, attachment.pk)).status_code == 404


def test_events_show_what_they_carried(client, world, cases):
    case = cases["a"]
    actions.confirm(case, actor=world.grid_worker_a)
    actions.order(case, actor=world.grid_worker_a)
    client.force_login(world.grid_worker_a)
    page = body(client.get(url("detail", case.pk)))
    case.refresh_from_db()
    assert f"Notice No. {case.notice_number}" in page and "Rectify by" in page
    assert str(EventKind.ORDERED.label) in page
