"""`firegrid sweep_devices`: mark silent devices offline (a scheduler runs it every minute)."""

from django.core.management.base import BaseCommand

from firegrid.iot.sweeps import sweep_offline


class Command(BaseCommand):
    help = "Mark devices that stopped reporting as offline, with a fault alarm."

    def handle(self, *args, **options):
        self.stdout.write(str(sweep_offline()))
