"""API tokens are remembered by the process (core.tokens.RememberedTokenAuthentication) only with a shared
cache and only while the auth version is the one the token was read at: a revoked token or a deactivated
user is refused at the next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from firegrid.core import scoping, tokens

URL = "/api/v1/regions/"


@pytest.fixture(autouse=True)
def forget():
    tokens._remembered.clear()
    scoping._remembered_rows.clear()
    yield
    tokens._remembered.clear()
    scoping._remembered_rows.clear()


def with_token(api_client, user):
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return token


def token_reads(api_client):
    """The status of a GET and how many of its queries read an API token."""
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(URL)
    return response.status_code, sum('FROM "authtoken_token"' in q["sql"] for q in queries)


def test_a_seen_token_is_not_read_again(world, api_client, shared_cache):
    with_token(api_client, world.street_officer)
    assert token_reads(api_client) == (200, 1)
    assert token_reads(api_client) == (200, 0)
    assert token_reads(api_client) == (200, 0)


def test_the_remembered_token_opens_the_same_scope(world, api_client, shared_cache):
    with_token(api_client, world.street_officer)
    first = api_client.get(URL)
    again = api_client.get(URL)
    assert again.status_code == 200 and again.json() == first.json()


def test_a_revoked_token_is_refused_at_once(world, api_client, shared_cache):
    token = with_token(api_client, world.street_officer)
    assert token_reads(api_client) == (200, 1)
    assert token_reads(api_client) == (200, 0)
    token.delete()
    assert api_client.get(URL).status_code == 401


def test_a_replaced_token_works_and_the_old_one_is_refused(world, api_client, shared_cache):
    old = with_token(api_client, world.street_officer)
    api_client.get(URL)
    api_client.get(URL)
    old.delete()
    new = with_token(api_client, world.street_officer)
    assert token_reads(api_client) == (200, 1)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old.key}")
    assert api_client.get(URL).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {new.key}")
    assert token_reads(api_client) == (200, 0)


def test_a_deactivated_user_is_refused_at_once(world, api_client, shared_cache):
    with_token(api_client, world.street_officer)
    api_client.get(URL)
    assert token_reads(api_client) == (200, 0)
    world.street_officer.is_active = False
    world.street_officer.save()
    assert api_client.get(URL).status_code == 401


def test_each_token_opens_its_own_users_scope(world, api_client, shared_cache):
    with_token(api_client, world.street_officer)
    officer = api_client.get(URL).json()
    with_token(api_client, world.grid_worker_a)
    assert token_reads(api_client)[1] == 1  # another token: read
    worker = api_client.get(URL).json()  # remembered now
    assert worker != officer and worker["count"] < officer["count"]
    api_client.credentials(HTTP_AUTHORIZATION=api_client._credentials["HTTP_AUTHORIZATION"])
    assert api_client.get(URL).json() == worker


def test_redis_down_reads_the_token_every_time(world, api_client, shared_cache):
    with_token(api_client, world.street_officer)
    shared_cache.stop()
    assert token_reads(api_client) == (200, 1)
    assert token_reads(api_client) == (200, 1)


def test_without_a_shared_cache_every_request_reads_the_token(world, api_client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    with_token(api_client, world.street_officer)
    assert token_reads(api_client) == (200, 1)
    assert token_reads(api_client) == (200, 1)
