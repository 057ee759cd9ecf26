"""A sweep killed half-way (SIGKILL: no cleanup runs) leaves nothing half-written: every case is either
fully handled (flagged overdue, its event written, escalated out of the grid with that event) or not
touched at all, and the next sweep finishes the rest without doing any case twice."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from firegrid.hazards.choices import EventKind, Level
from firegrid.hazards.models import HazardCase, HazardEvent

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CASES = 200


def check_whole(cases):
    """Each case is handled completely or not at all; returns how many were handled."""
    ids = [case.pk for case in cases]
    overdue_events = Counter(
        HazardEvent.objects.filter(case_id__in=ids, kind=EventKind.OVERDUE).values_list("case_id", flat=True)
    )
    escalations = Counter(
        HazardEvent.objects.filter(case_id__in=ids, kind=EventKind.ESCALATED).values_list(
            "case_id", flat=True
        )
    )
    handled = 0
    for case in HazardCase.objects.filter(pk__in=ids):
        if case.overdue_at is None:
            assert overdue_events[case.pk] == 0 and escalations[case.pk] == 0, case.pk
            assert case.level == Level.GRID, case.pk
        else:
            handled += 1
            assert overdue_events[case.pk] == 1, case.pk
            assert escalations[case.pk] == 1 and case.level == Level.STREET, case.pk
    return handled


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_half_way_leaves_every_case_whole(make_case, shared_db):
    cases = [make_case(description=f"安全出口堵塞 {n}") for n in range(CASES)]
    HazardCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        step_due=timezone.now() - timedelta(days=1), level=Level.GRID
    )
    env = dict(os.environ, DATABASE_URL=shared_db, PYTHONUNBUFFERED="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    sweep = subprocess.Popen(  # noqa: S603
        [sys.executable, os.path.join(ROOT, "manage.py"), "sweep_hazards", "--batch", "10"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not HazardCase.objects.filter(pk__in=[c.pk for c in cases], overdue_at__isnull=False).exists():
        assert sweep.poll() is None, sweep.stderr.read().decode(errors="replace")
        assert time.monotonic() < deadline, "the sweep handled nothing within 120 s"
        time.sleep(0.01)
    sweep.send_signal(signal.SIGKILL)  # right after its first batch committed
    sweep.wait(10)
    sweep.stderr.close()

    handled = check_whole(cases)
    assert 0 < handled < CASES, f"the kill did not land half-way ({handled} of {CASES} handled)"

    call_command("sweep_hazards", "--batch", "50", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert check_whole(cases) == CASES
