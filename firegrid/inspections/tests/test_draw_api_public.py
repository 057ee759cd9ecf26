from firegrid.core.roles import Role
from firegrid.org.testing import make_place, make_user


def setup_pool(world):
    for i in range(4):
        make_user(f"insp{i}", org_unit=world.station, roles=[(Role.INSPECTOR, world.street)], qualified=True)
    for i in range(5):
        make_place(f"商铺{i}", "shop", 28.01 + i * 0.01, 106.01)


def test_announce_run_publish_and_public_pages(world, api_client, client):
    setup_pool(world)
    api_client.force_authenticate(world.street_officer)
    response = api_client.post(
        "/api/v1/draws/",
        {
            "title": "十二月抽查",
            "region": world.street.code,
            "params": {"filters": {"kind": ["shop"]}, "sample_size": 2},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    draw = response.json()
    assert draw["seed"] and draw["status"] == "announced"
    public = client.get(f"/public/draws/{draw['id']}/")
    assert public.status_code == 200 and draw["seed"] in public.content.decode()
    assert client.get(f"/public/draws/{draw['id']}/record.json").status_code == 404  # not yet published
    changed = api_client.post(
        f"/api/v1/draws/{draw['id']}/run/", {"params": {"filters": {}, "sample_size": 2}}, format="json"
    )
    assert changed.status_code == 400 and "params" in changed.json()
    ran = api_client.post(f"/api/v1/draws/{draw['id']}/run/", {}, format="json")
    assert ran.status_code == 200 and len(ran.json()["assignments"]) == 2
    assert client.get(f"/public/draws/{draw['id']}/").status_code == 404  # drawn, not yet published
    assert api_client.post(f"/api/v1/draws/{draw['id']}/publish/").status_code == 200
    page = client.get(f"/public/draws/{draw['id']}/").content.decode()
    assert "insp" in page and "not yet inspected" in page
    for private in ("13800000001", world.shop_a.credit_code or "no-credit-code-set"):
        assert private not in page
    record = client.get(f"/public/draws/{draw['id']}/record.json").json()
    assert record["seed"] == draw["seed"] and len(record["result"]) == 2


def test_draws_are_scoped(world, api_client):
    setup_pool(world)
    api_client.force_authenticate(world.street_officer)
    draw = api_client.post(
        "/api/v1/draws/",
        {"title": "x", "region": world.street.code, "params": {"sample_size": 1}},
        format="json",
    ).json()
    api_client.force_authenticate(world.street2_officer)
    assert api_client.get(f"/api/v1/draws/{draw['id']}/").status_code == 404
    assert api_client.post(f"/api/v1/draws/{draw['id']}/run/", {}, format="json").status_code == 404
    response = api_client.post(
        "/api/v1/draws/",
        {"title": "x", "region": world.street.code, "params": {"sample_size": 1}},
        format="json",
    )
    assert response.status_code == 400 and "region" in response.json()
    api_client.force_authenticate(world.grid_worker_a)
    assert api_client.get(f"/api/v1/draws/{draw['id']}/").status_code == 404
    api_client.force_authenticate(world.district_admin)
    assert api_client.get(f"/api/v1/draws/{draw['id']}/").status_code == 200
