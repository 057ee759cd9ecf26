"""Place.street (the street of the place's region) is kept in step on every write path, and the street
officers' lists, which match it by id, follow a place or a region moved to another street."""

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from firegrid.core.roles import Role
from firegrid.org.models import RoleAssignment, User
from firegrid.org.testing import PERSONAS
from firegrid.places.actions import save_place
from firegrid.places.models import Place


def fresh(user):
    return User.objects.get(pk=user.pk)  # no scope cached on the object


def api_ids(api_client, user, query=""):
    api_client.force_authenticate(fresh(user))
    ids, url = set(), f"/api/v1/places/?limit=500{query}"
    while url:
        page = api_client.get(url).json()
        ids.update(r["id"] for r in page["results"])
        url = page["next"]
    return ids


def by_path(user, action="view"):
    """The same user's places with street grants matched by region path, the way it was before."""
    rules = Place.scope_rules
    try:
        Place.scope_rules = dataclasses.replace(rules, street=None)
        return set(Place.objects.restrict(fresh(user), action).values_list("pk", flat=True))
    finally:
        Place.scope_rules = rules


def by_street(user, action="view"):
    return set(Place.objects.restrict(fresh(user), action).values_list("pk", flat=True))


def test_every_write_path_sets_the_street(world):
    assert world.shop_a.street == world.street and world.shop_s2.street == world.street2
    assert Place.objects.filter(street__isnull=True).count() == 0

    # bulk_create (seed_demo, the xlsx import)
    made = Place.objects.bulk_create(
        [
            Place(name="一", kind="shop", region=world.grid_b, lat=28.05, lng=106.15, address="一"),
            Place(name="二", kind="shop", region=world.grid_s2, lat=28.05, lng=106.55, address="二"),
        ]
    )
    assert [p.street_id for p in made] == [world.street.pk, world.street2.pk]
    assert {p.street_id for p in Place.objects.filter(pk__in=[p.pk for p in made])} == {
        world.street.pk,
        world.street2.pk,
    }

    # bulk_update naming the region
    made[0].region = world.grid_s2
    Place.objects.bulk_update(made[:1], ["region"])
    assert Place.objects.get(pk=made[0].pk).street == world.street2

    # queryset update of the region
    Place.objects.filter(pk=made[1].pk).update(region=world.grid_a)
    assert Place.objects.get(pk=made[1].pk).street == world.street
    Place.objects.filter(pk=made[1].pk).update(region_id=world.grid_s2.pk)
    assert Place.objects.get(pk=made[1].pk).street == world.street2

    # save(update_fields=[region]) and a plain save
    place = Place.objects.get(pk=made[1].pk)
    place.region = world.grid_b
    place.save(update_fields=["region"])
    assert Place.objects.get(pk=place.pk).street == world.street
    place.region_id = world.grid_s2.pk
    place.save()
    assert Place.objects.get(pk=place.pk).street == world.street2

    # a place directly on a street or on the district
    place.region = world.street
    place.save()
    assert Place.objects.get(pk=place.pk).street == world.street
    place.region = world.district
    place.save()
    assert Place.objects.get(pk=place.pk).street is None


def test_street_is_not_audited(world):
    from firegrid.core.models import AuditEvent

    world.shop_a.lat, world.shop_a.lng = 28.05, 106.55
    save_place(world.shop_a, actor=world.district_admin)
    changes = AuditEvent.objects.filter(object_id=str(world.shop_a.pk), action="update").first().changes
    assert "region" in changes and "street" not in changes


