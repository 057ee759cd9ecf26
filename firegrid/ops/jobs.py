"""Background jobs that are recorded, single-flight and retried without repeating their side effects.

`recorded_job` turns a plain function (the same one a management command calls) into a Celery task:
each attempt writes a JobRun row; a failure is retried with backoff and, once the retries are spent,
recorded as failed and logged — never lost silently. A job given a lock holds a JobLock lease while it
runs, so a second copy started at the same time (two beat processes, a manual run) does nothing.
`claim(key)` marks a side effect as done inside the caller's transaction: a retried attempt finds the key
and skips the effect.
"""

import logging
import uuid
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps

from celery import shared_task
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from firegrid.ops.choices import RunStatus
from firegrid.ops.models import JobLock, JobRun, SideEffect

log = logging.getLogger(__name__)


class AlreadyRunning(Exception):
    """Another holder has the job's lease."""


def acquire(name, holder, seconds):
    """Take the lease `name` for `seconds` unless someone else holds an unexpired one."""
    now = timezone.now()
    JobLock.objects.get_or_create(name=name)
    free = Q(expires_at__isnull=True) | Q(expires_at__lte=now) | Q(holder=holder)
    taken = (
        JobLock.objects.filter(name=name)
        .filter(free)
        .update(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    return taken == 1


def release(name, holder):
    JobLock.objects.filter(name=name, holder=holder).update(holder="", expires_at=None)


@contextmanager
def single_flight(name, seconds=600):
    """Run the block only if no one else runs `name`; raise AlreadyRunning otherwise."""
    holder = uuid.uuid4().hex
    if not acquire(name, holder, seconds):
        raise AlreadyRunning(name)
    try:
        yield holder
    finally:
        release(name, holder)


def claim(key, task_id=""):
    """True the first time `key` is claimed; False when the side effect was already done.

    Call it inside the transaction that performs the effect, so a rolled-back attempt leaves the key
    free for the retry and a committed one keeps the retry from doing it again."""
    try:
        with transaction.atomic():
            SideEffect.objects.create(key=key[:200], task_id=task_id or "")
    except IntegrityError:
        return False
    return True


def run_recorded(name, fn, *, task_id=None, attempt=1, lock_seconds=None, final=True):
    """Run fn() and record the attempt. Returns fn's result (or None when skipped for the lock)."""
    task_id = task_id or uuid.uuid4().hex
    run = JobRun.objects.create(task_id=task_id, name=name, status=RunStatus.RUNNING, attempt=attempt)
    try:
        if lock_seconds:
            with single_flight(name, lock_seconds):
                result = fn()
        else:
            result = fn()
    except AlreadyRunning:
        _finish(run, RunStatus.SKIPPED)
        log.info("job %s skipped: already running", name)
        return None
    except Exception as exc:
        status = RunStatus.FAILED if final else RunStatus.RETRYING
        _finish(run, status, error=f"{type(exc).__name__}: {exc}")
        (log.error if final else log.warning)(
            "job %s attempt %s %s: %s", name, attempt, status, exc, exc_info=final
        )
        raise
    _finish(run, RunStatus.SUCCEEDED, result=result)
    return result


def _finish(run, status, result=None, error=""):
    run.status = status
    run.finished_at = timezone.now()
    run.error = error
    run.result = result if isinstance(result, dict) else ({"value": result} if result is not None else {})
    run.save(update_fields=["status", "finished_at", "error", "result"])


def recorded_job(name, *, lock_seconds=None, max_retries=3, backoff_seconds=30, **task_options):
    """Decorator: a Celery task running the function under run_recorded, retried with backoff."""

    def decorate(fn):
        @shared_task(bind=True, name=name, max_retries=max_retries, **task_options)
        @wraps(fn)
        def task(self, *args, **kwargs):
            final = self.request.retries >= self.max_retries
            try:
                return run_recorded(
                    name,
                    lambda: fn(*args, **kwargs),
                    task_id=self.request.id,
                    attempt=self.request.retries + 1,
                    lock_seconds=lock_seconds,
                    final=final,
                )
            except Exception as exc:
                if final:
                    raise
                raise self.retry(exc=exc, countdown=backoff_seconds * 2**self.request.retries) from exc

        return task

    return decorate


def last_success(name):
    """When the job `name` last finished without error (None if never)."""
    run = (
        JobRun.objects.filter(name=name, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return run
