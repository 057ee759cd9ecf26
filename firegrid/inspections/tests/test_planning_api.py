import datetime

from firegrid.core.roles import Role
from firegrid.org.testing import make_user

YEAR = datetime.date.today().year + 1


def test_plan_coverage_and_campaign_api_are_scoped(world, api_client):
    make_user("p-insp", org_unit=world.station, roles=[(Role.INSPECTOR, world.street)], qualified=True)
    api_client.force_authenticate(world.grid_worker_a)
    denied = api_client.post("/api/v1/plans/", {"year": YEAR, "region": world.street.code}, format="json")
    assert denied.status_code == 400 and "region" in denied.json()
    api_client.force_authenticate(world.street_officer)
    made = api_client.post("/api/v1/plans/", {"year": YEAR, "region": world.street.code}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["created"] >= 4
    api_client.force_authenticate(world.grid_worker_a)
    items = api_client.get(f"/api/v1/plan-items/?plan={made.json()['id']}&limit=500").json()["results"]
    assert {i["place"] for i in items} == {world.shop_a.pk, world.mall_a.pk, world.school_a.pk}
    assert api_client.get(f"/api/v1/plans/{made.json()['id']}/").status_code == 404  # street plan, not theirs
    figures = api_client.get(f"/api/v1/coverage/?year={YEAR}").json()
    assert figures["places"] == 3 and figures["never_inspected"] == 3
    assert api_client.get("/api/v1/coverage/?year=soon").status_code == 400
    assert api_client.get("/api/v1/coverage/?within=NOPE").status_code == 400
    api_client.force_authenticate(world.street2_officer)
    assert api_client.get(f"/api/v1/coverage/?year={YEAR}").json()["places"] == 1
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/coverage/").status_code == 401


def test_campaign_api(world, api_client):
    api_client.force_authenticate(world.street_officer)
    today = datetime.date.today()
    body = {
        "name": "自建房专项",
        "kind": "self_built",
        "region": world.street.code,
        "filters": {"kind": ["shop"]},
        "checklists": [],
        "starts_on": str(today),
        "deadline": str(today - datetime.timedelta(days=1)),
    }
    bad = api_client.post("/api/v1/campaigns/", body, format="json")
    assert bad.status_code == 400 and "deadline" in bad.json()
    body["deadline"] = str(today + datetime.timedelta(days=10))
    made = api_client.post("/api/v1/campaigns/", body, format="json")
    assert made.status_code == 201 and made.json()["targets"] == 1
    progress = api_client.get(f"/api/v1/campaigns/{made.json()['id']}/progress/").json()
    assert progress == [
        {
            "street": world.street.code,
            "street_name": world.street.name,
            "places": 1,
            "inspected": 0,
            "pct": 0.0,
            "late": False,
        }
    ]
