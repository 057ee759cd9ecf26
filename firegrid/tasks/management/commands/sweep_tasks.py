from django.core.management.base import BaseCommand

from firegrid.tasks.reminders import sweep_task_reminders


class Command(BaseCommand):
    help = "Record and send reminders of tasks and duties due soon or overdue (daily; safe to run twice)."

    def handle(self, *args, **options):
        counts = sweep_task_reminders()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
