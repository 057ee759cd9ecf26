from django.core.management.base import BaseCommand

from firegrid.inspections.actions import sync_shipped_checklists


class Command(BaseCommand):
    help = "Store every shipped checklist file (inspections/data/checklists) that is not yet a version."

    def handle(self, **options):
        created = sync_shipped_checklists()
        names = ", ".join(str(v) for v in created) or "-"
        self.stdout.write(f"{len(created)} checklist version(s) added: {names}")
