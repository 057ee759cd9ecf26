"""`firegrid gb26875 …`: the GB/T 26875.3-2011 gateway and its tools.

serve      the TCP server for user information transmission devices (用户信息传输装置)
decode     hex → every field of the frames in it
register   bind a 6-byte address to a new alarm-panel device at a place, or to an existing device
sync-time  queue a clock synchronisation for a device (sent by the server holding its connection)
inspect    queue an inspection (查岗) command
purge      delete raw frames older than --days (default GB26875_RAW_DAYS, 30)
"""

import asyncio
import logging
import resource
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

log = logging.getLogger("firegrid.iot.gb26875")


def raise_fd_limit(wanted):
    """Ten thousand sockets need ten thousand descriptors: lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            return soft
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Command(BaseCommand):
    help = "GB/T 26875.3-2011 gateway: serve, decode, register, sync-time, inspect, purge."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="Accept transmission devices over TCP.")
        serve.add_argument(
            "--host", default=settings.GB26875_HOST, help="Address to listen on (default GB26875_HOST, all)."
        )
        serve.add_argument(
            "--port", type=int, default=settings.GB26875_PORT, help="TCP port (default GB26875_PORT, 9000)."
        )
        serve.add_argument(
            "--centre-address", default="000000000000", help="Our 6-byte address as 12 hex digits."
        )
        serve.add_argument(
            "--idle-timeout", type=float, default=180.0, help="Close a device silent this long (s)."
        )
        serve.add_argument(
            "--hello-timeout",
            type=float,
            default=30.0,
            help="Close a connection with no good frame this long (s).",
        )
        serve.add_argument(
            "--frame-timeout",
            type=float,
            default=15.0,
            help="Close a connection holding a partial frame this long (s).",
        )
        serve.add_argument("--batch", type=int, default=500, help="Messages per database batch.")
        serve.add_argument("--linger-ms", type=int, default=30, help="Longest wait to fill a batch (ms).")
        serve.add_argument("--max-connections", type=int, default=20000)
        serve.add_argument(
            "--keepalive",
            type=float,
            default=600.0,
            help="A heartbeat reaches the database at most this often (s).",
        )
        serve.add_argument(
            "--clock-tolerance", type=float, default=120.0, help="Sync a clock off by more (s); 0: never."
        )
        serve.add_argument(
            "--no-cases", action="store_true", help="Do not open hazard cases for panel fire alarms."
        )
        serve.add_argument(
            "--case-actor", default="", help="Username recorded on hazard cases the gateway opens."
        )
        serve.add_argument(
            "--stats-every", type=float, default=30.0, help="Seconds between stats lines (0: none)."
        )

        decode = sub.add_parser("decode", help="Decode frames given as hex (or - for standard input).")
        decode.add_argument("hex", nargs="+")

        register = sub.add_parser("register", help="Bind an address to a device.")
        register.add_argument("--address", required=True, help="12 hex digits as the frames carry them.")
        register.add_argument("--place", default="", help="Code of the place (a new alarm-panel device).")
        register.add_argument("--device", default="", help="Ident of an existing device instead.")
        register.add_argument("--name", default="")
        register.add_argument(
            "--rekey", action="store_true", help="Set the device key the gateway uses again."
        )

        for name, text in (
            ("sync-time", "Queue a clock synchronisation."),
            ("inspect", "Queue an inspection."),
        ):
            cmd = sub.add_parser(name, help=text)
            cmd.add_argument("--address", required=True)
            if name == "inspect":
                cmd.add_argument("--minutes", type=int, default=10, help="Minutes the site has to answer.")

        purge = sub.add_parser("purge", help="Delete old raw frames.")
        purge.add_argument("--days", type=int, default=None)

    def handle(self, *args, **opts):
        action = opts["action"].replace("-", "_")
        return getattr(self, f"do_{action}")(opts)

    # ---- serve ----

    def do_serve(self, opts):
        from django.contrib.auth import get_user_model

        from firegrid.iot.gb26875.codec import address_bytes
        from firegrid.iot.gb26875.server import Gateway

        try:
            address_bytes(opts["centre_address"])
        except ValueError as exc:
            raise CommandError(_("--centre-address: %(error)s") % {"error": exc}) from exc
        actor_id = None
        if opts["case_actor"]:
            actor_id = (
                get_user_model()
                .objects.filter(username=opts["case_actor"])
                .values_list("pk", flat=True)
                .first()
            )
            if actor_id is None:
                raise CommandError(_("No user %(name)s.") % {"name": opts["case_actor"]})
        limit = raise_fd_limit(opts["max_connections"] + 256)
        if limit < opts["max_connections"] + 64:
            log.warning("gb26875 file descriptor limit %d is below --max-connections", limit)
        gateway = Gateway(
            host=opts["host"],
            port=opts["port"],
            centre=opts["centre_address"],
            idle_timeout=opts["idle_timeout"],
            hello_timeout=opts["hello_timeout"],
            frame_timeout=opts["frame_timeout"],
            batch=opts["batch"],
            linger_ms=opts["linger_ms"],
            max_connections=opts["max_connections"],
            keepalive=opts["keepalive"],
            clock_tolerance=opts["clock_tolerance"],
            open_cases=not opts["no_cases"],
            case_actor_id=actor_id,
            stats_every=opts["stats_every"],
        )

        async def main():
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            await gateway.serve(stop)

        asyncio.run(main())
        totals = gateway.totals
        self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(totals.items())) or "frames=0")

    # ---- tools ----

    def do_decode(self, opts):
        from firegrid.iot.gb26875.explain import BadHex, as_text, explain, parse_hex

        text = sys.stdin.read() if opts["hex"] == ["-"] else " ".join(opts["hex"])
        try:
            raw = parse_hex(text)
        except BadHex as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(as_text(explain(raw)))

    def do_register(self, opts):
        from firegrid.iot.gb26875 import store
        from firegrid.iot.models import Device
        from firegrid.places.models import Place

        device = place = None
        if opts["device"]:
            device = Device.objects.filter(ident=opts["device"]).first()
            if device is None:
                raise CommandError(_("No device %(ident)s.") % {"ident": opts["device"]})
        elif opts["place"]:
            place = Place.objects.filter(code=opts["place"]).first()
            if place is None:
                raise CommandError(_("No place with code %(code)s.") % {"code": opts["place"]})
        elif not opts["rekey"]:
            raise CommandError(_("Give --place (a new device) or --device (an existing one)."))
        try:
            binding = store.register(
                opts["address"], device=device, place=place, name=opts["name"], rekey=opts["rekey"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Address %(address)s → device %(ident)s")
            % {"address": binding.address, "ident": binding.device.ident}
        )

    def _queue(self, opts, kind, minutes=None):
        from firegrid.iot.gb26875 import store
        from firegrid.iot.gb26875.models import TransmissionDevice

        try:
            command = store.queue_command(opts["address"], kind, minutes=minutes)
        except (ValueError, TransmissionDevice.DoesNotExist) as exc:
            raise CommandError(_("No registered device with that address.")) from exc
        self.stdout.write(
            _("Queued command %(pk)d; the gateway sends it within seconds.") % {"pk": command.pk}
        )

    def do_sync_time(self, opts):
        self._queue(opts, "sync_time")

    def do_inspect(self, opts):
        if not 1 <= opts["minutes"] <= 255:
            raise CommandError(_("--minutes must be 1–255."))
        self._queue(opts, "inspect", opts["minutes"])

    def do_purge(self, opts):
        from firegrid.iot.gb26875 import store

        days = opts["days"] if opts["days"] is not None else getattr(settings, "GB26875_RAW_DAYS", 30)
        if days < 1:
            raise CommandError(_("--days must be at least 1."))
        n = store.purge_frames(days)
        self.stdout.write(_("Deleted %(n)d raw frames older than %(days)d days.") % {"n": n, "days": days})
