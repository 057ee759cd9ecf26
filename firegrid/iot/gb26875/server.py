"""`firegrid gb26875 serve`: one asyncio process holding many transmission-device connections.

Event loop: each connection is an asyncio.Protocol (no task per connection, so ten thousand idle
devices cost little) with a FrameReader that never holds more than one frame. Frames are answered
as the standard asks (§6.3–6.5): an upload is confirmed once it is committed (at least once: a
device whose frame was lost to a crash sends it again, and the pipeline stores each message once),
a heartbeat at once, a frame failing the checks (checksum, length, unknown command or type flag) is
denied. Anything that is not a frame is skipped to the next "@@", counted and logged in hex.

Database: one thread runs everything that touches Django's ORM (registry, batches into
`pipeline.ingest`, counters, commands), in order, so a slow database slows the confirmations and,
past a bound, reading from the sockets (TCP pushes back), and never blocks the loop.

Limits: idle devices are closed after --idle-timeout without a good frame, a connection that sends
no good frame within --hello-timeout after connecting is closed, so is one that keeps a partial
frame longer than --frame-timeout (slow loris) or does not read our answers (write backlog).
"""

import asyncio
import collections
import contextlib
import itertools
import logging
import socket
import time
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone

from firegrid.iot.gb26875 import codec, events, store
from firegrid.iot.gb26875.codec import ANSWER, CONFIRM, CONTROL, DENY, REQUEST, SEND

log = logging.getLogger("firegrid.iot.gb26875")

WRITE_BACKLOG = 64 * 1024
HELD_FRAMES = 16
COMMAND_TIMEOUT = 10.0  # §6.5: no more than 10 s
COMMAND_TRIES = 3  # §6.5: three times
COMMAND_TTL = 3600.0
DB_RETRY_MAX = 30.0


