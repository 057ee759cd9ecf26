"""Two people acting on one case at once: one wins, the other is told, nothing is lost."""

import threading

import pytest
from django.db import close_old_connections, connection

from firegrid.hazards import actions
from firegrid.hazards.choices import CaseStatus, EventKind
from firegrid.hazards.models import HazardCase


def test_two_stale_copies_one_wins(world, make_case):
    case = make_case()
    mine, theirs = HazardCase.objects.get(pk=case.pk), HazardCase.objects.get(pk=case.pk)
    actions.confirm(mine, actor=world.grid_worker_a, expect_version=mine.version)
    with pytest.raises(actions.Conflict):
        actions.reject(theirs, actor=world.street_officer, reason="不是隐患", expect_version=theirs.version)
    with pytest.raises(actions.Conflict):  # without a version the status check still catches it
        actions.confirm(theirs, actor=world.street_officer)
    case.refresh_from_db()
    assert case.status == CaseStatus.CONFIRMED and case.version == 2
    assert list(case.events.values_list("kind", flat=True)) == ["reported", "confirmed"]


def test_the_version_guard_catches_a_write_that_slipped_past_the_lock(world, make_case):
    case = make_case()
    HazardCase.objects.filter(pk=case.pk).update(version=7)  # someone else wrote meanwhile
    with pytest.raises(actions.Conflict):
        actions._save(case, {"responsible_party": "x"})
    assert HazardCase.objects.get(pk=case.pk).responsible_party == ""


@pytest.mark.django_db(transaction=True)
def test_two_threads_at_once_one_wins(make_case_tx):
    """Real concurrency on a real server: two transactions race to order rectification."""
    if connection.vendor != "postgresql":
        pytest.skip("threads share one in-memory SQLite database; the stale-copy test covers SQLite")
    world, case = make_case_tx
    actions.confirm(case, actor=world.grid_worker_a)
    barrier = threading.Barrier(2)
    results = []

    def act(user):
        try:
            barrier.wait()
            actions.order(HazardCase.objects.get(pk=case.pk), actor=user)
            results.append("ok")
        except actions.Conflict:
            results.append("conflict")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in (world.grid_worker_a, world.street_officer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["conflict", "ok"]
    case.refresh_from_db()
    assert case.status == CaseStatus.ORDERED and case.version == 3
    assert case.events.filter(kind=EventKind.ORDERED).count() == 1


@pytest.fixture
def make_case_tx(transactional_db):
    from firegrid.hazards import reports
    from firegrid.hazards.choices import Channel, Source
    from firegrid.hazards.models import HazardCategory
    from firegrid.org.testing import build_world

    world = build_world()
    case = reports.report(
        description="疏散通道堵塞",
        category=HazardCategory.objects.get(code="evacuation"),
        place=world.shop_a,
        source=Source.PUBLIC,
        channel=Channel.WEB,
    )
    return world, case
