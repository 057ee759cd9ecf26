from django.core.management.base import BaseCommand

from firegrid.hazards.escalation import sweep_overdue


class Command(BaseCommand):
    help = "Find overdue hazard cases: escalate them, flag late department check-ins and send reminders."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        counts = sweep_overdue(batch=batch)
        self.stdout.write(" ".join(f"{name}={number}" for name, number in counts.items()))
