from django.core.management.base import BaseCommand
from django.utils import timezone

from firegrid.tasks import catalogue


class Command(BaseCommand):
    help = "Schedule the recurring duties (双定期, 四个一, annual inspection) of every unit for a year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="default: this year")

    def handle(self, *args, year, **options):
        year = year or timezone.localdate().year
        catalogue.sync_catalogues()
        self.stdout.write(f"{year}: {catalogue.schedule_duties(year)} duty occurrence(s) added.")
