"""Scheduled and background jobs as Celery tasks. Each calls the same function as its management
command; the schedule is CELERY_BEAT_SCHEDULE in settings (one entry per job, editable by env)."""

from django.conf import settings
from django.utils import timezone

from firegrid.ops.jobs import recorded_job


@recorded_job("sweep_hazards", lock_seconds=900)
def sweep_hazards():
    from firegrid.hazards.escalation import sweep_overdue

    return dict(sweep_overdue())


@recorded_job("sweep_devices", lock_seconds=300)
def sweep_devices():
    from firegrid.iot.sweeps import sweep_offline

    return {"offline": sweep_offline()}


@recorded_job("sweep_tasks", lock_seconds=900)
def sweep_tasks():
    from firegrid.tasks.reminders import sweep_task_reminders

    return dict(sweep_task_reminders())


@recorded_job("publish_due_draws", lock_seconds=900)
def publish_due_draws():
    from firegrid.inspections.draw_actions import publish_due_draws as publish

    return {"published": [draw.pk for draw in publish()]}


@recorded_job("extend_plans", lock_seconds=1800)
def extend_plans():
    from firegrid.inspections.plan_actions import extend_current_plans

    return {"visits_added": extend_current_plans()}


@recorded_job("schedule_duties", lock_seconds=1800)
def schedule_duties():
    from firegrid.tasks import catalogue

    year = timezone.localdate().year
    catalogue.sync_catalogues()
    return {"year": year, "added": catalogue.schedule_duties(year)}


@recorded_job("gb26875_purge", lock_seconds=1800)
def gb26875_purge():
    from firegrid.iot.gb26875.store import purge_frames

    return {"deleted": purge_frames(settings.GB26875_RAW_DAYS)}


@recorded_job("build_export", max_retries=0)
def build_export(export_id):
    """Build one background export (ops.exports.build). Not retried: a failure is recorded on the
    Export row for its owner to see, and a redelivered message for a row already taken does nothing."""
    from firegrid.ops.exports import build

    return build(export_id)


@recorded_job("requeue_exports", lock_seconds=600)
def requeue_exports():
    """Send queued exports again (the broker was down), fail those whose worker died, delete old ones."""
    from firegrid.ops.exports import requeue

    return requeue()


@recorded_job("prune_records", lock_seconds=1800)
def prune_records():
    """Delete job runs and claimed side effects older than JOB_RECORDS_KEEP_DAYS, in batches."""
    from datetime import timedelta

    from firegrid.ops.models import JobRun, SideEffect

    cutoff = timezone.now() - timedelta(days=settings.JOB_RECORDS_KEEP_DAYS)
    deleted = {"job_runs": 0, "side_effects": 0}
    for key, queryset in (
        ("job_runs", JobRun.objects.filter(started_at__lt=cutoff)),
        ("side_effects", SideEffect.objects.filter(done_at__lt=cutoff)),
    ):
        while ids := list(queryset.values_list("pk", flat=True)[:5000]):
            deleted[key] += queryset.model.objects.filter(pk__in=ids).delete()[0]
    return deleted


@recorded_job("purge_messages", lock_seconds=3600)
def purge_messages():
    from firegrid.iot.retention import purge_messages as purge
    from firegrid.iot.retention import roll_up_ingest_counts

    return {
        "deleted": purge(settings.IOT_MESSAGE_KEEP_DAYS),
        "counts_rolled_up": roll_up_ingest_counts(settings.INGEST_COUNT_MINUTES_KEEP_DAYS),
    }
