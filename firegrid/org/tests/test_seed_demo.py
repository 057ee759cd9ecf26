import io
import itertools

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from shapely.geometry import shape

from firegrid.core.geo import bbox
from firegrid.core.roles import Role
from firegrid.org.choices import RegionLevel, UnitKind
from firegrid.org.compliance import district_compliance
from firegrid.org.demo import DEMO_PASSWORD, DISTRICT_CODE, PERSONAS
from firegrid.org.demo.geometry import centre
from firegrid.org.models import OrgUnit, Region, ResidentialArea, RoleAssignment, User


def seed(scale=1):
    out = io.StringIO()
    call_command("seed_demo", scale=scale, stdout=out)
    return out.getvalue()


def row_counts():
    models = list(apps.get_app_config("org").get_models()) + list(apps.get_app_config("core").get_models())
    counts = {m._meta.label: m._default_manager.count() for m in models}
    counts["covered_regions"] = OrgUnit.covered_regions.through.objects.count()
    return counts


def snapshot():
    return (
        list(Region.objects.order_by("code").values_list("code", "name", "kind", "boundary", "population")),
        list(
            ResidentialArea.objects.order_by("name", "lat").values_list("name", "kind", "built_year", "lat")
        ),
        list(User.objects.order_by("username").values_list("username", "full_name", "phone")),
    )


class Rollback(Exception):
    pass


def seeded_snapshot(scale):
    try:
        with transaction.atomic():
            seed(scale)
            result = snapshot()
            raise Rollback
    except Rollback:
        return result


@pytest.fixture
def seeded(db):
    return seed()


@pytest.mark.django_db
def test_second_run_adds_nothing(seeded):
    assert DEMO_PASSWORD in seeded and "grid_worker_a" in seeded
    before = row_counts()
    assert before["org.Region"] > 500 and before["org.ResidentialArea"] > 500
    out = seed()
    assert "skipping the base build" in out
    assert row_counts() == before


@pytest.mark.django_db
def test_personas_authenticate_with_their_roles(seeded):
    for username in PERSONAS:
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None, username
    admin = User.objects.get(username="district_admin")
    assert admin.is_staff and admin.is_superuser

    def region_of(username, role):
        return RoleAssignment.objects.get(user__username=username, role=role).region

    street = region_of("street_officer", Role.STREET_OFFICER)
    assert street.name == "古南街道" and User.objects.get(username="street_officer").can_inspect()
    grid_a = region_of("grid_worker_a", Role.GRID_WORKER)
    grid_b = region_of("grid_worker_b", Role.GRID_WORKER)
    assert grid_a != grid_b and grid_a.parent_id == grid_b.parent_id
    community = grid_a.parent
    assert community.parent == street
    assert region_of("community_member", Role.COMMUNITY_MEMBER) == community
    group = OrgUnit.objects.get(kind=UnitKind.COMMUNITY_GROUP, region=community)
    assert {User.objects.get(username=u).org_unit for u in ("grid_worker_a", "grid_worker_b")} == {group}

    police = RoleAssignment.objects.get(user__username="police_officer").unit
    assert police.name == "古南派出所" and street in police.covered_regions.all()
    assert RoleAssignment.objects.get(user__username="dept_staff").unit.sectors == ["education"]
    assert RoleAssignment.objects.get(user__username="unit_owner", role=Role.UNIT_OWNER).region is None

    # The personas' scopes work on the seeded data: grid A's worker sees grid A's areas only.
    worker = User.objects.get(username="grid_worker_a")
    visible = ResidentialArea.objects.restrict(worker)
    assert visible.exists() and all(a.region_id == grid_a.pk for a in visible)


@pytest.mark.django_db
def test_regions_nest_and_tile_exactly(seeded):
    regions = list(Region.objects.all())
    by_pk = {r.pk: r for r in regions}
    assert Region.objects.get(level=RegionLevel.DISTRICT).code == DISTRICT_CODE
    children = {}
    for region in regions:
        parent = by_pk.get(region.parent_id)
        assert region.path == f"{parent.path if parent else '/'}{region.code}/"
        assert (region.min_lng, region.min_lat, region.max_lng, region.max_lat) == bbox(region.boundary)
        children.setdefault(region.parent_id, []).append(region)
    for parent_id, kids in children.items():
        if parent_id is None:
            continue
        outer = shape(by_pk[parent_id].boundary)
        shapes = [shape(k.boundary) for k in kids]
        assert all(outer.covers(s) for s in shapes)
        assert sum(s.area for s in shapes) == pytest.approx(outer.area, rel=1e-9)
        assert all(a.intersection(b).area < 1e-12 for a, b in itertools.combinations(shapes, 2))
    for grid in (r for r in regions if r.level == RegionLevel.GRID):
        lat, lng = centre(bbox(grid.boundary))
        assert Region.objects.locate(lat, lng) == grid
    for area in ResidentialArea.objects.all():
        assert Region.objects.locate(area.lat, area.lng).pk == area.region_id


@pytest.mark.django_db
def test_bulk_rows_pass_model_validation(seeded):
    for region in Region.objects.all():
        region.full_clean()
    for unit in OrgUnit.objects.select_related("region", "residential_area__region"):
        unit.full_clean()
    for area in ResidentialArea.objects.select_related("region"):
        area.full_clean()
    for assignment in RoleAssignment.objects.select_related("user__org_unit__region", "region", "unit"):
        assignment.validate()


@pytest.mark.django_db
def test_compliance_shows_gaps_and_compliant_streets(seeded):
    reports = district_compliance(Region.objects.streets())
    assert len(reports) == 21
    by_name = {r.street_name: r for r in reports}
    assert by_name["古南街道"].compliant
    assert any(not r.compliant for r in reports) and sum(r.compliant for r in reports) >= 3
    codes = {g.code for r in reports for g in r.gaps}
    assert {
        "few_officers",
        "no_team",
        "few_qualified",
        "community_without_group",
        "area_without_manager",
    } <= codes
    assert by_name["横山镇"].station_officers == 1 and not by_name["石角镇"].has_team


@pytest.mark.django_db
def test_deterministic_and_scaled():
    first = seeded_snapshot(1)
    assert seeded_snapshot(1) == first
    doubled = seeded_snapshot(2)
    communities = sum(1 for r in first[0] if len(r[0]) == 12)
    assert sum(1 for r in doubled[0] if len(r[0]) == 12) >= 1.5 * communities
    assert len(doubled[1]) > len(first[1])


@pytest.mark.django_db
def test_a_failure_leaves_nothing_half_written(monkeypatch):
    def broken(today=None):
        raise RuntimeError("boom")

    monkeypatch.setattr("firegrid.org.management.commands.seed_demo.ensure_personas", broken)
    with pytest.raises(RuntimeError):
        seed()
    assert not Region.objects.exists() and not User.objects.exists()
