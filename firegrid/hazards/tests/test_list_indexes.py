"""The case list's partial index of open cases by report time (migration 0016)."""

import importlib

import pytest
from django.db import connection

from firegrid.hazards.choices import OPEN_STATUSES
from firegrid.hazards.models import HazardCase

MIGRATION = importlib.import_module("firegrid.hazards.migrations.0016_open_cases_by_report_time")


def test_the_index_lists_the_open_statuses():
    assert set(MIGRATION.OPEN) == {str(s) for s in OPEN_STATUSES}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index")
def test_the_open_major_cases_of_a_street_are_read_from_the_index(world, make_case):
    """At test scale every plan costs about the same, so the table's other indexes are dropped inside the
    test's transaction (rolled back after it) and scans of the table are priced out: the open major
    cases of a street then come from the partial index if its WHERE is implied by the list's."""
    for i in range(30):
        case = make_case(world.shop_a, description=f"case {i}")
        HazardCase.objects.filter(pk=case.pk).update(severity="major" if i % 3 else "general")

    listed = (
        HazardCase.objects.restrict(world.street_officer)
        .filter(status__in=OPEN_STATUSES, severity="major")
        .order_by("-created_at", "-id")[:30]
    )
    sql, params = listed.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [MIGRATION.NAME])
        (definition,) = cursor.fetchone()
        assert "INCLUDE (region_id, severity, category_id)" in definition
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = 'hazards_hazardcase'::regclass AND i.relname <> %s"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [MIGRATION.NAME],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')  # our own indexes, by their catalogue names
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert MIGRATION.NAME in plan, plan
    seen = HazardCase.objects.restrict(world.street_officer)
    newest_first = sorted(seen, key=lambda c: (c.created_at, c.pk), reverse=True)
    expected = [c.pk for c in newest_first if c.is_open and c.severity == "major"][:30]
    assert len(expected) >= 20 and [c.pk for c in listed] == expected
