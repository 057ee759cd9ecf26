"""Reminders before deadlines: recorded once per deadline and person, sent after commit."""

import datetime
import io

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from firegrid.tasks.models import KeyTask, TaskReminder
from firegrid.tasks.reminders import REMIND_DAYS, sweep_task_reminders
from firegrid.tasks.tests.conftest import make_task


def test_the_sweep_reminds_once_before_and_once_after_the_deadline(tasks, django_capture_on_commit_callbacks):
    w = tasks
    w.street_officer.email = "street_officer@example.org"
    w.street_officer.save(update_fields=["email"])
    now = timezone.now()
    today = timezone.localdate(now)
    soon = make_task(
        w,
        title="临期任务",
        starts_on=today - datetime.timedelta(days=30),
        due_on=today + datetime.timedelta(days=REMIND_DAYS - 1),
    )
    KeyTask.objects.exclude(pk=soon.pk).update(due_on=today + datetime.timedelta(days=60))
    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep_task_reminders(now)
    assert counts["tasks_due_soon"] == 1 and counts["tasks_overdue"] == 0
    reminders = TaskReminder.objects.filter(task=soon)
    assert reminders.filter(recipient=w.street_officer, kind="due_soon", sent_at__isnull=False).count() == 1
    assert any("street_officer@example.org" in m.to and "临期任务" in m.subject for m in mail.outbox)
    # twice in a row, or by the command: nothing more
    again = sweep_task_reminders(now + datetime.timedelta(hours=2))
    assert again["reminders"] == 0 and again["tasks_due_soon"] == 0
    call_command("sweep_tasks", stdout=io.StringIO())
    assert TaskReminder.objects.filter(task=soon).count() == reminders.count()
    # a moved deadline is reminded of again
    KeyTask.objects.filter(pk=soon.pk).update(due_on=today + datetime.timedelta(days=2))
    assert sweep_task_reminders(now)["tasks_due_soon"] == 1
    # past the deadline: one overdue reminder, once
    later = now + datetime.timedelta(days=3)
    assert sweep_task_reminders(later)["tasks_overdue"] == 1
    assert sweep_task_reminders(later + datetime.timedelta(days=1))["tasks_overdue"] == 0
    assert TaskReminder.objects.filter(task=soon, kind="overdue", recipient=w.street_officer).count() == 1


def test_done_tasks_and_duties_are_not_reminded(loaded):
    from firegrid.tasks.models import Duty

    today = timezone.localdate()
    Duty.objects.update(done_on=today)
    KeyTask.objects.update(status="done", completed_on=today)
    counts = sweep_task_reminders(timezone.now() + datetime.timedelta(days=400))
    assert counts["reminders"] == 0 and not TaskReminder.objects.exists()


def test_an_overdue_duty_reminds_its_department(loaded):
    w = loaded
    from firegrid.tasks.models import Duty

    duty = Duty.objects.filter(unit=w.department).first()
    counts = sweep_task_reminders(
        timezone.make_aware(datetime.datetime.combine(duty.due_on, datetime.time(9)))
        + datetime.timedelta(days=1)
    )
    assert counts["duties_overdue"] >= 1
    assert TaskReminder.objects.filter(duty=duty, recipient=w.dept_staff, kind="overdue").count() == 1
