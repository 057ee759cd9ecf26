"""`firegrid ingest`: the MQTT ingest process (see firegrid/iot/mqtt.py). Run several with different
--worker numbers (or client ids) to split the load through the shared subscription."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from firegrid.iot.mqtt import Ingestor, default_client_id, parse_url, topic_pattern


class Command(BaseCommand):
    help = "Consume device messages from the MQTT broker and store them in batches."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="Broker URL (default: MQTT_URL).")
        parser.add_argument("--topic", default="", help="Topic filter (default: MQTT_TOPIC).")
        parser.add_argument(
            "--group",
            default=None,
            help="Shared subscription group (default: MQTT_SHARED_GROUP; empty for a plain subscription).",
        )
        parser.add_argument("--worker", type=int, default=0, help="Worker number for the default client id.")
        parser.add_argument(
            "--client-id",
            default="",
            help="Fixed MQTT client id; the persistent session belongs to it (default: hostname + worker).",
        )
        parser.add_argument("--batch", type=int, default=500, help="Messages per batch (default 500).")
        parser.add_argument(
            "--linger-ms", type=int, default=50, help="Longest wait to fill a batch (default 50 ms)."
        )
        parser.add_argument(
            "--inflight",
            type=int,
            default=0,
            help="Unacknowledged messages the broker may send (MQTT 5 Receive Maximum; default 2 × batch).",
        )
        parser.add_argument(
            "--session-expiry",
            type=int,
            default=7 * 86400,
            help="Seconds the broker keeps the session while the process is away (default 7 days).",
        )
        parser.add_argument(
            "--stats-every", type=float, default=10.0, help="Seconds between stats log lines (0: none)."
        )
        parser.add_argument(
            "--max-messages", type=int, default=0, help="Stop after this many messages (for tests, benches)."
        )
        parser.add_argument(
            "--idle-exit",
            type=float,
            default=0.0,
            help="Stop once subscribed and idle this many seconds (drain a backlog and exit).",
        )

    def handle(self, *args, **opts):
        if opts["batch"] < 1 or opts["linger_ms"] < 0 or not 0 <= opts["inflight"] <= 65535:
            raise CommandError(
                _("--batch must be at least 1, --linger-ms at least 0 and --inflight 0–65535.")
            )
        try:
            parse_url(opts["url"] or settings.MQTT_URL)
            topic_pattern(opts["topic"] or settings.MQTT_TOPIC)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        ingestor = Ingestor(
            client_id=opts["client_id"] or default_client_id(opts["worker"]),
            url=opts["url"] or None,
            topic=opts["topic"] or None,
            group=opts["group"],
            batch=opts["batch"],
            linger_ms=opts["linger_ms"],
            inflight=opts["inflight"],
            session_expiry=opts["session_expiry"],
            stats_every=opts["stats_every"],
            max_messages=opts["max_messages"],
            idle_exit=opts["idle_exit"],
        )

        def stop(signum, frame):
            ingestor.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        totals = ingestor.run()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in sorted(totals.items())) or "received=0")
