"""The annual best-volunteer selection: ranked by hours, then activities, then kinds; the proposal
is confirmed by the street officer (a changed choice needs a reason); confirmed, it is final."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from firegrid.outreach import actions
from firegrid.outreach.models import Volunteer, VolunteerActivity, VolunteerHours

TODAY = datetime.date.today()


@pytest.fixture
def volunteers(world):
    w = world
    w.v1 = Volunteer.objects.create(name="志愿者甲", region=w.community, joined_on=TODAY)
    w.v2 = Volunteer.objects.create(name="志愿者乙", region=w.grid_a, joined_on=TODAY)
    w.v3 = Volunteer.objects.create(name="志愿者丙", region=w.community2, joined_on=TODAY)
    w.v_other = Volunteer.objects.create(name="外街志愿者", region=w.community_s2, joined_on=TODAY)
    day = TODAY.replace(month=1, day=10)
    a1 = VolunteerActivity.objects.create(
        title="敲门行动", kind="door_knocking", held_on=day, region=w.community
    )
    a2 = VolunteerActivity.objects.create(title="五进宣传", kind="publicity", held_on=day, region=w.community)
    last_year = VolunteerActivity.objects.create(
        title="去年活动", kind="drill", region=w.street, held_on=day.replace(year=day.year - 1)
    )
    a3 = VolunteerActivity.objects.create(title="沙溪演练", kind="drill", held_on=day, region=w.community_s2)
    for activity, volunteer, hours in (
        (a1, w.v1, 6),
        (a2, w.v1, 6),
        (a1, w.v2, 12),
        (a2, w.v3, 4),
        (last_year, w.v3, 20),
        (a3, w.v_other, 20),
    ):
        VolunteerHours.objects.create(activity=activity, volunteer=volunteer, hours=hours)
    return w


def test_ranking_and_confirmation(volunteers, client):
    w = volunteers
    selection = actions.compute_selection(w.street, TODAY.year, actor=w.street_officer, places=1, min_hours=8)
    entries = list(selection.entries.order_by("rank"))
    # 12 h each: v1 wins on two activities of two kinds; v3 has only 4 h this year; other street left out
    assert [(e.volunteer, float(e.hours), e.activities) for e in entries] == [
        (w.v1, 12, 2),
        (w.v2, 12, 1),
        (w.v3, 4, 1),
    ]
    assert [e.selected for e in entries] == [True, False, False]
    with pytest.raises(ValidationError) as exc:  # a different choice needs a reason
        actions.confirm_selection(selection, actor=w.street_officer, volunteer_ids=[w.v2.pk])
    assert "note" in exc.value.message_dict
    with pytest.raises(ValidationError):  # below the minimum hours
        actions.confirm_selection(selection, actor=w.street_officer, volunteer_ids=[w.v3.pk], note="x")
    with pytest.raises(ValidationError):  # grid workers do not confirm
        actions.confirm_selection(selection, actor=w.grid_worker_a)
    client.force_login(w.street_officer)
    response = client.post(
        f"/outreach/best-volunteers/{selection.pk}/", {"volunteers": [w.v2.pk], "note": "入户帮扶表现突出"}
    )
    assert response.status_code == 302
    selection.refresh_from_db()
    assert selection.status == "confirmed" and selection.confirmed_by == w.street_officer
    assert [e.volunteer for e in selection.entries.filter(selected=True)] == [w.v2]
    with pytest.raises(ValidationError):
        actions.compute_selection(w.street, TODAY.year, actor=w.street_officer)
    with pytest.raises(ValidationError):
        actions.confirm_selection(selection, actor=w.street_officer)


def test_selection_scope(volunteers, api_client):
    w = volunteers
    with pytest.raises(ValidationError):
        actions.compute_selection(w.street, TODAY.year, actor=w.street2_officer)
    api_client.force_authenticate(w.district_admin)
    response = api_client.post(
        "/api/v1/outreach/selections/compute/",
        {"year": TODAY.year, "region": w.district.code, "places": 2},
        format="json",
    )
    assert response.status_code == 201
    assert [e["name"] for e in response.json()["entries"]][:2] == ["外街志愿者", "志愿者甲"]
    api_client.force_authenticate(w.street2_officer)
    assert api_client.get(f"/api/v1/outreach/selections/{response.json()['id']}/").status_code == 404


def test_hours_outside_the_volunteers_area_are_refused(volunteers, api_client):
    w = volunteers
    activity = VolunteerActivity.objects.create(
        title="石佛村宣传", kind="publicity", held_on=TODAY, region=w.community2
    )
    api_client.force_authenticate(w.street_officer)
    response = api_client.post(
        "/api/v1/outreach/hours/", {"activity": activity.pk, "volunteer": w.v2.pk, "hours": 2}, format="json"
    )
    assert response.status_code == 400 and "volunteer" in response.json()
