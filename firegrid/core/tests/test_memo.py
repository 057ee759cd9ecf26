"""{% memo %} (firegrid_ui): the navigation rendered once per process and key gives the same pages."""

import re

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import reverse

from firegrid.org.templatetags import firegrid_ui
from firegrid.org.testing import PERSONAS


@pytest.fixture(autouse=True)
def empty_memo():
    firegrid_ui._MEMO.clear()
    yield
    firegrid_ui._MEMO.clear()


def page(client, user, language):
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(reverse("home"))
    assert response.status_code == 200
    # CSRF tokens are masked afresh on every page
    token = r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+'
    return re.sub(token, r"\1…", response.content.decode())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_are_the_same_with_and_without_the_memo(world, client, language):
    for name in PERSONAS:
        user = getattr(world, name)
        memoised = page(client, user, language)
        again = page(client, user, language)  # from the memo now
        assert firegrid_ui._MEMO  # it was used
        with override_settings(DEBUG=True):  # the memo is off with DEBUG
            plain = page(client, user, language)
        assert memoised == again == plain, name


def test_the_key_keeps_languages_and_staff_apart(world, client):
    admin = world.district_admin
    admin.is_staff = True
    admin.save()
    officer = world.street_officer
    staff_zh = page(client, admin, "zh-hans")
    plain_en = page(client, officer, "en")
    staff_en = page(client, admin, "en")
    plain_zh = page(client, officer, "zh-hans")
    admin_link = f'href="{reverse("admin:index")}"'
    assert admin_link in staff_zh and admin_link in staff_en
    assert admin_link not in plain_zh and admin_link not in plain_en
    assert ">Hazards</a>" in plain_en and ">Hazards</a>" in staff_en
    assert ">Hazards</a>" not in plain_zh and ">隐患</a>" in plain_zh


def test_a_template_from_a_string_is_rendered_every_time():
    template = engines["django"].from_string("{% load firegrid_ui %}{% memo %}{{ n }}{% endmemo %}")
    assert template.render({"n": 1}) == "1"
    assert template.render({"n": 2}) == "2"
    assert not firegrid_ui._MEMO


def test_a_changed_setting_forgets_the_memo(world, client):
    page(client, world.street_officer, "en")
    assert firegrid_ui._MEMO
    with override_settings(USE_THOUSAND_SEPARATOR=True):
        assert not firegrid_ui._MEMO
