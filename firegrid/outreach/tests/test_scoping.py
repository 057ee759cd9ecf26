"""Scoping of the organisational lists (training, certificates, learning, volunteers, publicity) on
pages, details, API and exports: own region's subtree and the district-wide roles; police and
inspectors get nothing from their area; department staff and unit owners see only what names them."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from firegrid.outreach import actions
from firegrid.outreach.models import Attendance, PublicityActivity, PublicitySite, TrainingSession, Volunteer

TODAY = datetime.date.today()
ALL = {"s1", "s2"}
SEES = {
    "district_admin": ALL,
    "street_officer": {"s1"},
    "street2_officer": {"s2"},
    "grid_worker_a": {"s1"},  # a session of the street holds grid A; grid workers see their street's? no:
    "police_officer": set(),
    "dept_staff": {"dept"},
    "unit_owner": set(),
    "nobody": set(),
}
# the sessions are held at the community level (s1) and in the other street (s2); grid workers see
# rows of their grid's subtree only, so a community session is not theirs unless they attended it
SEES["grid_worker_a"] = set()


@pytest.fixture
def org(world):
    w = world
    w.s1 = TrainingSession.objects.create(
        topic="s1", audience="committee_member", held_on=TODAY, trainer="t", region=w.community
    )
    w.s2 = TrainingSession.objects.create(
        topic="s2", audience="property_staff", held_on=TODAY, trainer="t", region=w.street2
    )
    # the department's staff attended a district session and were certified
    w.sd = TrainingSession.objects.create(
        topic="dept", audience="other", held_on=TODAY, trainer="t", region=w.district
    )
    attendance = Attendance.objects.create(
        session=w.sd, user=w.dept_staff, name="d", group="other", result="passed"
    )
    actions.issue_certificate(attendance, actor=w.district_admin)
    Volunteer.objects.create(name="s1", region=w.community, joined_on=TODAY)
    Volunteer.objects.create(name="s2", region=w.street2, joined_on=TODAY)
    site = PublicitySite.objects.create(name="s1", kind="bulletin_board", region=w.community)
    PublicityActivity.objects.create(
        title="s1", kind="bulletin_board", site=site, region=w.community, held_on=TODAY, reach=50
    )
    PublicityActivity.objects.create(
        title="s2", kind="five_into", target="school", region=w.street2, held_on=TODAY, reach=300
    )
    return w


@pytest.mark.parametrize("persona", sorted(SEES))
def test_lists_details_api_exports(org, persona, client, api_client):
    w = org
    user = getattr(w, persona)
    expected = SEES[persona]
    sessions = {s.topic for s in TrainingSession.objects.restrict(user)}
    assert sessions - {"dept"} == expected - {"dept"}
    assert ("dept" in sessions) == (persona in ("district_admin", "dept_staff"))
    client.force_login(user)
    for session in (w.s1, w.s2):
        status = client.get(f"/outreach/training/{session.pk}/").status_code
        assert status == (200 if session.topic in expected else 404)
    api_client.force_authenticate(user)
    for url in ("/api/v1/outreach/volunteers/", "/api/v1/outreach/publicity/"):
        rows = api_client.get(url).json()["results"]
        got = {r.get("name") or r.get("title") for r in rows}
        assert got == expected - {"dept"}, url
    certificates = api_client.get("/api/v1/outreach/certificates/").json()["results"]
    assert bool(certificates) == (persona in ("district_admin", "dept_staff"))
    for name, column in (("volunteers", 0), ("publicity", 1), ("sessions", 1)):
        response = client.get(f"/outreach/export/{name}.xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        got = {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)} - {"dept"}
        assert got == expected - {"dept"}, name
    assert client.get("/outreach/publicity/").status_code == 200
    api = api_client.get("/api/v1/outreach/export/volunteers/")
    assert api.status_code == 200 and api["Content-Type"].startswith("application/vnd.openxml")


def test_writes_are_scoped(org, api_client):
    w = org
    api_client.force_authenticate(w.street_officer)
    response = api_client.post(
        "/api/v1/outreach/sessions/",
        {
            "topic": "外街培训",
            "audience": "grid_worker",
            "held_on": TODAY.isoformat(),
            "trainer": "x",
            "region": w.street2.code,
        },
        format="json",
    )
    assert response.status_code == 400 and "region" in response.json()
    api_client.force_authenticate(w.grid_worker_a)
    response = api_client.post(
        "/api/v1/outreach/volunteers/",
        {"name": "x", "region": w.grid_a.code, "joined_on": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 403
    api_client.force_authenticate(w.police_officer)
    assert api_client.get(f"/api/v1/outreach/sessions/{w.s1.pk}/").status_code == 404