class Sampler:
    """Logs (with hex) at most `per_reason` broken or refused inputs per reason and minute."""

    def __init__(self, per_reason=5, total=30):
        self.per_reason, self.total = per_reason, total
        self.minute = None
        self.taken = Counter()

    def take(self, reason):
        minute = int(time.time() // 60)
        if minute != self.minute:
            self.minute, self.taken = minute, Counter()
        if self.taken[reason] >= self.per_reason or sum(self.taken.values()) >= self.total:
            return False
        self.taken[reason] += 1
        return True


class Connection(asyncio.Protocol):
    def __init__(self, gateway):
        self.gw = gateway
        self.reader = codec.FrameReader()
        self.transport = None
        self.peer = ""
        self.binding = None
        self.opened = self.last_frame = time.monotonic()
        self.partial_since = None
        self.held = None  # frames waiting for a registry lookup
        self.closed = False
        self.serial = 0  # ours, for commands (§6.6: starts at 0 on each connection)
        self.tag = f"{gateway.run}{next(gateway.conn_ids):x}"
        self.forwarded_at = float("-inf")
        self.synced_at = float("-inf")
        self.messages = 0

    # ---- asyncio.Protocol ----

    def connection_made(self, transport):
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer or "")
        gw = self.gw
        if len(gw.conns) >= gw.max_connections:
            gw.count("refused:too_many_connections")
            self.closed = True
            transport.abort()
            return
        gw.conns.add(self)
        gw.count("connections")
        if gw.paused:
            transport.pause_reading()

    def data_received(self, data):
        now = time.monotonic()
        items = self.reader.feed(data)
        self.partial_since = (self.partial_since or now) if self.reader.pending else None
        for item in items:
            if self.closed:
                return
            if isinstance(item, codec.Broken):
                self.gw.broken(self, item)
            elif self.held is not None:
                if len(self.held) < HELD_FRAMES:
                    self.held.append((item, now))
                else:
                    self.gw.count("dropped:held_frames")
            else:
                self.on_frame(item, now)

    def connection_lost(self, exc):
        self.closed = True
        gw = self.gw
        gw.conns.discard(self)
        if self.binding is not None and gw.by_address.get(self.binding.address) is self:
            del gw.by_address[self.binding.address]

    # ---- frames ----

    def send(self, data):
        if self.closed:
            return
        self.transport.write(data)
        if self.transport.get_write_buffer_size() > WRITE_BACKLOG:
            self.close("write_backlog")

    def reply(self, frame, command):
        self.send(codec.reply(frame, command, self.gw.centre))

    def deny(self, frame, reason, raw=True):
        self.gw.count(f"denied:{reason}")
        self.reply(frame, DENY)
        if raw:
            self.gw.keep_raw(self, frame.raw, frame, problem=reason)

    def close(self, reason):
        if not self.closed:
            self.gw.count(f"closed:{reason}")
            self.closed = True
            self.transport.close()

    def on_frame(self, frame, now):
        gw = self.gw
        gw.count("frames")
        if self.binding is None:
            binding = gw.registry.get(frame.address)
            if binding is None and gw.may_refresh():
                self.held = [(frame, now)]
                gw.lookup_later(self)
                return
            if binding is None:
                self.refuse(frame)
                return
            self.bind(binding)
        elif frame.source != self.binding.source:
            self.deny(frame, "address_mismatch")
            return
        self.last_frame = now
        self.check_clock(frame, now)
        self.handle(frame, now)

    def resume_held(self):
        held, self.held = self.held or [], None
        for frame, now in held:
            if self.closed:
                return
            self.on_frame(frame, now)

    def refuse(self, frame):
        gw = self.gw
        gw.count("refused:unknown_address")
        if gw.sampler.take("unknown_address"):
            log.warning(
                "gb26875 unknown address %s from %s: %s", frame.address, self.peer, frame.raw[:256].hex(" ")
            )
            gw.keep_raw(self, frame.raw, frame, problem="unknown_address", address=frame.address)
        self.reply(frame, DENY)
        self.close("unknown_address")

    def bind(self, binding):
        gw = self.gw
        older = gw.by_address.get(binding.address)
        if older is not None and older is not self:
            older.close("replaced")
        gw.by_address[binding.address] = self
        self.binding = binding
        gw.connected.append((binding.pk, timezone.now(), self.peer))
        gw.count("bound")

    def check_clock(self, frame, now):
        """A device whose clock is off by more than --clock-tolerance gets our time (at most hourly)."""
        gw = self.gw
        moment = frame.time
        if not gw.clock_tolerance or now - self.synced_at < 3600:
            return
        skew = None if moment is None else abs((moment - timezone.now()).total_seconds())
        if skew is None or skew > gw.clock_tolerance:
            self.synced_at = now
            gw.count("clock_sync_sent")
            self.command(codec.sync_time_unit(), None)

    def command(self, data, command_pk):
        serial = self.serial
        self.serial = (self.serial + 1) & 0xFFFF
        raw = codec.encode(
            serial=serial, source=self.gw.centre, destination=self.binding.source, command=CONTROL, data=data
        )
        self.send(raw)
        self.gw.keep_raw(self, raw, None, direction="out", command=CONTROL, type_flag=data[0])
        self.gw.outstanding[(self.binding.address, serial)] = [command_pk, time.monotonic(), 1, raw, self]
        return serial

    def handle(self, frame, now):
        gw = self.gw
        cmd = frame.command
        if cmd in (SEND, ANSWER):
            if not frame.data:
                if cmd == SEND:
                    self.reply(frame, CONFIRM)
                gw.count("heartbeats")
                if now - self.forwarded_at >= gw.keepalive_for(self.binding):
                    self.forwarded_at = now
                    message = events.heartbeat(
                        key=self.binding.key, id_prefix=self.next_id(frame), received_at=timezone.now()
                    )
                    gw.submit(store.Job(self.binding, [message]), None, now)
                return
            try:
                unit = codec.decode_unit(frame.data)
            except codec.BadDataUnit as exc:
                if cmd == SEND:
                    self.deny(frame, exc.reason)
                else:
                    gw.count(f"skipped:{exc.reason}")
                return
            if unit.user_defined:
                gw.count("skipped:user_type")
                if cmd == SEND:
                    self.reply(frame, CONFIRM)
                gw.keep_raw(self, frame.raw, frame, problem="user_type")
                return
            if unit.type_flag not in events.UPLOAD_TYPES:
                if cmd == SEND:
                    self.deny(frame, "unknown_type")
                else:
                    gw.count("skipped:unknown_type")
                return
            b = self.binding
            outcome = events.translate(
                unit,
                faults=b.faults,
                info=b.info,
                key=b.key,
                id_prefix=self.next_id(frame),
                received_at=timezone.now(),
            )
            if outcome.info is not None:
                b.info = outcome.info
            if outcome.messages:
                self.forwarded_at = now
            job = store.Job(
                b,
                outcome.messages,
                raw=("in", cmd, unit.type_flag, "", frame.raw),
                faults=sorted(b.faults) if outcome.faults_changed else None,
                info=outcome.info,
                clock_skew_s=outcome.clock_skew_s,
                answered=outcome.inspection_answered,
                fire=outcome.fire,
            )
            gw.count(f"type:{unit.type_flag}")
            gw.submit(job, frame if cmd == SEND else None, now)
        elif cmd == CONFIRM:
            gw.command_done(self, frame.serial, "confirmed")
        elif cmd == DENY:
            gw.command_done(self, frame.serial, "denied")
        elif cmd in (CONTROL, REQUEST):
            self.deny(frame, "unexpected_command")
        elif cmd >= 128:
            gw.count("skipped:user_command")
            gw.keep_raw(self, frame.raw, frame, problem="user_command")
        else:
            self.deny(frame, "unknown_command")

    def next_id(self, frame):
        """Message ids: this connection, the frame's serial and a digest of its data unit, so a frame
        sent again (same serial, same data) is stored once and nothing else collides."""
        self.messages += 1
        return f"gb:{self.tag}:{frame.serial}:{zlib.crc32(frame.data):08x}"


