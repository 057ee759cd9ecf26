"""The MQTT ingest process (`firegrid ingest`): broker → batches → `pipeline.ingest` → acknowledgements.

At-least-once without loss: the client keeps a persistent session (fixed client id, clean start off,
a session expiry) and acknowledges a QoS 1 message only after the batch holding it is committed, so
a killed process loses nothing — the broker redelivers what was not acknowledged, and the pipeline
stores each message id once. MQTT 5 rather than 3.1.1 because the client itself declares how many
unacknowledged messages it may hold (Receive Maximum): with deferred acknowledgements that window
is the batch size, and under 3.1.1 it would be the broker's setting (Mosquitto: 20). MQTT 5 also
lets a retired worker's session expire instead of queueing for it forever.

Brokers: set the per-client queue large enough for an ingest restart (Mosquitto
`max_queued_messages`, default 1000, drops QoS 1 messages beyond it) and cap packets near
IOT_MAX_MESSAGE_BYTES (`message_size_limit`/`max_packet_size`); the ingest rejects larger bodies as
`too_large` anyway.

Threads: paho's network loop runs in its own thread and only puts messages on a queue; the main
thread batches (by size and linger time), writes, acknowledges and keeps the counters.
"""

import contextlib
import logging
import queue
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from firegrid.iot import notify, pipeline
from firegrid.iot.models import IngestCount, RejectedMessage

log = logging.getLogger("firegrid.iot.ingest")

SAMPLE_BYTES = 200
DB_RETRY_MAX = 30.0


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None


def parse_url(url):
    """mqtt://[user:pass@]host[:port] or mqtts://… (TLS) → Broker."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp", "mqtts", "ssl") or not parts.hostname:
        raise ValueError(f"MQTT_URL must look like mqtt://host:1883 or mqtts://host:8883, not {url!r}")
    tls = parts.scheme in ("mqtts", "ssl")
    return Broker(
        host=parts.hostname,
        port=parts.port or (8883 if tls else 1883),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def topic_pattern(topic_filter):
    """A regex for the topics a filter matches; the first `+` level is the device ident."""
    parts = []
    named = False
    for level in topic_filter.split("/"):
        if level == "+":
            parts.append("[^/]+" if named else "(?P<device>[^/]+)")
            named = True
        elif level == "#":
            parts.append(".*")
        else:
            parts.append(re.escape(level))
    if not named:
        raise ValueError(f"MQTT_TOPIC {topic_filter!r} needs a + level for the device id")
    return re.compile("/".join(parts))


def subscription(topic, group):
    return f"$share/{group}/{topic}" if group else topic


def default_client_id(worker=0):
    return f"firegrid-ingest-{socket.gethostname()}-{worker}"[:64]


def reject_sample(raw):
    # PostgreSQL text cannot hold NUL
    return bytes(raw[:SAMPLE_BYTES]).decode("utf-8", "replace").replace("\x00", "\\x00")


@dataclass
class Item:
    topic: str
    payload: bytes
    mid: int
    qos: int
    generation: int


class RejectSampler:
    """Keeps the first bytes of some rejected messages: at most `per_reason` per reason and `total`
    overall in each minute, so a broken fleet cannot flood the table or the log."""

    def __init__(self, total=30, per_reason=5):
        self.total, self.per_reason = total, per_reason
        self.minute = None
        self.taken = Counter()
        self.rows = []

    def offer(self, item, device, result, now):
        minute = now.replace(second=0, microsecond=0)
        if minute != self.minute:
            self.minute, self.taken = minute, Counter()
        if self.taken[result.reason] >= self.per_reason or sum(self.taken.values()) >= self.total:
            return False
        self.taken[result.reason] += 1
        log.warning(
            "ingest rejected reason=%s device=%s topic=%s detail=%s",
            result.reason,
            device or "-",
            item.topic[:120],
            result.detail[:120],
        )
        if len(self.rows) < self.total * 10:  # kept while the database is away, within bounds
            self.rows.append(
                RejectedMessage(
                    received_at=now,
                    channel="mqtt",
                    device_ident=(device or "")[:64],
                    reason=result.reason[:40],
                    detail=(result.detail or item.topic)[:300].replace("\x00", ""),
                    sample=reject_sample(item.payload),
                )
            )
        return True


def _upsert_counts(process, pending):
    """Add to the per-minute counters in one statement per row (INSERT … ON CONFLICT works on both
    SQLite and PostgreSQL; the ORM's update_conflicts would overwrite instead of add)."""
    table = IngestCount._meta.db_table
    sql = (
        f"INSERT INTO {table} (minute, process, name, count) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (minute, process, name) DO UPDATE SET count = {table}.count + excluded.count"
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(adapt(m), process, name, n) for (m, name), n in sorted(pending.items())])


