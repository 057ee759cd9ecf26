"""The case list reads only the columns it shows (views.cases.LIST_FIELDS): the same page as with whole
rows for every persona and filter, and no query per row for a column it left out."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from firegrid.hazards import actions
from firegrid.hazards.models import HazardCase
from firegrid.hazards.views import cases as case_views
from firegrid.org.testing import PERSONAS

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # masked CSRF tokens differ from render to render


@pytest.fixture
def many(world, make_case):
    made = [make_case(description=f"桥河便利店安全出口堵塞 {i}") for i in range(4)]
    made += [make_case(world.hotel_b, description="河滨旅馆灭火器过期"), make_case(world.shop_s2)]
    actions.confirm(made[0], actor=world.street_officer, severity="major")
    made.append(make_case(lat=28.05, lng=106.05, address='桥头 <"&">'))  # by location: no place
    HazardCase.objects.filter(pk=made[1].pk).update(step_due=timezone.now() - datetime.timedelta(days=2))
    return made


def listed(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return TOKEN.sub("T", response.content.decode()), len(queries)


PATHS = [
    "/hazards/",
    "/hazards/?state=open",
    "/hazards/?q=堵塞",
    "/hazards/?severity=major",
    "/hazards/?state=closed",
]


def test_the_same_page_as_with_whole_rows(world, many, client, monkeypatch):
    whole = case_views.CaseListView.get_queryset
    shown = 0
    for name in PERSONAS:
        client.force_login(getattr(world, name))
        for path in PATHS:
            narrow, narrow_queries = listed(client, path)
            monkeypatch.setattr(
                case_views.CaseListView,
                "get_queryset",
                lambda self: whole(self).defer(None),  # defer(None) undoes only(): every column
            )
            wide, wide_queries = listed(client, path)
            monkeypatch.undo()
            assert narrow == wide, (name, path)
            assert narrow_queries == wide_queries, (name, path)
            shown += narrow.count('class="case-row"')
    assert shown > 20


def test_no_query_per_row(world, make_case, client):
    client.force_login(world.street_officer)
    make_case()
    _, one = listed(client, "/hazards/")
    for i in range(5):
        make_case(description=f"又一处 {i}")
    page, six = listed(client, "/hazards/")
    assert page.count('class="case-row"') == 6
    assert six == one


def test_rows_written_in_python_are_the_templates(world, many, client, monkeypatch):
    rows = case_views.CaseListView.rows
    shown = set()
    for name in ("district_admin", "street_officer", "grid_worker_a", "unit_owner"):
        client.force_login(getattr(world, name))
        for path in PATHS:
            for language in ("en", "zh-hans"):
                client.cookies["django_language"] = language
                written, _ = listed(client, path)
                monkeypatch.setattr(
                    case_views.CaseListView,
                    "rows",
                    staticmethod(lambda cases, now: rows(cases, now, write=False)),
                )
                templated, _ = listed(client, path)
                monkeypatch.undo()
                assert written == templated, (name, path, language)
                shown |= {
                    marker
                    for marker in ("hz-overdue", "badge-red", "&lt;&quot;&amp;&quot;&gt;")
                    if marker in written
                }
    assert shown == {"hz-overdue", "badge-red", "&lt;&quot;&amp;&quot;&gt;"}
