import datetime

import pytest
from django.core.exceptions import ValidationError

from firegrid.core.models import AuditEvent
from firegrid.core.roles import Role
from firegrid.org.models import Qualification, Region, RoleAssignment
from firegrid.org.testing import PASSWORD, square


def test_unknown_region_code_is_a_400_naming_the_field(world, api_client):
    api_client.force_authenticate(world.district_admin)
    response = api_client.post(
        "/api/v1/regions/", {"code": "X1", "name": "x", "level": "street", "parent": "NOPE"}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()


def test_polygon_that_does_not_close_is_rejected(world, api_client):
    api_client.force_authenticate(world.street_officer)
    ring = [[106.0, 28.0], [106.05, 28.0], [106.05, 28.05], [106.0, 28.05]]
    response = api_client.post(
        "/api/v1/regions/",
        {
            "code": "T5010103",
            "name": "新网格",
            "level": "grid",
            "parent": world.community.code,
            "boundary": {"type": "Polygon", "coordinates": [ring]},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "close" in str(response.json()["boundary"])
    assert not Region.objects.filter(code="T5010103").exists()


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Point", "coordinates": [106.0, 28.0]},
        {"type": "Polygon", "coordinates": "nonsense"},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},  # self-intersecting
        "not an object",
    ],
)
def test_bad_boundaries_are_400_not_500(world, api_client, boundary):
    api_client.force_authenticate(world.district_admin)
    response = api_client.post(
        "/api/v1/regions/",
        {
            "code": "T5010109",
            "name": "坏网格",
            "level": "grid",
            "parent": world.community.code,
            "boundary": boundary,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "boundary" in response.json()


def test_wrong_parent_level_is_rejected(world, api_client):
    api_client.force_authenticate(world.district_admin)
    response = api_client.post(
        "/api/v1/regions/",
        {"code": "T59", "name": "x", "level": "grid", "parent": world.street.code},
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()


def test_street_officer_creates_a_grid_and_it_is_located(world, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        "/api/v1/regions/",
        {
            "code": "T5010201",
            "name": "石佛一网格",
            "level": "grid",
            "parent": world.community2.code,
            "boundary": square(106.2, 28.0, 0.1),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["path"] == "/T500/T501/T50102/T5010201/"
    located = api_client.get("/api/v1/regions/locate/?lat=28.05&lng=106.25")
    assert located.status_code == 200
    assert located.json()["code"] == "T5010201"
    assert api_client.get("/api/v1/regions/locate/?lat=28.05&lng=106.15").json()["code"] == world.grid_b.code
    bad = api_client.get("/api/v1/regions/locate/?lat=north&lng=106.15")
    assert bad.status_code == 400 and "lat" in bad.json()


def test_locate_is_scoped(world, api_client):
    api_client.force_authenticate(world.grid_worker_a)
    assert api_client.get("/api/v1/regions/locate/?lat=28.05&lng=106.05").json()["code"] == world.grid_a.code
    assert api_client.get("/api/v1/regions/locate/?lat=28.05&lng=106.15").status_code == 404


def test_moving_a_community_moves_its_subtree(world):
    world.community.parent = world.street2
    world.community.full_clean()
    world.community.save()
    world.grid_a.refresh_from_db()
    assert world.grid_a.path == "/T500/T502/T50101/T5010101/"


def test_staff_member_cannot_be_assigned_outside_their_street(world, api_client):
    api_client.force_authenticate(world.district_admin)
    response = api_client.post(
        "/api/v1/role-assignments/",
        {"user": world.grid_worker_a.pk, "role": "grid_worker", "region": world.grid_s2.code},
        format="json",
    )
    assert response.status_code == 400
    assert "region" in response.json()
    with pytest.raises(ValidationError):
        RoleAssignment.objects.create(user=world.grid_worker_a, role=Role.GRID_WORKER, region=world.grid_s2)


def test_inspector_needs_a_valid_qualification_in_the_model_layer(world, api_client):
    with pytest.raises(ValidationError) as excinfo:
        RoleAssignment.objects.create(user=world.grid_worker_a, role=Role.INSPECTOR, region=world.grid_a)
    assert "user" in excinfo.value.message_dict
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        "/api/v1/role-assignments/",
        {"user": world.grid_worker_a.pk, "role": "inspector", "region": world.grid_a.code},
        format="json",
    )
    assert response.status_code == 400 and "user" in response.json()
    today = datetime.date.today()
    expired = Qualification.objects.create(
        user=world.grid_worker_a,
        kind="enforcement",
        passed_on=today - datetime.timedelta(days=800),
        expires_on=today - datetime.timedelta(days=1),
    )
    assert not world.grid_worker_a.can_inspect()
    with pytest.raises(ValidationError):
        RoleAssignment.objects.create(user=world.grid_worker_a, role=Role.INSPECTOR, region=world.grid_a)
    expired.expires_on = today + datetime.timedelta(days=365)
    expired.save()
    RoleAssignment.objects.create(user=world.grid_worker_a, role=Role.INSPECTOR, region=world.grid_a)
    assert world.grid_worker_a in type(world.grid_worker_a).objects.qualified_inspectors()


def test_role_level_is_checked(world, api_client):
    api_client.force_authenticate(world.district_admin)
    response = api_client.post(
        "/api/v1/role-assignments/",
        {"user": world.grid_worker_a.pk, "role": "street_officer", "region": world.grid_a.code},
        format="json",
    )
    assert response.status_code == 400 and "region" in response.json()


def test_qualification_dates_are_checked(world, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        "/api/v1/qualifications/",
        {
            "user": world.grid_worker_a.pk,
            "kind": "enforcement",
            "passed_on": "2026-05-01",
            "expires_on": "2025-05-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "expires_on" in response.json()
    response = api_client.post(
        "/api/v1/qualifications/",
        {
            "user": world.grid_worker_a.pk,
            "kind": "enforcement",
            "passed_on": "not a date",
            "expires_on": "2025-05-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "passed_on" in response.json()


def test_department_needs_known_sectors(world, api_client):
    api_client.force_authenticate(world.district_admin)
    response = api_client.post(
        "/api/v1/org-units/",
        {"kind": "department", "name": "区某局", "region": world.district.code, "sectors": ["astrology"]},
        format="json",
    )
    assert response.status_code == 400 and "sectors" in response.json()


def test_one_committee_per_street(world, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        "/api/v1/org-units/",
        {"kind": "committee", "name": "第二个委员会", "region": world.street.code},
        format="json",
    )
    assert response.status_code == 400 and "kind" in response.json()


def test_protected_delete_is_a_400(world, api_client):
    api_client.force_authenticate(world.district_admin)
    response = api_client.delete(f"/api/v1/regions/{world.street.pk}/")
    assert response.status_code == 400
    assert Region.objects.filter(pk=world.street.pk).exists()


def test_audit_rows_written_for_api_create_update_delete(world, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        "/api/v1/residential-areas/",
        {"kind": "compound", "name": "新建小区", "region": world.grid_a.code, "built_year": 1995},
        format="json",
    )
    assert response.status_code == 201
    area_id = response.json()["id"]
    api_client.patch(f"/api/v1/residential-areas/{area_id}/", {"built_year": 1996}, format="json")
    events = list(AuditEvent.objects.filter(object_id=str(area_id), content_type__model="residentialarea"))
    assert [e.action for e in events] == ["update", "create"]
    assert events[0].changes == {"built_year": [1995, 1996]}
    assert events[0].actor == world.street_officer and events[0].source == "api"
    history = api_client.get(f"/api/v1/residential-areas/{area_id}/history/").json()["results"]
    assert [h["action"] for h in history] == ["update", "create"]
    assert api_client.delete(f"/api/v1/residential-areas/{area_id}/").status_code == 204
    deleted = AuditEvent.objects.filter(object_id=str(area_id), action="delete").get()
    assert deleted.actor == world.street_officer and deleted.object_repr == "新建小区"


def test_password_never_lands_in_audit(world, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.patch(
        f"/api/v1/users/{world.grid_worker_a.pk}/",
        {"password": "a-new-long-password-123", "phone": "1390000"},
        format="json",
    )
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.filter(
        content_type__model="user", object_id=str(world.grid_worker_a.pk)
    ).first()
    assert event.changes == {"phone": ["", "1390000"]}
    assert "password" not in response.json()


def test_token_login_and_lockout(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    ok = client.post("/api/v1/auth/token/", {"username": "grid_worker_a", "password": PASSWORD})
    assert ok.status_code == 200
    token = ok.json()["token"]
    me = client.get("/api/v1/users/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.json()["username"] == "grid_worker_a"
    for _ in range(3):
        bad = client.post("/api/v1/auth/token/", {"username": "grid_worker_b", "password": "wrong"})
        assert bad.status_code in (400, 403, 429)
    locked = client.post("/api/v1/auth/token/", {"username": "grid_worker_b", "password": PASSWORD})
    assert locked.status_code in (403, 429) or "token" not in locked.json()
    page = client.post("/accounts/login/", {"username": "grid_worker_b", "password": PASSWORD})
    assert page.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_healthz_schema_and_docs(world, client, api_client):
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["database"] == "ok"
    api_client.force_authenticate(world.district_admin)
    schema = api_client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/regions/" in schema.content
    assert api_client.get("/api/v1/docs/").status_code == 200


def test_m2m_changes_are_audited(world, api_client):
    api_client.force_authenticate(world.district_admin)
    response = api_client.patch(
        f"/api/v1/org-units/{world.police.pk}/", {"covered_regions": [world.street.code, world.street2.code]},
        format="json",
    )
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.filter(object_id=str(world.police.pk), content_type__model="orgunit").first()
    assert event.changes == {"covered_regions": {"added": [world.street2.pk]}}
    assert event.actor == world.district_admin
