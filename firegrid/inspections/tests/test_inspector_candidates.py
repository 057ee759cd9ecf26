"""Who may be named on an inspection (`inspector_candidates`) and the user scope it builds on
(`User.objects.restrict`): the id-subquery forms give exactly the rows of the plain join forms they
replaced, for every persona of the world and every place, with extra people placed so that each clause
of the rules decides somebody (a unit under the street without a role, a role without a unit, units and
roles in the other street, an owner, a deactivated colleague)."""

import dataclasses

import pytest
from django.db.models import Q

from firegrid.core.roles import Role
from firegrid.inspections.forms import inspector_candidates
from firegrid.org.models import OrgUnit, User
from firegrid.org.testing import PERSONAS, make_user
from firegrid.places.models import Place

pytestmark = pytest.mark.django_db


def joined_candidates(user, place):
    """The candidates as written before: LEFT JOINs along each chain, ORed."""
    parts = [p for p in place.region.path.split("/") if p]
    ancestors = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    street_path = ancestors[1] if len(ancestors) > 1 else ancestors[0]
    nearby = (
        Q(role_assignments__region__path__in=ancestors)
        | Q(role_assignments__region__path__startswith=street_path)
        | Q(org_unit__region__path__startswith=street_path)
        | Q(pk__in=place.owners.values("pk"))
    )
    in_scope = User.objects.restrict(user).filter(nearby).values("pk")
    return User.objects.filter(Q(pk__in=in_scope) | Q(pk=user.pk), is_active=True).order_by(
        "full_name", "username"
    )


@pytest.fixture
def joined_rules(monkeypatch):
    """Switch User's scope rules back to the joined form for the block that asks for it."""

    class Switch:
        def __enter__(self):
            monkeypatch.setattr(User, "scope_rules", dataclasses.replace(rules, chains_by_key=False))

        def __exit__(self, *exc):
            monkeypatch.setattr(User, "scope_rules", rules)

    rules = User.scope_rules
    assert rules.chains_by_key  # the rules under test use the id subqueries
    return Switch()


@pytest.fixture
def crowd(world):
    """People each clause of the rules decides about."""
    w = world
    w.street_unit = OrgUnit.objects.create(kind="work_station", name="古南第二工作站", region=w.community2)
    w.unit_only = make_user("unit_only", org_unit=w.street_unit)  # works in the street, no role
    w.role_only = make_user("role_only", roles=[(Role.GRID_WORKER, w.grid_b)])  # a role, no unit
    w.other_street = make_user("other_street", org_unit=w.station2, roles=[(Role.GRID_WORKER, w.grid_s2)])
    w.district_only = make_user("district_only", roles=[(Role.DISTRICT_ADMIN, w.district)])
    w.no_unit = make_user("no_unit")
    w.gone = make_user("gone", org_unit=w.group, roles=[(Role.GRID_WORKER, w.grid_a)])
    w.gone.is_active = False
    w.gone.save()
    w.shop_a.owners.add(w.role_only)
    return w


def test_user_scope_equals_the_joined_rules_for_every_persona(crowd, joined_rules):
    everyone = set(User.objects.values_list("pk", flat=True))
    sizes = set()
    for name in PERSONAS:
        for action in ("view", "change"):
            persona = User.objects.get(username=name)  # a fresh object: no scope cached on it
            by_key = set(User.objects.restrict(persona, action).values_list("pk", flat=True))
            with joined_rules:
                persona = User.objects.get(username=name)
                joined = set(User.objects.restrict(persona, action).values_list("pk", flat=True))
            assert by_key == joined, (name, action)
            sizes.add(len(by_key))
    # the personas see different crowds, from none to everyone
    assert len(sizes) > 3 and min(sizes) == 0 and max(sizes) == len(everyone)


def test_a_street_officer_sees_the_street_people_through_the_unit_chain(crowd):
    w = crowd
    seen = set(User.objects.restrict(w.street_officer).values_list("username", flat=True))
    assert {"unit_only", "role_only", "grid_worker_a", "street_officer"} <= seen
    assert not {"other_street", "no_unit", "street2_officer"} & seen


def test_candidates_equal_the_joined_query_for_every_persona_and_place(crowd):
    places = list(Place.objects.select_related("region").order_by("pk"))
    assert len(places) >= 5
    counted = 0
    for name in PERSONAS:
        for place in places:
            persona = User.objects.get(username=name)
            got = [u.username for u in inspector_candidates(persona, place)]
            persona = User.objects.get(username=name)
            want = [u.username for u in joined_candidates(persona, place)]
            assert got == want, (name, place.name)
            counted += len(got)
    assert counted > len(PERSONAS) * len(places)  # more than each persona alone


def test_candidates_of_a_street_officer_for_a_shop_of_grid_a(crowd):
    w = crowd
    names = {u.username for u in inspector_candidates(w.street_officer, w.shop_a)}
    assert {"street_officer", "unit_only", "role_only", "grid_worker_a", "grid_worker_b"} <= names
    assert not {"gone", "other_street", "no_unit", "street2_officer"} & names
