"""A process remembers a user's grants (core.scoping.user_scope) only with a shared cache and only while
the auth version (core.authversion) and the day are the ones they were read at: any write to what a
scope is made of is seen by the next request, in every process."""

import datetime

import pytest
from django.utils import timezone

from firegrid.core.roles import Role
from firegrid.core.scoping import user_scope
from firegrid.org.models import RoleAssignment, User
from firegrid.org.testing import make_user
from firegrid.places.models import Place


@pytest.fixture
def on_redis(shared_cache):
    return shared_cache


def fresh(user):
    """The user as the next request loads it (nothing cached on the object)."""
    return User.objects.get(pk=user.pk)


def visible(user):
    return set(Place.objects.restrict(fresh(user), "view").values_list("name", flat=True))


def test_the_grants_are_remembered_between_requests(world, on_redis, django_assert_num_queries):
    first = user_scope(fresh(world.street_officer))
    again = fresh(world.street_officer)
    with django_assert_num_queries(0):
        assert user_scope(again).grants == first.grants and first.grants


def test_without_a_shared_cache_nothing_is_remembered(world, django_assert_num_queries):
    user_scope(fresh(world.street_officer))
    again = fresh(world.street_officer)
    with django_assert_num_queries(1):
        user_scope(again)


def test_a_role_taken_away_or_added_is_seen_at_once(world, on_redis):
    assert "桥河便利店" in visible(world.street_officer)
    RoleAssignment.objects.filter(user=world.street_officer).delete()
    assert visible(world.street_officer) == set()
    assert visible(world.nobody) == set()
    RoleAssignment.objects.create(user=world.nobody, role=Role.STREET_OFFICER, region=world.street2)
    assert visible(world.nobody) == {"沙溪超市"}


def test_a_police_station_covering_another_street_is_seen_at_once(world, on_redis):
    assert "河滨旅馆" in visible(world.police_officer)
    before = visible(world.police_officer)
    world.police.covered_regions.set([world.street2])
    after = visible(world.police_officer)
    assert after != before and "河滨旅馆" not in after


def test_a_superuser_flag_and_a_deactivation_are_seen_at_once(world, on_redis):
    assert visible(world.nobody) == set()
    world.nobody.is_superuser = True
    world.nobody.save()
    assert "沙溪超市" in visible(world.nobody)
    world.street_officer.is_active = False
    world.street_officer.save()
    assert visible(world.street_officer) == set()


def test_a_login_keeps_what_is_remembered(world, on_redis, django_assert_num_queries):
    user_scope(fresh(world.street_officer))
    world.district_admin.last_login = timezone.now()
    world.district_admin.save(update_fields=["last_login"])
    again = fresh(world.street_officer)
    with django_assert_num_queries(0):
        user_scope(again)


def test_a_role_that_ends_today_is_gone_tomorrow(world, on_redis, monkeypatch):
    today = timezone.localdate()
    user = make_user("officer_until_today", roles=[(Role.STREET_OFFICER, world.street)])
    RoleAssignment.objects.filter(user=user).update(ends_on=today)  # no signal: the calendar moves on
    assert "桥河便利店" in visible(user)
    assert "桥河便利店" in visible(user)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + datetime.timedelta(days=1))
    assert visible(user) == set()


def test_redis_down_reads_the_grants_every_time(world, on_redis, django_assert_num_queries):
    user_scope(fresh(world.street_officer))
    on_redis.stop()
    again = fresh(world.street_officer)
    with django_assert_num_queries(1):
        assert user_scope(again).grants
