"""Reporters in the loop: adding information, "me too", "not fixed" reopening for review, merging
duplicates with every reporter kept informed, and honest closing reasons on the tracking page."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from firegrid.hazards import actions, reporter_actions
from firegrid.hazards.actions import Conflict, Forbidden
from firegrid.hazards.choices import CaseStatus, CloseReason, EventKind
from firegrid.hazards.followers import CaseFollower
from firegrid.hazards.models import HazardCase
from firegrid.hazards.tests.conftest import png


def track(code):
    return f"/track/{code}/"


def closed_case(world, make_case, **kwargs):
    """A public report walked to closed (fixed)."""
    case = make_case(**kwargs)
    officer = world.street_officer
    actions.confirm(case, actor=officer)
    actions.order(case, actor=officer)
    actions.rectified(case, actor=officer, note="已清理")
    actions.reinspect(case, actor=officer, passed=True)
    actions.close(case, actor=officer)
    return HazardCase.objects.get(pk=case.pk)


def kinds(case):
    return list(case.events.values_list("kind", flat=True))


# ---- adding information -----------------------------------------------------------------------


def test_reporter_adds_information_with_a_photo_on_the_public_timeline(
    client, world, make_case, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = make_case()
    response = client.post(track(case.tracking_code) + "add/", {"note": "今天又堵上了", "photos": [png()]})
    assert response.status_code == 302
    event = case.events.get(kind=EventKind.INFO_ADDED)
    assert event.is_public and event.note == "今天又堵上了" and event.attachments.count() == 1
    page = client.get(track(case.tracking_code)).content.decode()
    assert "今天又堵上了" in page and 'data-kind="info_added"' in page
    assert "Member of the public" in page.split('data-kind="info_added"')[1][:400]


def test_adding_nothing_or_a_bad_photo_changes_nothing(client, world, make_case):
    case = make_case()
    client.post(track(case.tracking_code) + "add/", {"note": "  "})
    bad = client.post(
        track(case.tracking_code) + "add/",
        {"note": "x", "photos": [png(name="a.png").__class__("a.png", b"not an image", "image/png")]},
        follow=True,
    )
    assert "is not a JPEG, PNG or WebP image" in bad.content.decode()
    assert not case.events.filter(kind=EventKind.INFO_ADDED).exists()
    assert client.post("/track/NOSUCHCODE/add/", {"note": "x"}).status_code == 404


# ---- me too -----------------------------------------------------------------------------------


def test_me_too_follows_the_case_privately(client, world, make_case):
    case = make_case()
    response = client.post(
        f"/report/me-too/{case.pk}/", {"name": "李四", "phone": "13800001111", "email": "li@example.com"}
    )
    assert response.status_code == 302 and response["Location"] == track(case.tracking_code)
    follower = CaseFollower.objects.get(case=case)
    assert follower.source == "me_too" and follower.phone == "13800001111"
    assert HazardCase.objects.count() == 1  # no new case
    page = client.get(track(case.tracking_code)).content.decode()
    assert "13800001111" not in page and "李四" not in page and 'data-kind="me_too"' in page
    # the street officer sees who follows; a grid worker does not
    client.force_login(world.street_officer)
    assert "13800001111" in client.get(f"/hazards/{case.pk}/").content.decode()
    client.force_login(world.grid_worker_a)
    assert "13800001111" not in client.get(f"/hazards/{case.pk}/").content.decode()


def test_me_too_refuses_closed_and_unpublished_cases(world, make_case):
    case = closed_case(world, make_case)
    with pytest.raises(Conflict):
        reporter_actions.me_too(case, name="x")
    hidden = make_case()
    HazardCase.objects.filter(pk=hidden.pk).update(is_public=False)
    with pytest.raises(Conflict):
        reporter_actions.me_too(hidden, name="x")


# ---- not fixed: reopen for review -------------------------------------------------------------


def test_not_fixed_reopens_a_closed_case_for_review_and_the_staff_confirm_it(
    client, world, make_case, django_capture_on_commit_callbacks
):
    case = closed_case(world, make_case, reporter_email="r@example.com")
    page = client.get(track(case.tracking_code)).content.decode()
    assert 'id="not-fixed"' in page and "Fixed" in page
    response = client.post(track(case.tracking_code) + "not-fixed/", {"note": "通道还是堵着"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED and case.close_reason == "" and case.is_open
    event = case.events.get(kind=EventKind.NOT_FIXED)
    assert event.data == {"previous_status": "closed", "previous_close_reason": "fixed"}
    assert case.reminders.exists()  # the holders are told why it is back
    # the staff see why and review it
    client.force_login(world.grid_worker_a)
    detail = client.get(f"/hazards/{case.pk}/").content.decode()
    assert "通道还是堵着" in detail and 'id="step-review"' in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/hazards/{case.pk}/review/", {"review-version": case.version, "review-still_hazard": "1"}
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CONFIRMED
    assert any("reviewed" in m.subject for m in mail.outbox)


def test_the_review_may_close_it_again_with_its_earlier_reason(world, make_case):
    case = make_case()
    actions.reject(case, actor=world.street_officer, reason="不是隐患")
    reporter_actions.not_fixed(case, note="是隐患")
    case.refresh_from_db()
    with pytest.raises(Exception, match="Say why"):
        reporter_actions.review_reopened(case, actor=world.street_officer, still_hazard=False)
    reporter_actions.review_reopened(
        case, actor=world.street_officer, still_hazard=False, note="复核不是隐患"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED and case.close_reason == CloseReason.NOT_HAZARD
    with pytest.raises(Forbidden):  # not theirs to review
        reporter_actions.not_fixed(case, note="again")
        reporter_actions.review_reopened(case, actor=world.grid_worker_b, still_hazard=True)


def test_not_fixed_is_refused_on_open_old_duplicate_and_not_ours_cases(world, make_case, settings):
    settings.REOPEN_DAYS = 10
    open_case = make_case()
    with pytest.raises(Conflict):
        reporter_actions.not_fixed(open_case, note="x")
    old = closed_case(world, make_case)
    HazardCase.objects.filter(pk=old.pk).update(closed_at=timezone.now() - datetime.timedelta(days=11))
    with pytest.raises(Conflict, match="more than 10 days"):
        reporter_actions.not_fixed(old, note="x")
    theirs = make_case()
    reporter_actions.reject(
        theirs,
        actor=world.street_officer,
        reason="电力线路",
        close_reason=CloseReason.NOT_RESPONSIBLE,
        referred_to="国网綦江供电公司",
    )
    with pytest.raises(Conflict, match="国网綦江供电公司"):
        reporter_actions.not_fixed(theirs, note="x")
    assert not HazardEvent_exists(EventKind.NOT_FIXED)


def HazardEvent_exists(kind):
    from firegrid.hazards.models import HazardEvent

    return HazardEvent.objects.filter(kind=kind).exists()


# ---- merging duplicates -----------------------------------------------------------------------


def test_staff_merge_a_duplicate_and_every_reporter_follows_the_original(
    client, world, make_case, django_capture_on_commit_callbacks
):
    original = make_case(reporter_name="甲", reporter_email="a@example.com")
    duplicate = make_case(reporter_name="乙", reporter_phone="13900000002", reporter_email="b@example.com")
    reporter_actions.me_too(duplicate, name="丙", email="c@example.com")
    client.force_login(world.grid_worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/hazards/{duplicate.pk}/reject/",
            {
                "reject-version": HazardCase.objects.get(pk=duplicate.pk).version,
                "reject-close_reason": "duplicate",
                "reject-duplicate_of": original.tracking_code,
                "reject-reason": "同一处隐患",
            },
        )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.REJECTED and duplicate.close_reason == CloseReason.DUPLICATE
    assert duplicate.duplicate_of == original
    assert EventKind.MERGED_INTO in kinds(duplicate) and EventKind.MERGED in kinds(original)
    followers = CaseFollower.objects.filter(case=original, source="merged")
    assert {f.name for f in followers} == {"乙", "丙"} and {f.via_case_id for f in followers} == {
        duplicate.pk
    }
    sent_to = {address for m in mail.outbox for address in m.to}
    assert {"b@example.com", "c@example.com"} <= sent_to
    assert any(original.tracking_code in m.body for m in mail.outbox)
    # the tracking page of the duplicate is honest and links the original
    client.logout()
    page = client.get(track(duplicate.tracking_code)).content.decode()
    assert "Duplicate" in page and f'href="/track/{original.tracking_code}/"' in page
    assert 'id="not-fixed"' not in page


def test_merge_guards(world, make_case):
    original = make_case()
    duplicate = make_case()
    with pytest.raises(Exception, match="Name the case"):
        reporter_actions.merge(duplicate, into=duplicate, actor=world.street_officer)
    with pytest.raises(Forbidden):
        reporter_actions.merge(duplicate, into=original, actor=world.grid_worker_b)
    reporter_actions.merge(duplicate, into=original, actor=world.street_officer)
    third = make_case()
    with pytest.raises(Exception, match="itself a duplicate"):
        reporter_actions.merge(
            third, into=HazardCase.objects.get(pk=duplicate.pk), actor=world.street_officer
        )
    with pytest.raises(Conflict):  # already merged
        reporter_actions.merge(duplicate, into=original, actor=world.street_officer)


# ---- honest closing reasons -------------------------------------------------------------------


def test_not_our_responsibility_names_whose(client, world, make_case):
    case = make_case()
    client.force_login(world.grid_worker_a)
    version = HazardCase.objects.get(pk=case.pk).version
    data = {
        "reject-version": version,
        "reject-close_reason": "not_responsible",
        "reject-reason": "电力线路老化",
    }
    response = client.post(f"/hazards/{case.pk}/reject/", data)
    assert response.status_code == 400 and "Say whose responsibility it is." in response.content.decode()
    response = client.post(f"/hazards/{case.pk}/reject/", data | {"reject-referred_to": "国网綦江供电公司"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.close_reason == CloseReason.NOT_RESPONSIBLE and case.referred_to == "国网綦江供电公司"
    client.logout()
    page = client.get(track(case.tracking_code)).content.decode()
    assert "Not our responsibility" in page and "国网綦江供电公司" in page


def test_api_reject_not_responsible_needs_whose(api_client, world, make_case):
    case = make_case()
    api_client.force_authenticate(world.street_officer)
    url = f"/api/v1/hazards/{case.pk}/reject/"
    body = {"reason": "燃气管道", "close_reason": "not_responsible"}
    response = api_client.post(url, body, format="json")
    assert response.status_code == 400 and "referred_to" in response.json()
    response = api_client.post(url, body | {"referred_to": "燃气公司"}, format="json")
    assert response.status_code == 200
    assert HazardCase.objects.get(pk=case.pk).referred_to == "燃气公司"


def test_tracking_page_shows_fixed_and_not_a_hazard(client, world, make_case):
    fixed = closed_case(world, make_case)
    assert "Fixed" in client.get(track(fixed.tracking_code)).content.decode()
    rejected = make_case()
    actions.reject(rejected, actor=world.street_officer, reason="正常堆放")
    page = client.get(track(rejected.tracking_code)).content.decode()
    assert "Not a hazard" in page and 'id="not-fixed"' in page


def test_open311_reports_a_reopened_case_as_open(client, world, make_case):
    case = closed_case(world, make_case)
    reporter_actions.not_fixed(case, note="没修好")
    body = client.get("/open311/v2/requests.json", {"service_request_id": case.pk}).json()
    assert body[0]["status"] == "open"