def test_place_moved_to_another_street_changes_lists(world, api_client):
    assert world.shop_a.pk in api_ids(api_client, world.street_officer)
    assert world.shop_a.pk not in api_ids(api_client, world.street2_officer)

    api_client.force_authenticate(fresh(world.district_admin))
    response = api_client.patch(
        f"/api/v1/places/{world.shop_a.pk}/", {"lat": 28.05, "lng": 106.55}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["region"] == world.grid_s2.code

    assert world.shop_a.pk not in api_ids(api_client, world.street_officer)
    assert world.shop_a.pk in api_ids(api_client, world.street2_officer)
    assert world.shop_a.pk in api_ids(api_client, world.district_admin, f"&within={world.street2.code}")
    assert world.shop_a.pk not in api_ids(api_client, world.district_admin, f"&within={world.street.code}")
    api_client.force_authenticate(fresh(world.street_officer))
    assert api_client.get(f"/api/v1/places/{world.shop_a.pk}/").status_code == 404
    assert (
        api_client.patch(f"/api/v1/places/{world.shop_a.pk}/", {"name": "x"}, format="json").status_code
        == 404
    )
    layer = api_client.get("/api/v1/places/geojson/").json()["features"]
    assert world.shop_a.pk not in {f["id"] for f in layer}
    api_client.force_authenticate(fresh(world.street2_officer))
    assert api_client.get(f"/api/v1/places/{world.shop_a.pk}/").status_code == 200
    layer = api_client.get("/api/v1/places/geojson/").json()["features"]
    assert world.shop_a.pk in {f["id"] for f in layer}


def test_place_moved_leaves_the_street_officers_page_list(world, client):
    client.force_login(fresh(world.street_officer))
    assert "桥河便利店" in client.get("/places/").content.decode()
    world.shop_a.lat, world.shop_a.lng = 28.05, 106.55
    save_place(world.shop_a, actor=world.district_admin)
    assert "桥河便利店" not in client.get("/places/").content.decode()
    client.force_login(fresh(world.street2_officer))
    assert "桥河便利店" in client.get("/places/").content.decode()


@pytest.mark.parametrize("moved", ["community", "grid_b"])
def test_region_moved_to_another_street_carries_its_places(world, api_client, moved):
    region = getattr(world, moved)
    region.parent = world.street2 if moved == "community" else world.community_s2
    region.full_clean()
    region.save()
    carried = {world.hotel_b.pk} | (
        {world.shop_a.pk, world.mall_a.pk, world.school_a.pk} if moved == "community" else set()
    )
    assert set(Place.objects.filter(street=world.street2).values_list("pk", flat=True)) == carried | {
        world.shop_s2.pk
    }
    assert not carried & api_ids(api_client, world.street_officer)
    assert carried <= api_ids(api_client, world.street2_officer)
    for persona in PERSONAS:
        user = getattr(world, persona)
        assert by_street(user) == by_path(user), persona
        assert by_street(user, "change") == by_path(user, "change"), persona


def test_street_matches_the_path_for_every_persona(world):
    for persona in PERSONAS:
        user = getattr(world, persona)
        assert by_street(user) == by_path(user), persona
        assert by_street(user, "change") == by_path(user, "change"), persona


def test_street_grant_is_one_indexed_clause(world):
    """A street officer's places by street id (no prefix match on the joined region); a second role
    on the same street adds no second clause; the owner clause is left out for non-owners."""
    RoleAssignment.objects.create(user=world.street_officer, role=Role.INSPECTOR, region=world.street)
    user = fresh(world.street_officer)
    assert {g.role for g in user_grants(user)} == {Role.STREET_OFFICER, Role.INSPECTOR}
    sql = str(Place.objects.restrict(user).query)
    assert "street_id" in sql and "LIKE" not in sql.upper()
    assert sql.split(" WHERE ", 1)[1].count("street_id") == 1
    assert "owners" not in sql
    assert (
        by_street(user)
        == by_path(user)
        == {
            world.shop_a.pk,
            world.hotel_b.pk,
            world.mall_a.pk,
            world.school_a.pk,
        }
    )
    # a grid worker's grant is below street level: still the path of the region
    assert "LIKE" in str(Place.objects.restrict(fresh(world.grid_worker_a)).query).upper()


def test_street_list_reads_one_query(world, api_client):
    api_client.force_authenticate(fresh(world.street_officer))
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get("/api/v1/places/?limit=50").status_code == 200
    places_sql = [q["sql"] for q in queries if '"places_place"' in q["sql"]]
    assert len(places_sql) == 1 and "LIKE" not in places_sql[0].upper()


def user_grants(user):
    from firegrid.core.scoping import user_scope

    return user_scope(user).grants
