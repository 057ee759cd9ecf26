"""`firegrid simulate-devices --devices N --rate R`: simulated devices publishing realistic traffic
(readings, alarm episodes, faults, devices falling silent) to the broker at QoS 1."""

import json
import pathlib
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from firegrid.iot.simulator import Publisher, SimDevice, Simulation, pick_kinds


class Command(BaseCommand):
    help = "Publish simulated device traffic to the MQTT broker (register the devices first with --create)."

    def add_arguments(self, parser):
        parser.add_argument("--devices", type=int, default=100, help="Number of devices (default 100).")
        parser.add_argument("--rate", type=float, default=50.0, help="Messages per second in total.")
        parser.add_argument("--duration", type=float, default=0.0, help="Seconds to run (default: until ^C).")
        parser.add_argument("--max-messages", type=int, default=0, help="Stop after this many messages.")
        parser.add_argument(
            "--alarm-share", type=float, default=0.01, help="Chance a reading starts an alarm episode."
        )
        parser.add_argument(
            "--fault-share", type=float, default=0.005, help="Chance a message reports a fault."
        )
        parser.add_argument(
            "--silent-share", type=float, default=0.02, help="Share of devices that fall silent (go offline)."
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="Register the devices at random places of the demo district.",
        )
        parser.add_argument(
            "--heartbeat", type=int, default=0, help="Heartbeat (s) of created devices (default: per kind)."
        )
        parser.add_argument(
            "--keys",
            default=str(pathlib.Path(settings.BASE_DIR) / "var" / "sim-devices.json"),
            help="JSON file of the simulated devices' idents, kinds and keys (default var/sim-devices.json).",
        )
        parser.add_argument("--url", default="", help="Broker URL (default: MQTT_URL).")
        parser.add_argument("--seed", type=int, default=None, help="Random seed for a repeatable run.")

    def handle(self, *args, **opts):
        if opts["devices"] < 1 or opts["rate"] <= 0:
            raise CommandError(_("--devices and --rate must be positive."))
        for name in ("alarm_share", "fault_share", "silent_share"):
            if not 0 <= opts[name] <= 1:
                raise CommandError(_("The shares must be between 0 and 1."))
        path = pathlib.Path(opts["keys"])
        if opts["create"]:
            rows = self.create(opts["devices"], opts["heartbeat"], opts["seed"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(rows, indent=1))
            path.chmod(0o600)  # device keys
            self.stdout.write(
                _("Registered %(n)d devices; keys in %(path)s") % {"n": len(rows), "path": path}
            )
        else:
            if not path.exists():
                raise CommandError(_("No %(path)s: run with --create first.") % {"path": path})
            rows = json.loads(path.read_text())[: opts["devices"]]
        rng = random.Random(opts["seed"])
        devices = [SimDevice(r["ident"], r["kind"], r["key"], random.Random(rng.random())) for r in rows]
        simulation = Simulation(
            devices,
            rate=opts["rate"],
            alarm_share=opts["alarm_share"],
            fault_share=opts["fault_share"],
            silent_share=opts["silent_share"],
            topic=settings.MQTT_TOPIC,
            seed=opts["seed"],
        )

        def progress(sent, acked, rate, silent):
            self.stdout.write(
                _("sent %(sent)d  acknowledged %(acked)d  rate %(rate).0f/s  silent devices %(silent)d")
                % {"sent": sent, "acked": acked, "rate": rate, "silent": silent}
            )

        publisher = Publisher(opts["url"] or settings.MQTT_URL).connect()
        try:
            sent = simulation.run(
                publisher,
                duration=opts["duration"] or None,
                max_messages=opts["max_messages"] or None,
                progress=progress,
            )
        except KeyboardInterrupt:
            sent = publisher.sent
        finally:
            publisher.wait_acked(30)
            publisher.close()
        self.stdout.write(
            _("Done: %(sent)d sent, %(acked)d acknowledged by the broker.")
            % {"sent": sent, "acked": publisher.acked}
        )

    @transaction.atomic
    def create(self, n, heartbeat, seed):
        from firegrid.iot.actions import save_device
        from firegrid.iot.models import Device
        from firegrid.org.demo import DISTRICT_CODE
        from firegrid.places.models import Place

        places = list(Place.objects.filter(region__path__startswith=f"/{DISTRICT_CODE}/").order_by("pk"))
        if not places:
            raise CommandError(_("No places in the demo district: run `firegrid seed_demo` first."))
        rng = random.Random(seed)
        run = f"{rng.getrandbits(32):08x}"
        rows = []
        for i, kind in enumerate(pick_kinds(n, rng)):
            device = Device(
                ident=f"sim-{run}-{i:05d}",
                name=f"SIM {kind} {i}",
                kind=kind,
                place=rng.choice(places),
                heartbeat_seconds=heartbeat,
            )
            rows.append({"ident": device.ident, "kind": kind, "key": save_device(device)})
        return rows
