from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from firegrid.org.models import Region
from firegrid.tasks import catalogue


class Command(BaseCommand):
    help = (
        "Create a year's key tasks from seed 002's 20-task breakdown (each district, and each street/town's "
        "share), schedule the recurring duties and fill the responsibility lists. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="default: this year")
        parser.add_argument("--district", default=None, help="district region code (default: every district)")

    def handle(self, *args, year, district, **options):
        year = year or timezone.localdate().year
        region = None
        if district:
            region = Region.objects.filter(code=district, level="district").first()
            if region is None:
                raise CommandError(f"No district with code {district}")
        catalogue.ensure_reference_data()
        tasks = catalogue.load_key_tasks(year, region)
        duties = catalogue.schedule_duties(year)
        lines = catalogue.ensure_responsibilities()
        self.stdout.write(
            f"{year}: {tasks} task(s), {duties} duty occurrence(s), {lines} responsibility line(s) added."
        )
