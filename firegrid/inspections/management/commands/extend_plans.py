from django.core.management.base import BaseCommand

from firegrid.inspections.plan_actions import extend_current_plans


class Command(BaseCommand):
    help = "Add newly registered places to this year's inspection plans (run nightly)."

    def handle(self, **options):
        self.stdout.write(f"{extend_current_plans()} visit(s) added to this year's plans.")
