"""Household personal data per persona: the helper, the grid's workers, the community group and the
street officer see a household; nobody else does (not the district admin, police, departments,
unit owners), on pages, details, the API and the export."""

import io

import pytest
from openpyxl import load_workbook

from firegrid.core.roles import Role
from firegrid.org.testing import make_user
from firegrid.outreach import actions
from firegrid.outreach.models import Household

# persona -> the households (of homes: a, b, s2) they see
SEES = {
    "district_admin": set(),
    "street_officer": {"a", "b"},
    "street2_officer": {"s2"},
    "grid_worker_a": {"a"},
    "grid_worker_b": {"b"},
    "police_officer": set(),
    "dept_staff": set(),
    "unit_owner": set(),
    "nobody": set(),
}


def names(w, keys):
    return {getattr(w, f"home_{k}").name for k in keys}


@pytest.mark.parametrize("persona", sorted(SEES))
def test_household_visibility(homes, persona, client, api_client):
    w = homes
    user = getattr(w, persona)
    actions.record_visit(w.home_a, actor=w.grid_worker_a, outcome="completed", alarms_present="yes")
    expected = names(w, SEES[persona])
    assert {h.name for h in Household.objects.restrict(user)} == expected
    client.force_login(user)
    page = client.get("/outreach/households/").content.decode()
    for home in (w.home_a, w.home_b, w.home_s2):
        assert (home.address in page) == (home.name in expected)
        status = client.get(f"/outreach/households/{home.pk}/").status_code
        assert status == (200 if home.name in expected else 404)
    visit_page = client.get("/outreach/visits/").content.decode()
    assert (w.home_a.name in visit_page) == (w.home_a.name in expected)
    api_client.force_authenticate(user)
    rows = api_client.get("/api/v1/outreach/households/").json()["results"]
    assert {r["name"] for r in rows} == expected
    visits = api_client.get("/api/v1/outreach/visits/").json()["results"]
    assert bool(visits) == (w.home_a.name in expected)
    response = client.get("/outreach/export/households.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == expected


def test_the_helper_sees_the_household_wherever_they_work(homes):
    w = homes
    helper = make_user("community_helper", org_unit=w.group, roles=[(Role.COMMUNITY_MEMBER, w.community)])
    w.home_b.helper = helper
    w.home_b.save()
    assert set(Household.objects.restrict(helper)) == {w.home_a, w.home_b}
    # the helper role alone: a helper moved away keeps seeing only the household they care for
    helper.role_assignments.all().delete()
    helper._firegrid_scope = None
    del helper._firegrid_scope
    assert set(Household.objects.restrict(helper)) == {w.home_b}
    assert not Household.objects.restrict(helper, "change").exists()


def test_district_admin_gets_counts_not_names(homes, client):
    w = homes
    client.force_login(w.district_admin)
    page = client.get("/outreach/").content.decode()
    assert "household-summary" in page and w.home_a.name not in page and w.home_a.address not in page
    summary = actions.household_summary(w.district_admin)
    assert {r["area"].code: r["households"] for r in summary} == {"T501": 2, "T502": 1}


def test_hazard_case_from_a_visit_does_not_name_the_household(homes):
    w = homes
    visit = actions.record_visit(w.home_a, actor=w.grid_worker_a, outcome="completed", hazards=["wiring"])
    case = visit.hazard_cases.get()
    assert w.home_a.name not in case.description + case.address
    assert w.home_a.address not in case.address and not case.is_public
