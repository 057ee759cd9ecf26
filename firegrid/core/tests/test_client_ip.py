"""The client's address behind reverse proxies (core.net.client_ip), as every rate limit and the login
lockout see it: with TRUSTED_PROXY_COUNT = n the n-th X-Forwarded-For entry from the right, else
REMOTE_ADDR; a forged entry on the left changes nothing."""

import pytest
from django.conf import settings as settings_module
from django.core.cache import cache
from django.test import Client, RequestFactory

from firegrid.core.net import client_ip
from firegrid.hazards import public_views
from firegrid.hazards.views import reporter
from firegrid.outreach import survey
from firegrid.outreach.models import SurveyResponse
from firegrid.outreach.views import publicity

RIGHT = {q.code: q.answer for q in survey.QUESTIONS}
NGINX = "127.0.0.1"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def request_from(remote=NGINX, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **extra)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    return request


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, NGINX),
        (0, "203.0.113.5", NGINX),  # no trusted proxy: the header is the client's word, ignored
        (1, None, NGINX),  # no header at all: the address the connection came from
        (1, "", NGINX),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # forged left-most entry
        (1, " 6.6.6.6 ,203.0.113.5 ", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),  # CDN then nginx
        (2, "203.0.113.5", "203.0.113.5"),  # fewer entries than proxies: the one a proxy wrote
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "6.6.6.6, not-an-address", NGINX),  # a malformed entry is never a key
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_from(forwarded=forwarded)) == expected


def test_no_address_is_none_not_a_made_up_one(settings):
    """django-axes stores the address in an IP column (PostgreSQL inet): "unknown" would not do."""
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from(remote=None)) is None
    assert client_ip(request_from(remote="")) is None
    assert client_ip(request_from(remote="unix:/run/firegrid.sock")) is None
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(remote=None, forwarded="garbage")) is None
    assert client_ip(request_from(remote=None, forwarded="203.0.113.5")) == "203.0.113.5"
    # the rate limits still key such requests, all on one shared allowance
    assert public_views.REPORTS.key(request_from(remote=None)) == public_views.REPORTS.key(
        request_from(remote="")
    )


def test_every_limiter_and_the_login_lockout_use_it(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    one, two = request_from(forwarded="203.0.113.5"), request_from(forwarded="198.51.100.7")
    spoofed = request_from(forwarded="6.6.6.6, 203.0.113.5")
    for limiter in [
        public_views.REPORTS,
        public_views.ATTEMPTS,
        reporter.LOOKUPS,
        reporter.UPDATES,
        publicity.SURVEYS,
    ]:
        assert limiter.key(one) != limiter.key(two), limiter.name
        assert limiter.key(one) == limiter.key(spoofed), limiter.name
    assert settings.AXES_CLIENT_IP_CALLABLE == "firegrid.core.net.client_ip"


def test_drf_throttles_follow_the_same_count():
    """REST_FRAMEWORK NUM_PROXIES is TRUSTED_PROXY_COUNT (0 by default), never DRF's None, which would
    key an anonymous throttle on whatever X-Forwarded-For the client sends."""
    from rest_framework.throttling import AnonRateThrottle

    assert settings_module.REST_FRAMEWORK["NUM_PROXIES"] == settings_module.TRUSTED_PROXY_COUNT == 0
    assert AnonRateThrottle().get_ident(request_from(forwarded="203.0.113.5")) == NGINX


def answer(client, world, forwarded):
    return client.post(
        "/survey/", {"region": world.community.pk} | RIGHT, HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=NGINX
    )


def test_behind_one_proxy_two_clients_are_limited_separately(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PUBLIC_SURVEYS_PER_HOUR = 2
    client = Client(headers={"Accept-Language": "en"})
    assert answer(client, world, "203.0.113.5").status_code == 200
    assert answer(client, world, "203.0.113.5").status_code == 200
    assert answer(client, world, "203.0.113.5").status_code == 429
    # a forged left-most entry does not escape: nginx appended the real address on the right
    assert answer(client, world, "6.6.6.6, 203.0.113.5").status_code == 429
    assert answer(client, world, "10.1.2.3, 6.6.6.6, 203.0.113.5").status_code == 429
    # another client behind the same nginx has its own allowance
    assert answer(client, world, "198.51.100.7").status_code == 200
    assert SurveyResponse.objects.count() == 3


def test_without_a_trusted_proxy_the_header_is_ignored(world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.PUBLIC_SURVEYS_PER_HOUR = 2
    client = Client(headers={"Accept-Language": "en"})
    assert answer(client, world, "203.0.113.5").status_code == 200
    assert answer(client, world, "198.51.100.7").status_code == 200
    # a new X-Forwarded-For each time does not buy a new allowance
    assert answer(client, world, "192.0.2.44").status_code == 429
    assert SurveyResponse.objects.count() == 2


def log_in(client, forwarded, password="wrong-password-1"):
    return client.post(
        "/accounts/login/",
        {"username": "street_officer", "password": password},
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR=NGINX,
    )


def test_login_lockout_counts_per_forwarded_client(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(headers={"Accept-Language": "en"})
    assert log_in(client, "203.0.113.5").status_code == 200  # the form again, with an error
    assert log_in(client, "203.0.113.5").status_code == 429  # locked out
    assert log_in(client, "6.6.6.6, 203.0.113.5").status_code == 429  # forged entry: still locked
    # the same user from another client behind nginx is not locked out
    from firegrid.org.testing import PASSWORD

    response = log_in(client, "198.51.100.7", password=PASSWORD)
    assert response.status_code == 302 and response.url == "/"


def test_login_lockout_without_a_trusted_proxy_ignores_the_header(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXY_COUNT = 0
    client = Client(headers={"Accept-Language": "en"})
    assert log_in(client, "203.0.113.5").status_code == 200
    assert log_in(client, "198.51.100.7").status_code == 429  # one address: nginx's
