"""Operations records: every run of a background job, job locks, side effects done once, exports."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from firegrid.ops.choices import ExportStatus, RunStatus


class JobRun(models.Model):
    """One attempt of one background job (a Celery task or a command): nothing fails unrecorded."""

    task_id = models.CharField(_("task id"), max_length=64, db_index=True)  # the same across retries
    name = models.CharField(_("job"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices)
    attempt = models.PositiveIntegerField(_("attempt"), default=1)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["name", "status", "-finished_at"], name="ops_jobrun_last_idx")]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self):
        return f"{self.name} #{self.attempt} {self.status}"


class JobLock(models.Model):
    """A named lease: one holder at a time until it is released or expires (a killed job's lease lapses)."""

    name = models.CharField(_("job"), max_length=100, primary_key=True)
    holder = models.CharField(_("holder"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job lock")
        verbose_name_plural = _("job locks")

    def __str__(self):
        return self.name


class SideEffect(models.Model):
    """A side effect (a message sent, a file written) done once: a retried job finds its key here."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    done_at = models.DateTimeField(_("done at"), auto_now_add=True)

    class Meta:
        verbose_name = _("side effect")
        verbose_name_plural = _("side effects")

    def __str__(self):
        return self.key


class Export(models.Model):
    """A large export built in the background: progress while it runs, a file to download when ready."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=50)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="ops_export_queue_idx")]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self):
        if not self.total:
            return 100 if self.status == ExportStatus.DONE else 0
        return min(100, round(100 * self.done / self.total))