class Gateway:
    def __init__(
        self,
        *,
        host="0.0.0.0",  # noqa: S104 - a gateway listens for devices on every interface by default
        port=9000,
        centre="000000000000",
        idle_timeout=180.0,
        hello_timeout=30.0,
        frame_timeout=15.0,
        batch=500,
        linger_ms=30,
        max_queue=20000,
        max_connections=20000,
        keepalive=600.0,
        refresh=30.0,
        clock_tolerance=120.0,
        open_cases=True,
        case_actor_id=None,
        process=None,
        stats_every=30.0,
        db_initializer=None,
    ):
        self.host, self.port = host, port
        self.centre = codec.address_bytes(centre)
        self.idle_timeout, self.hello_timeout, self.frame_timeout = idle_timeout, hello_timeout, frame_timeout
        self.batch, self.linger = batch, linger_ms / 1000
        self.max_queue, self.max_connections = max_queue, max_connections
        self.keepalive, self.refresh_every, self.clock_tolerance = keepalive, refresh, clock_tolerance
        self.open_cases, self.case_actor_id = open_cases, case_actor_id
        self.process = process or f"gb26875-{socket.gethostname()}"[:60]
        self.stats_every = stats_every
        self.run = f"{int(time.time()) % 0xFFFFFF:x}-"
        self.conn_ids = itertools.count(1)
        self.conns = set()
        self.by_address = {}
        self.registry = {}
        self.registry_at = float("-inf")
        self.waiting = []  # connections waiting for a registry refresh
        self.refreshing = None
        self.queue = collections.deque()
        self.paused = False
        self.connected = []
        self.extra_raw = []
        self.outstanding = {}
        self.command_updates = []
        self.sent_commands = set()
        self.sampler = Sampler()
        self.totals = Counter()
        self.window = Counter()
        self.pending_counts = Counter()
        self.latencies = collections.deque(maxlen=100000)  # frame received → alarm committed (s)
        self.window_latencies = []
        self.cases = []
        self.server = None
        self.stopping = False
        self.wake = None
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="gb26875-db", initializer=db_initializer)
        self.tasks = []
        self.ready = None

    # ---- counters ----

    def count(self, name, n=1):
        self.totals[name] += n
        self.window[name] += n
        self.pending_counts[(timezone.now().replace(second=0, microsecond=0), name)] += n

    def keepalive_for(self, binding):
        return max(5.0, min(self.keepalive, binding.heartbeat_seconds / 2))

    # ---- database thread ----

    async def db(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))

    # ---- registry ----

    def may_refresh(self):
        return time.monotonic() - self.registry_at > 2.0

    def lookup_later(self, conn):
        self.waiting.append(conn)
        if self.refreshing is None:
            self.refreshing = asyncio.ensure_future(self.refresh_registry())

    async def refresh_registry(self):
        try:
            registry = await self.db(store.load_registry)
        except Exception:
            log.exception("gb26875 registry refresh failed")
            registry = None
        if registry is not None:
            for address in list(registry):
                current = self.by_address.get(address)
                if current is not None and current.binding is not None:
                    registry[address] = current.binding  # keep the live state of connected devices
            for address, conn in list(self.by_address.items()):
                if address not in registry:
                    conn.close("unregistered")
            self.registry = registry
        self.registry_at = time.monotonic()
        self.refreshing = None
        waiting, self.waiting = self.waiting, []
        for conn in waiting:
            if not conn.closed:
                conn.resume_held()

    # ---- broken input ----

    def broken(self, conn, item):
        self.count(f"broken:{item.reason}")
        if self.sampler.take(item.reason):
            log.warning(
                "gb26875 broken input reason=%s peer=%s address=%s bytes=%d hex=%s",
                item.reason,
                conn.peer,
                conn.binding.address if conn.binding else "-",
                len(item.raw),
                item.raw[:256].hex(" "),
            )
            self.keep_raw(conn, item.raw[:2048], item.frame, problem=item.reason)
        frame = item.frame
        if frame is not None and (conn.binding is None or frame.source == conn.binding.source):
            # a readable header with a bad checksum: §6.5 asks for a denial so the device sends again
            self.count("denied:checksum")
            conn.reply(frame, DENY)

    def keep_raw(
        self, conn, raw, frame, *, problem="", direction="in", command=None, type_flag=None, address=None
    ):
        if len(self.extra_raw) > 10000:
            return
        binding = conn.binding
        if frame is not None:
            command = frame.command
            type_flag = frame.data[0] if frame.data else None
        self.extra_raw.append(
            (
                timezone.now(),
                direction,
                address or (binding.address if binding else ""),
                binding.pk if binding else None,
                command,
                type_flag,
                problem[:30],
                bytes(raw),
            )
        )

    # ---- batches ----

    def submit(self, job, frame, received):
        self.queue.append((job, frame, received))
        self.wake.set()
        if len(self.queue) >= self.max_queue and not self.paused:
            self.paused = True
            self.count("paused")
            for conn in self.conns:
                with contextlib.suppress(Exception):
                    conn.transport.pause_reading()

    def resume(self):
        if self.paused and len(self.queue) < self.max_queue // 2:
            self.paused = False
            for conn in self.conns:
                with contextlib.suppress(Exception):
                    conn.transport.resume_reading()

    async def batcher(self):
        delay = 0.5
        while not (self.stopping and not self.queue):
            await self.wake.wait()
            self.wake.clear()
            if not self.queue:
                continue
            if len(self.queue) < self.batch and not self.stopping:
                await asyncio.sleep(self.linger)
            taken, n = [], 0
            while self.queue and n < self.batch:
                entry = self.queue.popleft()
                taken.append(entry)
                n += max(1, len(entry[0].messages))
            ok = await self.write(taken)
            if ok is None:  # database away: keep the batch, try again
                self.queue.extendleft(reversed(taken))
                await asyncio.sleep(delay)
                delay = min(delay * 2, DB_RETRY_MAX)
            else:
                delay = 0.5
            self.resume()
            if self.queue:
                self.wake.set()

    async def write(self, taken):
        jobs = [job for job, _frame, _received in taken]
        extra, self.extra_raw = self.extra_raw, []
        connected, self.connected = self.connected, []
        updates, self.command_updates = self.command_updates, []
        started = time.monotonic()
        try:
            per_job, committed, cases = await self.db(
                store.write_batch,
                jobs,
                extra_raw=extra,
                connected=connected,
                command_updates=updates,
                case_actor_id=self.case_actor_id,
                open_cases=self.open_cases,
            )
        except (OperationalError, InterfaceError) as exc:
            log.warning("gb26875 database error batch=%d error=%s", len(jobs), str(exc).strip()[:200])
            self.extra_raw[:0], self.connected[:0], self.command_updates[:0] = extra, connected, updates
            return None
        except Exception:
            log.exception("gb26875 batch failed batch=%d", len(jobs))
            if len(taken) > 1:  # one bad frame must not hold the others: one by one
                for entry in taken:
                    if await self.write([entry]) is None:
                        return None
                return True
            self.count("failed:internal_error")
            return True
        self.window["db_ms"] += round((time.monotonic() - started) * 1000)
        self.window["batches"] += 1
        for (job, frame, received), results in zip(taken, per_job, strict=True):
            for name, n in store.sample_counts(results).items():
                self.count(name, n)
            if job.fire:
                self.latencies.append(committed - received)
                self.window_latencies.append(committed - received)
            if frame is not None:
                conn = self.by_address.get(job.binding.address)
                if conn is not None:
                    conn.reply(frame, CONFIRM)
            if any(r.reason == "bad_key" for r in results) and self.sampler.take("bad_key"):
                log.warning(
                    "gb26875 device %s rejected bad_key: its key was rotated; run "
                    "`firegrid gb26875 register --address %s --rekey`",
                    job.binding.ident,
                    job.binding.address,
                )
        if cases:
            self.count("cases", len(cases))
            self.cases += cases[:1000]
        return True

    # ---- commands ----

    def command_done(self, conn, serial, outcome):
        if conn.binding is None:
            return
        entry = self.outstanding.pop((conn.binding.address, serial), None)
        if entry is None:
            self.count(f"unmatched:{outcome}")
            return
        self.count(f"command_{outcome}")
        if entry[0] is not None:
            self.command_updates.append((entry[0], {"status": outcome, "done_at": timezone.now()}))

    async def commands(self):
        while not self.stopping:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for key, entry in list(self.outstanding.items()):
                pk, sent, tries, raw, conn = entry
                if now - sent < COMMAND_TIMEOUT:
                    continue
                if tries >= COMMAND_TRIES or conn.closed:
                    del self.outstanding[key]
                    self.count("command_failed")
                    if pk is not None:
                        note = "no confirmation" if not conn.closed else "connection closed"
                        self.command_updates.append(
                            (pk, {"status": "failed", "note": note, "done_at": timezone.now()})
                        )
                else:
                    entry[1], entry[2] = now, tries + 1
                    conn.send(raw)
            try:
                due = await self.db(store.due_commands)
            except Exception as exc:
                log.warning("gb26875 could not read commands: %s", exc)
                continue
            for pk, address, kind, minutes, created_at in due:
                if pk in self.sent_commands:
                    continue
                conn = self.by_address.get(address)
                if conn is None or conn.closed:
                    if (timezone.now() - created_at).total_seconds() > COMMAND_TTL:
                        self.command_updates.append(
                            (
                                pk,
                                {
                                    "status": "failed",
                                    "note": "device not connected",
                                    "done_at": timezone.now(),
                                },
                            )
                        )
                    continue
                data = codec.sync_time_unit() if kind == "sync_time" else codec.inspect_unit(minutes or 10)
                serial = conn.command(data, pk)
                self.sent_commands.add(pk)
                self.command_updates.append(
                    (pk, {"status": "sent", "serial": serial, "tries": 1, "sent_at": timezone.now()})
                )
            if self.command_updates and not self.queue:
                updates, self.command_updates = self.command_updates, []
                try:
                    await self.db(store.save_command_updates, updates)
                except Exception:
                    self.command_updates[:0] = updates

    # ---- housekeeping ----

    async def sweeper(self):
        last_refresh = last_stats = time.monotonic()
        while not self.stopping:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for conn in list(self.conns):
                if conn.partial_since is not None and now - conn.partial_since > self.frame_timeout:
                    conn.close("slow_frame")
                elif conn.binding is None and conn.held is None and now - conn.opened > self.hello_timeout:
                    conn.close("hello_timeout")
                elif conn.binding is not None and now - conn.last_frame > self.idle_timeout:
                    conn.close("idle_timeout")
            if now - last_refresh > self.refresh_every and self.refreshing is None:
                last_refresh = now
                self.refreshing = asyncio.ensure_future(self.refresh_registry())
            if self.pending_counts or self.extra_raw or self.connected:
                if not self.queue and (self.extra_raw or self.connected):
                    self.queue.append((store.Job(_NOBODY, []), None, now))
                    self.wake.set()
                pending, self.pending_counts = self.pending_counts, Counter()
                try:
                    await self.db(store.upsert_counts, self.process, pending)
                except Exception as exc:
                    log.warning("gb26875 could not write counters: %s", exc)
                    self.pending_counts.update(pending)
            if self.stats_every and now - last_stats >= self.stats_every:
                self.log_stats(now - last_stats)
                last_stats = now

    def log_stats(self, seconds):
        w = self.window
        lat = sorted(self.window_latencies)
        self.window_latencies = []
        fire = (
            f"fire_alarms={len(lat)} fire_p50_ms={lat[len(lat) // 2] * 1000:.1f} "
            f"fire_p99_ms={lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000:.1f}"
            if lat
            else "fire_alarms=0"
        )
        log.info(
            "gb26875 stats seconds=%.0f connections=%d bound=%d frames=%d heartbeats=%d accepted=%d "
            "duplicate=%d rejected=%d broken=%d denied=%d refused=%d queue=%d batches=%d "
            "mean_batch_ms=%.1f %s",
            seconds,
            len(self.conns),
            len(self.by_address),
            w["frames"],
            w["heartbeats"],
            w["accepted"],
            w["duplicate"],
            sum(v for k, v in w.items() if k.startswith("rejected:")),
            sum(v for k, v in w.items() if k.startswith("broken:")),
            sum(v for k, v in w.items() if k.startswith("denied:")),
            sum(v for k, v in w.items() if k.startswith("refused:")),
            len(self.queue),
            w["batches"],
            w["db_ms"] / max(w["batches"], 1),
            fire,
        )
        self.window = Counter()

    # ---- life ----

    async def start(self):
        self.wake = asyncio.Event()
        self.registry = await self.db(store.load_registry)
        self.registry_at = time.monotonic()
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: Connection(self), self.host, self.port, backlog=4096, reuse_address=True
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.tasks = [
            asyncio.ensure_future(self.batcher()),
            asyncio.ensure_future(self.sweeper()),
            asyncio.ensure_future(self.commands()),
        ]
        log.info(
            "gb26875 listening on %s:%d devices=%d centre=%s",
            self.host,
            self.port,
            len(self.registry),
            self.centre.hex().upper(),
        )
        return self

    async def stop(self):
        self.stopping = True
        if self.server is not None:
            self.server.close()
        for conn in list(self.conns):
            conn.close("shutdown")
        self.wake.set()
        batcher = self.tasks[0] if self.tasks else None
        if batcher is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(batcher, 30)
        if self.extra_raw or self.connected or self.command_updates:
            await self.write([(store.Job(_NOBODY, []), None, time.monotonic())])
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        pending, self.pending_counts = self.pending_counts, Counter()
        with contextlib.suppress(Exception):
            await self.db(store.upsert_counts, self.process, pending)
        self.log_stats(0)
        with contextlib.suppress(Exception):
            await self.db(connections.close_all)  # the database thread's own connection
        self.executor.shutdown(wait=True)
        log.info("gb26875 stopped")

    async def serve(self, stop_event):
        await self.start()
        await stop_event.wait()
        await self.stop()


class _Nobody:
    """A stand-in binding for a batch that only carries raw frames and connection times."""

    pk = None
    device_id = None
    ident = ""
    address = ""


_NOBODY = _Nobody()
