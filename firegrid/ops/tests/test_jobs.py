"""Background jobs: every attempt recorded, single flight, retries that do not repeat side effects,
and tasks running on a real Celery worker over a real Redis broker."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from firegrid.ops import jobs
from firegrid.ops.choices import RunStatus
from firegrid.ops.models import JobLock, JobRun, SideEffect
from firegrid.ops.tests.workers import wait_for

pytestmark = pytest.mark.django_db


@jobs.recorded_job("ops_test_flaky_mail", max_retries=2, backoff_seconds=0)
def flaky_mail(key):
    """Sends one mail (guarded by claim), then fails on its first attempt only."""
    with transaction.atomic():
        if jobs.claim(f"flaky-mail:{key}"):
            mail.send_mail("firegrid", f"reminder {key}", "firegrid@localhost", ["officer@example.org"])
    if JobRun.objects.filter(name="ops_test_flaky_mail", status=RunStatus.RETRYING).count() == 0:
        raise ConnectionError("the mail relay hung up after accepting the message")
    return {"sent": key}


@jobs.recorded_job("ops_test_always_fails", max_retries=2, backoff_seconds=0)
def always_fails():
    raise ValueError("bad data in row 7")


def test_a_successful_run_is_recorded_with_its_result():
    assert jobs.run_recorded("demo", lambda: {"escalated": 3}) == {"escalated": 3}
    run = JobRun.objects.get(name="demo")
    assert run.status == RunStatus.SUCCEEDED
    assert run.result == {"escalated": 3}
    assert run.finished_at is not None
    assert jobs.last_success("demo") == run.finished_at


def test_a_failed_run_is_recorded_and_the_error_is_raised():
    with pytest.raises(ZeroDivisionError):
        jobs.run_recorded("demo", lambda: 1 / 0)
    run = JobRun.objects.get(name="demo")
    assert run.status == RunStatus.FAILED
    assert "ZeroDivisionError" in run.error
    assert jobs.last_success("demo") is None


def test_a_second_copy_of_a_locked_job_does_nothing():
    calls = []

    def inner():
        calls.append("inner")
        return {"ran": True}

    def outer():
        calls.append("outer")
        # the same job started again while the first holds the lease: skipped, not run
        assert jobs.run_recorded("sweep", inner, lock_seconds=60) is None
        return {"ran": True}

    jobs.run_recorded("sweep", outer, lock_seconds=60)
    assert calls == ["outer"]
    statuses = sorted(JobRun.objects.filter(name="sweep").values_list("status", flat=True))
    assert statuses == [RunStatus.SKIPPED, RunStatus.SUCCEEDED]
    assert JobLock.objects.get(name="sweep").holder == ""  # released


def test_the_lease_of_a_killed_job_lapses():
    assert jobs.acquire("sweep", "killed-worker", 60)
    assert not jobs.acquire("sweep", "other", 60)
    JobLock.objects.filter(name="sweep").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert jobs.acquire("sweep", "other", 60)


def test_a_side_effect_is_claimed_once_and_a_rolled_back_claim_is_free_again():
    assert jobs.claim("notice:1")
    assert not jobs.claim("notice:1")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert jobs.claim("notice:2")
        raise RuntimeError("the effect failed")
    assert jobs.claim("notice:2")
    assert SideEffect.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_sweep_runs_as_a_celery_task_on_a_real_redis(celery_worker):
    from firegrid.ops.tasks import sweep_devices

    result = sweep_devices.delay()
    run = wait_for(
        lambda: JobRun.objects.filter(task_id=result.id, status=RunStatus.SUCCEEDED).first(),
        message="the sweep's JobRun",
    )
    assert run.result == {"offline": 0}


@pytest.mark.django_db(transaction=True)
def test_a_retried_task_does_not_send_its_mail_twice(celery_worker):
    mail.outbox = []
    result = flaky_mail.delay("HZ-1")
    wait_for(
        lambda: JobRun.objects.filter(task_id=result.id, status=RunStatus.SUCCEEDED).exists(),
        message="the retried attempt to succeed",
    )
    runs = list(JobRun.objects.filter(task_id=result.id).order_by("attempt").values_list("attempt", "status"))
    assert runs == [(1, RunStatus.RETRYING), (2, RunStatus.SUCCEEDED)]
    assert [m.body for m in mail.outbox] == ["reminder HZ-1"]


@pytest.mark.django_db(transaction=True)
def test_a_task_that_keeps_failing_is_retried_then_recorded_failed(celery_worker):
    result = always_fails.delay()
    wait_for(
        lambda: JobRun.objects.filter(task_id=result.id, status=RunStatus.FAILED).exists(),
        message="the last attempt to be recorded as failed",
    )
    attempts = list(
        JobRun.objects.filter(task_id=result.id).order_by("attempt").values_list("attempt", "status")
    )
    assert attempts == [(1, RunStatus.RETRYING), (2, RunStatus.RETRYING), (3, RunStatus.FAILED)]
    assert all("bad data in row 7" in e for e in JobRun.objects.values_list("error", flat=True))


def test_old_job_records_are_pruned_and_recent_ones_kept(settings):
    from firegrid.ops.tasks import prune_records

    settings.JOB_RECORDS_KEEP_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    jobs.run_recorded("demo", lambda: {"n": 1})
    jobs.run_recorded("demo", lambda: {"n": 2})
    JobRun.objects.filter(result={"n": 1}).update(started_at=old)
    jobs.claim("old-effect")
    jobs.claim("new-effect")
    SideEffect.objects.filter(key="old-effect").update(done_at=old)
    prune_records.apply()
    assert list(JobRun.objects.filter(name="demo").values_list("result", flat=True)) == [{"n": 2}]
    assert list(SideEffect.objects.values_list("key", flat=True)) == ["new-effect"]
    assert JobRun.objects.get(name="prune_records").result == {"job_runs": 1, "side_effects": 1}
