"""`firegrid gb26875-sim --devices N`: simulated transmission devices talking to `firegrid gb26875
serve` (heartbeats, fire alarms and resets, faults and recoveries, analogue values, broken frames,
reconnects). --create registers their addresses at random places of the demo district first."""

import asyncio
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from firegrid.iot.gb26875.sim import Simulation, address_for
from firegrid.iot.management.commands.gb26875 import raise_fd_limit


@transaction.atomic
def register_many(addresses, places, rng, heartbeat=0):
    """Bulk registration (ten thousand devices in seconds): alarm-panel devices bound to places."""
    from firegrid.iot.choices import DEFAULT_HEARTBEAT, DeviceKind
    from firegrid.iot.gb26875.models import TransmissionDevice
    from firegrid.iot.gb26875.store import pipeline_key
    from firegrid.iot.models import Device

    known = set(TransmissionDevice.objects.filter(address__in=addresses).values_list("address", flat=True))
    todo = [a for a in addresses if a not in known]
    devices = []
    for address in todo:
        place = rng.choice(places)
        device = Device(
            ident=f"gb-{address.lower()}",
            name=f"SIM GB/T 26875 {address}",
            kind=DeviceKind.ALARM_PANEL,
            place=place,
            region_id=place.region_id,
            sector=place.sector,
            authority=place.authority,
            lat=place.lat,
            lng=place.lng,
            heartbeat_seconds=heartbeat or DEFAULT_HEARTBEAT[DeviceKind.ALARM_PANEL],
        )
        device.set_key(pipeline_key(address))
        devices.append(device)
    Device.objects.bulk_create(devices, batch_size=1000)
    ids = dict(Device.objects.filter(ident__in=[d.ident for d in devices]).values_list("ident", "pk"))
    TransmissionDevice.objects.bulk_create(
        [TransmissionDevice(device_id=ids[f"gb-{a.lower()}"], address=a) for a in todo], batch_size=1000
    )
    return len(todo)


class Command(BaseCommand):
    help = "Simulate GB/T 26875 transmission devices against `firegrid gb26875 serve`."

    def add_arguments(self, parser):
        parser.add_argument("--devices", type=int, default=100, help="Number of devices (default 100).")
        parser.add_argument("--first", type=int, default=1, help="Number of the first simulated address.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9000)
        parser.add_argument("--heartbeat", type=float, default=30.0, help="Seconds between heartbeats.")
        parser.add_argument("--duration", type=float, default=0.0, help="Seconds to run (default: until ^C).")
        parser.add_argument("--fire-share", type=float, default=0.01, help="Chance a beat is a fire alarm.")
        parser.add_argument("--fault-share", type=float, default=0.02, help="Chance a beat is a fault.")
        parser.add_argument("--analogue-share", type=float, default=0.1)
        parser.add_argument(
            "--broken-share", type=float, default=0.01, help="Chance a beat is a broken frame."
        )
        parser.add_argument("--reconnect-share", type=float, default=0.005)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--create",
            action="store_true",
            help="Register the addresses at random places of the demo district.",
        )

    def handle(self, *args, **opts):
        if opts["devices"] < 1 or opts["heartbeat"] <= 0:
            raise CommandError(_("--devices and --heartbeat must be positive."))
        for name in ("fire_share", "fault_share", "analogue_share", "broken_share", "reconnect_share"):
            if not 0 <= opts[name] <= 1:
                raise CommandError(_("The shares must be between 0 and 1."))
        addresses = [address_for(opts["first"] + i) for i in range(opts["devices"])]
        if opts["create"]:
            from firegrid.org.demo import DISTRICT_CODE
            from firegrid.places.models import Place

            places = list(Place.objects.filter(region__path__startswith=f"/{DISTRICT_CODE}/").order_by("pk"))
            if not places:
                raise CommandError(_("No places in the demo district: run `firegrid seed_demo` first."))
            n = register_many(addresses, places, random.Random(opts["seed"]))
            self.stdout.write(_("Registered %(n)d addresses.") % {"n": n})
        raise_fd_limit(opts["devices"] + 256)
        simulation = Simulation(
            opts["host"],
            opts["port"],
            addresses,
            heartbeat=opts["heartbeat"],
            fire_share=opts["fire_share"],
            fault_share=opts["fault_share"],
            analogue_share=opts["analogue_share"],
            broken_share=opts["broken_share"],
            reconnect_share=opts["reconnect_share"],
            seed=opts["seed"],
        )

        def progress(totals):
            self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(totals.items())))

        try:
            totals = asyncio.run(simulation.run(opts["duration"] or None, progress))
        except KeyboardInterrupt:
            totals = simulation.totals()
        self.stdout.write(
            _("Done: %(totals)s") % {"totals": " ".join(f"{k}={v}" for k, v in sorted(totals.items()))}
        )
