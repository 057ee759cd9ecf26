"""Permission matrix: every persona against every org list and detail endpoint.

Expected visibility is written out by hand from MISSION.md's scope table, not derived from the
code under test.
"""

import pytest

from firegrid.org.testing import PERSONAS

ALL = set(PERSONAS)
STREET1 = {"district_admin", "street_officer", "police_officer"}

# endpoint, object in the world, personas who may see it
MATRIX = [
    ("regions", "district", {"district_admin", "dept_staff"}),
    ("regions", "street", STREET1 | {"dept_staff"}),
    ("regions", "grid_a", STREET1 | {"dept_staff", "grid_worker_a"}),
    ("regions", "grid_b", STREET1 | {"dept_staff", "grid_worker_b"}),
    ("regions", "street2", {"district_admin", "street2_officer", "dept_staff"}),
    ("org-units", "micro_a", STREET1 | {"grid_worker_a"}),
    ("org-units", "micro_b", STREET1 | {"grid_worker_b"}),
    ("org-units", "station", STREET1),
    ("org-units", "station2", {"district_admin", "street2_officer"}),
    ("org-units", "police", STREET1),
    ("org-units", "department", {"district_admin", "dept_staff"}),
    ("residential-areas", "area_a", STREET1 | {"grid_worker_a"}),
    ("residential-areas", "area_b", STREET1 | {"grid_worker_b"}),
    ("residential-areas", "area_s2", {"district_admin", "street2_officer"}),
    ("fire-managers", "manager_a", STREET1 | {"grid_worker_a"}),
    ("fire-managers", "manager_s2", {"district_admin", "street2_officer"}),
    ("users", "grid_worker_a", STREET1 | {"grid_worker_a"}),
    ("users", "grid_worker_b", STREET1 | {"grid_worker_b"}),
    ("users", "street2_officer", {"district_admin", "street2_officer"}),
    ("users", "dept_staff", {"district_admin", "dept_staff"}),
    ("users", "unit_owner", {"district_admin", "unit_owner"}),
    ("org-members", "committee_member", STREET1),
    ("org-members", "group_member", STREET1),
    ("role-assignments", "grid_worker_b_role", STREET1 | {"grid_worker_b"}),
    ("role-assignments", "dept_staff_role", {"district_admin", "dept_staff"}),
    ("qualifications", "street_officer_qualification", STREET1),
]


def _obj(world, name):
    return getattr(world, name)


def _list_ids(client, endpoint):
    ids, url = set(), f"/api/v1/{endpoint}/?limit=1000"
    response = client.get(url)
    assert response.status_code == 200, response.content
    ids.update(row["id"] for row in response.json()["results"])
    return ids


@pytest.mark.parametrize("persona", sorted(ALL))
def test_matrix_list_and_detail(world, api_client, persona):
    api_client.force_authenticate(getattr(world, persona))
    failures = []
    lists = {}
    for endpoint, name, allowed in MATRIX:
        obj = _obj(world, name)
        if endpoint not in lists:
            lists[endpoint] = _list_ids(api_client, endpoint)
        expected = persona in allowed or (endpoint == "users" and name == persona)
        detail = api_client.get(f"/api/v1/{endpoint}/{obj.pk}/")
        if expected and (detail.status_code != 200 or obj.pk not in lists[endpoint]):
            failures.append(f"{persona} should see {endpoint}/{name}: detail {detail.status_code}")
        if not expected and (detail.status_code != 404 or obj.pk in lists[endpoint]):
            failures.append(f"{persona} must not see {endpoint}/{name}: detail {detail.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "endpoint", sorted({row[0] for row in MATRIX} | {"org-members", "role-assignments", "qualifications"})
)
def test_anonymous_gets_nothing(world, api_client, endpoint):
    assert api_client.get(f"/api/v1/{endpoint}/").status_code == 401


def test_grid_worker_a_gets_404_for_grid_b_everywhere(world, api_client):
    api_client.force_authenticate(world.grid_worker_a)
    for url in [
        f"/api/v1/regions/{world.grid_b.pk}/",
        f"/api/v1/org-units/{world.micro_b.pk}/",
        f"/api/v1/residential-areas/{world.area_b.pk}/",
        f"/api/v1/users/{world.grid_worker_b.pk}/",
        f"/api/v1/regions/{world.grid_b.pk}/history/",
    ]:
        assert api_client.get(url).status_code == 404, url
    assignment = world.grid_worker_b.role_assignments.get()
    assert api_client.get(f"/api/v1/role-assignments/{assignment.pk}/").status_code == 404


def test_members_roles_qualifications_scoped(world, api_client):
    qualification = world.street_officer.qualifications.get()
    committee_member = world.committee.members.get()
    api_client.force_authenticate(world.street2_officer)
    assert api_client.get(f"/api/v1/qualifications/{qualification.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/org-members/{committee_member.pk}/").status_code == 404
    assert _list_ids(api_client, "qualifications") == set()
    api_client.force_authenticate(world.street_officer)
    assert api_client.get(f"/api/v1/qualifications/{qualification.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/org-members/{committee_member.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["grid_worker_a", "police_officer", "dept_staff", "unit_owner"])
def test_readers_cannot_write(world, api_client, persona):
    api_client.force_authenticate(getattr(world, persona))
    response = api_client.patch(f"/api/v1/residential-areas/{world.area_a.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 404
    response = api_client.post(
        "/api/v1/residential-areas/",
        {"kind": "compound", "name": "x", "region": world.grid_a.code},
        format="json",
    )
    assert response.status_code == 400
    assert "region" in response.json()
    world.area_a.refresh_from_db()
    assert world.area_a.name == "桥河小区"


def test_street_officer_cannot_write_other_street(world, api_client):
    api_client.force_authenticate(world.street_officer)
    response = api_client.patch(
        f"/api/v1/residential-areas/{world.area_s2.pk}/", {"name": "x"}, format="json"
    )
    assert response.status_code == 404
    response = api_client.post(
        "/api/v1/org-units/", {"kind": "committee", "name": "x", "region": world.street2.code}, format="json"
    )
    assert response.status_code == 400
    assert "region" in response.json()
    response = api_client.patch(
        f"/api/v1/residential-areas/{world.area_a.pk}/", {"name": "新名"}, format="json"
    )
    assert response.status_code == 200
