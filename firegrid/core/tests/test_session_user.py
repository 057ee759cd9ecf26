"""The user of a session is remembered by the process (core.scoping.session_user, through
core.backends.SessionUserBackend) only with a shared cache and only while the auth version is the one
the row was read at: a deactivation or a new password ends the session at the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from firegrid.core import scoping
from firegrid.core.backends import SessionUserBackend
from firegrid.org.models import User
from firegrid.org.testing import PASSWORD

PAGE = "/field/"


@pytest.fixture
def on_redis(shared_cache):
    return shared_cache


@pytest.fixture(autouse=True)
def forget():
    scoping._remembered_rows.clear()
    yield
    scoping._remembered_rows.clear()


def user_reads(client, path=PAGE):
    """The status of a GET and how many of its queries read a user by id."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    reads = [q["sql"] for q in queries if 'FROM "org_user" WHERE "org_user"."id" =' in q["sql"]]
    return status, len(reads)


def signed_in(client, user):
    """Signed in through the login page, with the backends of the settings."""
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def test_the_user_is_read_once_and_then_remembered(world, client, on_redis):
    signed_in(client, world.grid_worker_a)
    assert user_reads(client) == (200, 1)
    assert user_reads(client) == (200, 0)
    assert user_reads(client) == (200, 0)


def test_without_a_shared_cache_every_request_reads_the_user(world, client):
    signed_in(client, world.grid_worker_a)
    assert user_reads(client) == (200, 1)
    assert user_reads(client) == (200, 1)


def test_a_deactivation_ends_the_session_at_once(world, client, on_redis):
    signed_in(client, world.grid_worker_a)
    assert user_reads(client) == (200, 1)
    assert user_reads(client) == (200, 0)
    user = User.objects.get(pk=world.grid_worker_a.pk)
    user.is_active = False
    user.save()
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_new_password_ends_the_session_at_once(world, client, on_redis):
    signed_in(client, world.grid_worker_a)
    assert user_reads(client) == (200, 1)
    assert user_reads(client) == (200, 0)
    user = User.objects.get(pk=world.grid_worker_a.pk)
    user.set_password("another-pass-2026-x")
    user.save()
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # the session is gone: it does not come back with the old password hash either
    assert client.get(PAGE).status_code == 302


def test_another_login_keeps_the_row_and_its_stamp_is_read_fresh(world, client, on_redis):
    signed_in(client, world.grid_worker_a)
    assert user_reads(client) == (200, 1)
    stamp = timezone.now().replace(microsecond=0)
    User.objects.filter(pk=world.grid_worker_a.pk).update(last_login=stamp)  # as a login elsewhere stamps it
    assert user_reads(client) == (200, 0)
    # the version still is the one the row was read at
    assert scoping.authversion.current() == scoping._remembered_rows[world.grid_worker_a.pk][0]
    remembered = SessionUserBackend().get_user(world.grid_worker_a.pk)
    assert "last_login" in remembered.get_deferred_fields()
    assert remembered.last_login == stamp  # read when asked for, not the remembered row's
    remembered.full_name = "新名字"
    remembered.save()  # writes what it holds, not an old stamp
    assert User.objects.get(pk=world.grid_worker_a.pk).last_login == stamp


def test_a_redis_outage_reads_the_user_every_time(world, client, on_redis):
    signed_in(client, world.grid_worker_a)
    assert user_reads(client) == (200, 1)
    on_redis.stop()
    assert user_reads(client) == (200, 1)
    assert user_reads(client) == (200, 1)