class Ingestor:
    """One ingest consumer. `run()` blocks until `stop()` (or --max-messages / --idle-exit)."""

    def __init__(
        self,
        *,
        client_id,
        url=None,
        topic=None,
        group=None,
        batch=500,
        linger_ms=50,
        inflight=0,
        session_expiry=7 * 86400,
        keepalive=30,
        stats_every=10.0,
        max_messages=0,
        idle_exit=0.0,
    ):
        self.broker = parse_url(url or settings.MQTT_URL)
        self.topic = topic or settings.MQTT_TOPIC
        self.group = settings.MQTT_SHARED_GROUP if group is None else group
        self.pattern = topic_pattern(self.topic)
        self.client_id = client_id
        self.process = client_id[:60]
        self.batch = max(1, batch)
        self.linger = max(0, linger_ms) / 1000
        self.inflight = min(inflight or 2 * self.batch, 65535)
        self.session_expiry = session_expiry
        self.keepalive = keepalive
        self.stats_every = stats_every
        self.max_messages = max_messages
        self.idle_exit = idle_exit
        self.queue = queue.Queue(maxsize=max(self.inflight, 2 * self.batch))
        self.subscribed = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # generation and connected state, shared with the network thread
        self._generation = 0
        self._connected = False
        self._pending = Counter()  # (minute, name) → count not yet written
        self._sampler = RejectSampler()
        self.totals = Counter()
        self._window = Counter()
        self.client = None
        self._fires = queue.Queue()
        self._notifier = None
        self._running = False

    # ---- the network thread ----

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("ingest connect refused client=%s reason=%s", self.client_id, reason_code)
            return
        with self._lock:
            self._generation += 1  # acknowledgements of earlier connections must not be sent on this one
            self._connected = True
        log.info(
            "ingest connected client=%s broker=%s:%s session_present=%s",
            self.client_id,
            self.broker.host,
            self.broker.port,
            flags.session_present,
        )
        client.subscribe(subscription(self.topic, self.group), qos=1)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        failed = [str(rc) for rc in reason_codes if rc.is_failure]
        if failed:
            log.error("ingest subscription refused client=%s reason=%s", self.client_id, ",".join(failed))
            return
        log.info(
            "ingest subscribed client=%s topic=%s inflight=%d",
            self.client_id,
            subscription(self.topic, self.group),
            self.inflight,
        )
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        with self._lock:
            self._generation += 1
            self._connected = False
        if not self._stop.is_set():
            log.warning("ingest disconnected client=%s reason=%s (reconnecting)", self.client_id, reason_code)

    def _on_message(self, client, userdata, message):
        # never raise here: an exception would end paho's loop thread
        try:
            topic = message.topic
        except UnicodeDecodeError:
            topic = ""
        item = Item(topic, message.payload, message.mid, message.qos, self._generation)
        # A full queue holds this thread, so paho stops reading and TCP pushes back on the broker
        # (Mosquitto 2.0.11 was seen to send a resumed session's backlog beyond Receive Maximum).
        while True:
            try:
                self.queue.put(item, timeout=0.5)
                return
            except queue.Full:
                if self._stop.is_set():
                    return  # unacknowledged: the broker sends it again to this session

    def _make_client(self):
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        if self.broker.username:
            client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            client.tls_set()
        return client

    # ---- the main thread ----

    def stop(self):
        self._stop.set()

    # ---- fire notifications, off the batch path ----

    def _notify_later(self, alarm_ids):
        """After a commit: the people are told by a thread of our own, so the acknowledgements and the
        next batch do not wait for their queries and mail. A process killed before the thread has sent
        loses those notifications, as one killed just after the commit did before (the alarms stay)."""
        if self._notifier is None or not self._notifier.is_alive():
            self._notifier = threading.Thread(target=self._notify_loop, name="ingest-notify", daemon=True)
            self._notifier.start()
        self._fires.put(alarm_ids)

    def _notify_loop(self):
        try:
            while True:
                alarm_ids = self._fires.get()
                if alarm_ids is None:
                    return
                try:
                    notify.alarms_raised(alarm_ids)
                except Exception:
                    log.exception("ingest fire notification failed ids=%s", alarm_ids)
                    with contextlib.suppress(Exception):
                        connection.close()  # this thread's own connection
        finally:
            with contextlib.suppress(Exception):
                connection.close()

    def _stop_notifier(self, timeout=10.0):
        if self._notifier is not None and self._notifier.is_alive():
            self._fires.put(None)
            self._notifier.join(timeout)

    def run(self):
        # A long-lived consumer keeps its database connection. With CONN_MAX_AGE 0 (the default, right
        # for web requests) close_old_connections() reconnected for every batch: a new PostgreSQL
        # backend, its catalogue caches cold. It still drops a connection that failed.
        connection.settings_dict["CONN_MAX_AGE"] = None
        connection.close_at = None
        self._running = True
        self.client = self._make_client()
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = self.inflight
        self.client.connect_async(
            self.broker.host, self.broker.port, self.keepalive, clean_start=False, properties=properties
        )
        self.client.loop_start()
        started = last_flush = last_stats = last_message = time.monotonic()
        self._window_started = started
        try:
            while not self._stop.is_set():
                items = self._collect()
                if items:
                    self._process(items)
                    last_message = time.monotonic()
                now = time.monotonic()
                if now - last_flush >= 1.0:
                    self._flush()
                    last_flush = now
                if self.stats_every and now - last_stats >= self.stats_every:
                    self._log_stats()
                    last_stats = now
                if self.max_messages and self.totals["received"] >= self.max_messages:
                    break
                if (
                    self.idle_exit
                    and self.subscribed.is_set()
                    and self.queue.empty()
                    and now - last_message >= self.idle_exit
                ):
                    break
        finally:
            self._stop.set()
            self._stop_notifier()
            self._flush()
            self._log_stats()
            self.client.disconnect()  # queued behind the acknowledgements, so they go out first
            self.client.loop_stop()
            log.info(
                "ingest stopped client=%s seconds=%.1f %s",
                self.client_id,
                time.monotonic() - started,
                " ".join(f"{k}={v}" for k, v in sorted(self.totals.items())),
            )
        return self.totals

    def _collect(self):
        try:
            items = [self.queue.get(timeout=0.2)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.linger
        while len(items) < self.batch:
            remaining = deadline - time.monotonic()
            try:
                items.append(self.queue.get(timeout=remaining) if remaining > 0 else self.queue.get_nowait())
            except queue.Empty:
                break
        return items

    def _process(self, items):
        started = time.monotonic()
        results = self._ingest_until_stored(items)
        if results is None:  # stopping while the database is away: the broker keeps them
            return
        self._ack(items)
        self._account(items, results, time.monotonic() - started)

    def _ingest_until_stored(self, items):
        """Write a batch; on a database outage keep it (unacknowledged) and retry with a backoff."""
        delay = 0.5
        while True:
            close_old_connections()
            try:
                return self._ingest(items)
            except (OperationalError, InterfaceError) as exc:
                log.warning(
                    "ingest database error client=%s batch=%d retry_in=%.1fs error=%s",
                    self.client_id,
                    len(items),
                    delay,
                    str(exc).strip()[:200],
                )
                with contextlib.suppress(Exception):  # a broken connection may fail to close
                    connection.close()
                if self._stop.wait(delay):
                    return None
                delay = min(delay * 2, DB_RETRY_MAX)
            except Exception:
                # a message the pipeline cannot handle must not block the others: retry one by one,
                # and reject (with a sample) the one that still fails
                log.exception("ingest batch failed client=%s batch=%d", self.client_id, len(items))
                if len(items) == 1:
                    return [pipeline.Result("rejected", "internal_error", "the pipeline failed")]
                results = []
                for item in items:
                    one = self._ingest_until_stored([item])
                    if one is None:
                        return None
                    results += one
                return results

    def _ingest(self, items):
        results = [None] * len(items)
        todo = []
        for i, item in enumerate(items):
            match = self.pattern.fullmatch(item.topic)
            if match is None:
                results[i] = pipeline.Result("rejected", "bad_topic", item.topic[:120])
            else:
                todo.append((i, match["device"]))
        if todo:
            # run() notifies from a thread; a batch processed outside run() (tests) notifies inline
            handoff = pipeline.fire_handler(self._notify_later) if self._running else contextlib.nullcontext()
            with handoff:
                done = pipeline.ingest([(device, items[i].payload) for i, device in todo])
            for (i, _device), result in zip(todo, done, strict=True):
                results[i] = result
        return results

    def _ack(self, items):
        with self._lock:
            if not self._connected:
                return
            generation = self._generation
            for item in items:
                # a message from an earlier connection is redelivered on this one and acknowledged then
                if item.qos and item.generation == generation:
                    self.client.ack(item.mid, item.qos)

    def _account(self, items, results, seconds):
        counts = pipeline.count(results)
        now = timezone.now()
        minute = now.replace(second=0, microsecond=0)
        for name, n in counts.items():
            self._pending[(minute, name[:40])] += n
        counts["received"] = len(items)
        self.totals.update(counts)
        self._window.update(counts)
        self._window["batches"] += 1
        self._window["db_ms"] += round(seconds * 1000)
        for item, result in zip(items, results, strict=True):
            if result.status == "rejected":
                match = self.pattern.fullmatch(item.topic)
                self._sampler.offer(item, match["device"] if match else "", result, now)

    def _flush(self):
        """Counters and reject samples, once a second; kept for the next try if the database is away."""
        if not self._pending and not self._sampler.rows:
            return
        try:
            close_old_connections()
            with transaction.atomic():
                if self._pending:
                    _upsert_counts(self.process, self._pending)
                if self._sampler.rows:
                    RejectedMessage.objects.bulk_create(self._sampler.rows)
        except (OperationalError, InterfaceError) as exc:
            log.warning("ingest could not write counters client=%s error=%s", self.client_id, exc)
            return
        self._pending = Counter()
        self._sampler.rows = []

    def _log_stats(self):
        now = time.monotonic()
        seconds = max(now - self._window_started, 1e-6)
        w = self._window
        rejected = {k.split(":", 1)[1]: v for k, v in w.items() if k.startswith("rejected:")}
        if w["received"] or w["batches"]:
            log.info(
                "ingest stats client=%s seconds=%.1f received=%d rate=%.0f/s accepted=%d duplicate=%d "
                "rejected=%d batches=%d mean_batch=%.0f mean_batch_ms=%.1f queue=%d reasons=%s",
                self.client_id,
                seconds,
                w["received"],
                w["received"] / seconds,
                w["accepted"],
                w["duplicate"],
                sum(rejected.values()),
                w["batches"],
                w["received"] / max(w["batches"], 1),
                w["db_ms"] / max(w["batches"], 1),
                self.queue.qsize(),
                ",".join(f"{k}:{v}" for k, v in sorted(rejected.items())) or "-",
            )
        self._window = Counter()
        self._window_started = now
