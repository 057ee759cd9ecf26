#!/usr/bin/env python
"""Benchmark of issue 6: sustained MQTT QoS 1 ingest into PostgreSQL, beside the broker's own ceiling.

    .venv/bin/python bench/bench_iot.py                        # everything: ~8 minutes on 2 cores
    .venv/bin/python bench/bench_iot.py --reuse --rates 3000   # keep the scratch database

Needs PostgreSQL (DATABASE_URL's server; default postgres://firegrid:firegrid@127.0.0.1:5432) and
Debian's /usr/sbin/mosquitto. It starts its own Mosquitto on a free loopback port (persistence off:
sessions live in the broker's memory, as they would between autosaves; max_queued_messages 10^7;
no size limits), DROPS and recreates the scratch database (--db, default firegrid_bench_iot; never
"firegrid"), migrates it, runs `seed_demo --scale 1`, and registers the bench devices with bulk
inserts (deterministic keys, so --reuse works): --devices electrical monitors that send normal
readings (every rule of their kind is evaluated, none fires) and --alarm-devices smoke detectors,
each of which sends one `smoke` event per step: a new fire alarm.

1. Ceiling: a plain paho subscriber (MQTT 5, QoS 1, Receive Maximum 1000, acknowledging as it
   receives) on the same topic filter counts --ceiling-messages messages that one publisher process
   sends at QoS 1 as fast as it can (the same payloads the ingest gets). msgs/s = received / (last
   − first arrival).
2. Ingest: `manage.py ingest` with 1 and then 2 processes (--processes; one shared-subscription
   group), and for each --rates step the publisher sends at that rate for --duration seconds
   ("max": as fast as it can). Every --alarm-every-th message is a smoke event of a fresh smoke
   detector whose `ts` is time.time() taken just before publish(); everything else is a normal
   reading. Between steps the alarms are cleared (cleared_at a day ago, so none comes back as a
   flap) and rule states reset.

Figures per step: published msgs/s; stored msgs/s (Message rows, from max(id) sampled each second,
from 20 % into the publishing window to the last sample taken while the publisher was sending); the
backlog (published − stored) when publishing stops and how long it took to drain; CPU of each
ingest process, its PostgreSQL backends, Mosquitto, the publisher and all PostgreSQL processes (from
/proc, % of one core, over the publishing window) and CPU ms per stored message;
and the alarm latency: Alarm.raised_at − Alarm.first_at. first_at is the message's ts (the publish
time); raised_at is taken by the pipeline just before it inserts the batch's new alarms, which
with their events are the last statements before COMMIT, so it is the commit time less a few
milliseconds (before the change that moved it there it was the start of the batch: read the
earlier figures as "batch start", a little low). The MQTT acknowledgement follows the commit.
Before each step it waits (up to --wait-idle s) for other work on the machine to stop and reports
how busy it was ("other CPU"). It prints figures and asserts nothing about speed.
"""

import argparse
import json
import os
import pathlib
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

REPO = pathlib.Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MOSQUITTO = "/usr/sbin/mosquitto"
TOPIC = "bench/v1/+/up"
GOAL_RATE = 3000
GOAL_P99_MS = 500


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- machine and process CPU (/proc) ----


def cpu_busy(seconds=1.0):
    """Share of all CPUs busy over `seconds` (from /proc/stat)."""

    def sample():
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0)


def wait_idle(limit_s, threshold=0.2):
    deadline = time.monotonic() + limit_s
    busy = cpu_busy(2)
    while busy > threshold and time.monotonic() < deadline:
        log(f"  machine {busy:.0%} busy with other work: waiting …")
        busy = cpu_busy(5)
    return busy


TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid, children=False):
    """CPU seconds of a process (user + system; with children: also its reaped children's)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / TICK


def postgres_cpu():
    """CPU seconds of all PostgreSQL processes, plus the backends the postmaster has reaped (a
    backend's CPU goes to its parent's cutime when it exits). The server is shared with whatever
    else runs on the machine: see "other CPU"."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        postmaster = ppid == 1 or not _is_postgres(ppid)
        total += proc_cpu(int(entry), children=postmaster)
    return total


def _is_postgres(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip() == "postgres"
    except FileNotFoundError:
        return False


# ---- database ----


def database_urls(db):
    base = urllib.parse.urlsplit(
        os.environ.get("DATABASE_URL", "postgres://firegrid:firegrid@127.0.0.1:5432/")
    )
    return base._replace(path=f"/{db}").geturl(), base._replace(path="/postgres").geturl()


def recreate_database(admin_url, name):
    import psycopg

    if name in {"firegrid", "postgres", "template0", "template1"}:
        sys.exit(f"refusing to drop database {name!r}: use a scratch database")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def device_key(ident):
    return f"bench-key-{ident}"  # a scratch database: deterministic keys, so --reuse needs no key file


def register_devices(n_normal, n_alarm):
    """Bulk-insert the bench devices at the demo places (what save_device derives, without a save
    per device); returns {"normal": [(ident, key)], "alarm": [(ident, key)]}."""
    from firegrid.iot.choices import DEFAULT_HEARTBEAT
    from firegrid.iot.models import Device
    from firegrid.places.models import Place

    places = list(Place.objects.order_by("pk").only("pk", "region_id", "sector", "authority", "lat", "lng"))
    wanted = [("electrical_monitor", f"bench-e-{i:05d}") for i in range(n_normal)]
    wanted += [("smoke_detector", f"bench-s-{i:05d}") for i in range(n_alarm)]
    have = set(Device.objects.filter(ident__startswith="bench-").values_list("ident", flat=True))
    new = []
    for i, (kind, ident) in enumerate(wanted):
        if ident in have:
            continue
        place = places[i % len(places)]
        device = Device(
            ident=ident,
            kind=kind,
            place_id=place.pk,
            region_id=place.region_id,
            sector=place.sector,
            authority=place.authority,
            lat=place.lat,
            lng=place.lng,
            heartbeat_seconds=DEFAULT_HEARTBEAT[kind],
        )
        device.set_key(device_key(ident))
        new.append(device)
    Device.objects.bulk_create(new, batch_size=2000)
    return {
        "normal": [(ident, device_key(ident)) for kind, ident in wanted if kind == "electrical_monitor"],
        "alarm": [(ident, device_key(ident)) for kind, ident in wanted if kind == "smoke_detector"],
    }


def reset_alarms():
    """Clear every alarm a day ago (no flap brings one back) and forget rule states."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE iot_alarm SET status = 'cleared', cleared_at = now() - interval '1 day' "
            "WHERE status <> 'cleared'"
        )
        cursor.execute("UPDATE iot_device SET rule_state = '{}' WHERE rule_state <> '{}'")


def bench_backends():
    """pid → CPU seconds of the PostgreSQL backends serving the scratch database (the ingest's), except
    this script's own: the server's other work belongs to whoever else uses it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid: proc_cpu(pid) for (pid,) in cursor.fetchall()}


def max_message_id():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM iot_message")
        return cursor.fetchone()[0]


def stored_since(start_id):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM iot_message WHERE id > %s", [start_id])
        return cursor.fetchone()[0]


def alarm_latencies(start_id):
    """Seconds from publish (first_at = the message's ts) to raised_at of the alarms raised since."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM raised_at - first_at) FROM iot_alarm WHERE id > %s AND code = %s",
            [start_id, "smoke-alarm"],
        )
        return sorted(float(r[0]) for r in cursor.fetchall())


def max_alarm_id():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM iot_alarm")
        return cursor.fetchone()[0]


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))]


# ---- broker ----


def start_mosquitto(folder):
    port = free_port()
    config = folder / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous true\n"
        f"user {os.environ.get('USER') or 'root'}\n"
        "persistence false\n"
        "max_queued_messages 10000000\n"
        "max_queued_bytes 0\n"
        "max_inflight_messages 0\n"
        f"log_dest file {folder}/mosquitto.log\n"
        "log_type error\nlog_type warning\n"
    )
    proc = subprocess.Popen([MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"mosquitto exited: {proc.stderr.read().decode(errors='replace')}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"mqtt://127.0.0.1:{port}"
        time.sleep(0.05)
    proc.kill()
    sys.exit("mosquitto did not listen within 10 s")


def stop(proc, timeout=30):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- child roles: publisher and plain subscriber (separate processes: their own CPU and GIL) ----


def role_publish(args):
    """Publish from the device file: --rate per second for --duration s (0: as fast as possible), or
    --count messages. Prints a JSON progress line every 0.5 s and a final one."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    devices = json.loads(pathlib.Path(args.devices_file).read_text())
    normal, alarm = devices["normal"], devices["alarm"]
    port = int(args.broker.rsplit(":", 1)[1])
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv311
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    acked = [0]
    connected = threading.Event()
    client.on_connect = lambda c, u, f, rc, p: connected.set()

    def on_publish(c, u, mid, rc, p):
        acked[0] += 1

    client.on_publish = on_publish
    client.connect("127.0.0.1", port, keepalive=30)
    client.loop_start()
    if not connected.wait(10):
        sys.exit("publisher: no connection")
    run = uuid.uuid4().hex[:8]
    topics = [TOPIC.replace("+", ident, 1) for ident, _ in normal]
    heads = [f'{{"key":"{key}","values":{{"residual_current_ma":' for _ident, key in normal]
    alarm_topics = [TOPIC.replace("+", ident, 1) for ident, _ in alarm]
    alarm_heads = [f'{{"key":"{key}","events":["smoke"],' for _ident, key in alarm]
    readings = [f'{40 + (i * 7) % 30}.{i % 10},"temperature_c":{30 + (i * 3) % 15}.5}}' for i in range(97)]
    every = args.alarm_every
    rate, duration, count = args.rate, args.duration, args.count
    sent = n_alarm = 0
    start = time.monotonic()
    next_report = start + 0.5

    def report(final=False):
        print(
            json.dumps(
                {
                    "elapsed": time.monotonic() - start,
                    "sent": sent,
                    "acked": acked[0],
                    "alarms": n_alarm,
                    "final": final,
                }
            ),
            flush=True,
        )

    publish = client.publish
    while True:
        now = time.monotonic()
        if (count and sent >= count) or (not count and now - start >= duration):
            break
        due = int((now - start) * rate) + 1 - sent if rate else 200
        if count:
            due = min(due, count - sent)
        if due <= 0:
            time.sleep(0.001)
        for _ in range(min(max(due, 0), 200)):
            if every and sent % every == every - 1 and n_alarm < len(alarm):
                body = f'{alarm_heads[n_alarm]}"id":"{run}-{sent}","ts":{time.time():.3f}}}'
                publish(alarm_topics[n_alarm], body.encode(), qos=1)
                n_alarm += 1
            else:
                d = sent % len(normal)
                body = f'{heads[d]}{readings[sent % 97]},"id":"{run}-{sent}","ts":{time.time():.3f}}}'
                publish(topics[d], body.encode(), qos=1)
            sent += 1
        if now >= next_report:
            report()
            next_report = now + 0.5
    elapsed = time.monotonic() - start
    deadline = time.monotonic() + 60
    while acked[0] < sent and time.monotonic() < deadline:
        time.sleep(0.01)
    print(json.dumps({"elapsed": elapsed, "sent": sent, "acked": acked[0], "alarms": n_alarm, "final": True}))
    client.disconnect()
    client.loop_stop()


def role_subscribe(args):
    """A plain QoS 1 subscriber that counts; prints the first/last arrival and the count when it has
    --count messages (or nothing new for 10 s)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    port = int(args.broker.rsplit(":", 1)[1])
    state = {"n": 0, "first": None, "last": None}
    done = threading.Event()
    subscribed = threading.Event()
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"bench-sub-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5
    )

    def on_message(c, u, message):
        now = time.time()
        if state["first"] is None:
            state["first"] = now
        state["last"] = now
        state["n"] += 1
        if state["n"] >= args.count:
            done.set()

    client.on_message = on_message
    client.on_connect = lambda c, u, f, rc, p: c.subscribe(TOPIC, qos=1)
    client.on_subscribe = lambda c, u, mid, rcs, p: subscribed.set()
    properties = Properties(PacketTypes.CONNECT)
    properties.ReceiveMaximum = 1000
    client.connect("127.0.0.1", port, keepalive=30, clean_start=True, properties=properties)
    client.loop_start()
    if not subscribed.wait(10):
        sys.exit("subscriber: not subscribed")
    print(json.dumps({"subscribed": True}), flush=True)
    seen = -1
    while not done.wait(10):
        if state["n"] == seen:
            break
        seen = state["n"]
    client.disconnect()
    client.loop_stop()
    print(json.dumps(state), flush=True)


class Child:
    """A child role of this script, its JSON lines read by a thread."""

    def __init__(self, role, broker, extra, env=None):
        cmd = [PYTHON, __file__, "--role", role, "--broker", broker, *extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603
        self.lines = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith("{"):
                self.lines.append(json.loads(line))

    def last(self):
        return self.lines[-1] if self.lines else {}

    def wait_line(self, key, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(key in line for line in self.lines):
                return True
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        return False


# ---- the measurements ----


def measure_ceiling(args, broker, devices_file):
    background = wait_idle(args.wait_idle)
    sub = Child("subscribe", broker, ["--count", str(args.ceiling_messages)])
    if not sub.wait_line("subscribed"):
        sys.exit("subscriber did not subscribe")
    cpu0 = {"sub": proc_cpu(sub.proc.pid)}
    t0 = time.monotonic()
    pub = Child(
        "publish",
        broker,
        ["--devices-file", devices_file, "--count", str(args.ceiling_messages), "--rate", "0"]
        + ["--alarm-every", str(args.alarm_every)],
    )
    pub_cpu = sub_cpu = 0.0
    while sub.proc.poll() is None:
        pub_cpu = proc_cpu(pub.proc.pid) or pub_cpu
        sub_cpu = proc_cpu(sub.proc.pid) or sub_cpu
        time.sleep(0.2)
    sub.thread.join(5)
    wall = time.monotonic() - t0
    got = sub.last()
    final = pub.last()
    seconds = max(1e-6, (got.get("last") or 0) - (got.get("first") or 0))
    return {
        "received": got.get("n", 0),
        "sent": final.get("sent", 0),
        "rate": got.get("n", 0) / seconds,
        "sub_cpu": sub_cpu - cpu0["sub"],
        "pub_cpu": pub_cpu,
        "wall": wall,
        "seconds": seconds,
        "background": background,
    }


def start_ingest(args, env, n, tag, folder):
    procs = []
    for i in range(n):
        log_path = folder / f"ingest-{n}-{i}.log"
        cmd = [PYTHON, str(REPO / "manage.py"), "ingest", "--topic", TOPIC, "--group", f"bench{n}{tag}"]
        cmd += ["--client-id", f"bench-ingest-{tag}-{n}-{i}", "--session-expiry", "60", "--stats-every", "5"]
        cmd += ["--batch", str(args.batch), "--linger-ms", str(args.linger_ms)]
        out = open(log_path, "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        proc.log_path, proc.log_file = log_path, out
        procs.append(proc)
    deadline = time.monotonic() + 60
    for proc in procs:
        while b"ingest subscribed" not in proc.log_path.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"ingest did not subscribe:\n{proc.log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
    return procs


def measure_step(args, broker, devices_file, ingest, mosquitto, rate):
    reset_alarms()
    background = wait_idle(args.wait_idle)
    start_id, start_alarm = max_message_id(), max_alarm_id()
    pids = {f"ingest {i + 1}": p.pid for i, p in enumerate(ingest)}
    pids["mosquitto"] = mosquitto.pid
    cpu0 = {name: proc_cpu(pid) for name, pid in pids.items()}
    pg0 = postgres_cpu()
    backends0 = bench_backends()
    t0 = time.monotonic()
    extra = ["--devices-file", devices_file, "--duration", str(args.duration), "--rate", str(rate)]
    pub = Child("publish", broker, extra + ["--alarm-every", str(args.alarm_every)])
    samples = []  # (monotonic, stored, sent)
    pub_cpu = 0.0
    end = None
    while True:
        time.sleep(1.0)
        now = time.monotonic()
        stored = max_message_id() - start_id
        sent = pub.last().get("sent", 0)
        samples.append((now, stored, sent))
        if pub.proc.poll() is None:
            pub_cpu = proc_cpu(pub.proc.pid) or pub_cpu
        elif end is None:
            end = now
            cpu1 = {name: proc_cpu(pid) for name, pid in pids.items()}
            pg1 = postgres_cpu()
            backends1 = bench_backends()
        if end is not None:
            pub.thread.join(5)
            total = pub.last().get("sent", 0)
            if stored >= total or now - end > args.drain:
                break
    window = end - t0
    final = pub.last()
    total = final.get("sent", 0)
    stored_total = stored_since(start_id)
    # the steady part: from 20 % into the publishing window to the last sample taken while the
    # publisher was still sending (its exit comes later: it waits for the broker's last PUBACKs)
    steady_from = t0 + 0.2 * window
    sending_until = max((s[0] for s in samples if s[2] < total), default=end)
    inside = [s for s in samples if steady_from <= s[0] <= sending_until]
    if len(inside) >= 2:
        stored_rate = (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0])
    else:
        stored_rate = float("nan")
    at_end = max((s for s in samples if s[0] <= end), key=lambda s: s[0], default=(end, 0, 0))
    drained = next((s[0] for s in samples if s[0] >= end and s[1] >= total), None)
    backend_cpu = sum(cpu - backends0.get(pid, 0.0) for pid, cpu in backends1.items())
    stored_in_window = max(1, at_end[1])
    latencies = alarm_latencies(start_alarm)
    return {
        "rate": rate,
        "published": total / max(1e-6, final.get("elapsed", window)),
        "sent": total,
        "stored_total": stored_total,
        "stored_rate": stored_rate,
        "backlog": max(0, at_end[2] - at_end[1]),
        "drain": (drained - end) if drained else None,
        "cpu": {name: (cpu1[name] - cpu0[name]) / window for name in pids},
        "pub_cpu": pub_cpu / window,
        "pg_cpu": (pg1 - pg0) / window,
        "backend_cpu": backend_cpu / window,
        # CPU ms per stored message over the publishing window: what contention does not change much
        "ingest_ms": 1000 * sum(cpu1[k] - cpu0[k] for k in pids if k.startswith("ingest")) / stored_in_window,
        "backend_ms": 1000 * backend_cpu / stored_in_window,
        "alarms": final.get("alarms", 0),
        "latencies": latencies,
        "background": background,
    }


def fmt_ms(seconds):
    return "-" if seconds != seconds else f"{seconds * 1000:.0f}"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="firegrid_bench_iot", help="scratch database, dropped and recreated")
    parser.add_argument("--reuse", action="store_true", help="keep the scratch database if it is seeded")
    parser.add_argument("--devices", type=int, default=4000, help="electrical monitors (normal readings)")
    parser.add_argument(
        "--alarm-devices", type=int, default=3000, help="smoke detectors, one alarm each a step"
    )
    parser.add_argument("--alarm-every", type=int, default=100, help="every N-th message raises a fire alarm")
    parser.add_argument("--rates", default="1000,2000,3000,5000", help="msgs/s per step; max: unthrottled")
    parser.add_argument("--duration", type=int, default=25, help="seconds of publishing per step")
    parser.add_argument("--drain", type=int, default=60, help="longest wait for the backlog after a step")
    parser.add_argument("--processes", default="1,2", help="ingest process counts to measure")
    parser.add_argument("--ceiling-messages", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500, help="ingest --batch")
    parser.add_argument("--linger-ms", type=int, default=50, help="ingest --linger-ms")
    parser.add_argument("--skip-ceiling", action="store_true")
    parser.add_argument("--wait-idle", type=int, default=60, help="wait up to N s before each step")
    parser.add_argument("--conn-max-age", default="", help="DB_CONN_MAX_AGE for the ingest (default: unset)")
    # child roles
    parser.add_argument("--role", choices=["publish", "subscribe"], help=argparse.SUPPRESS)
    parser.add_argument("--broker", help=argparse.SUPPRESS)
    parser.add_argument("--devices-file", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "publish":
        return role_publish(args)
    if args.role == "subscribe":
        return role_subscribe(args)

    if not pathlib.Path(MOSQUITTO).exists():
        sys.exit(f"{MOSQUITTO} is missing: apt-get install mosquitto")
    if args.duration > 120:
        sys.exit("keep --duration ≤ 120 s")
    rates = [0 if r.strip() == "max" else int(r) for r in args.rates.split(",")]
    counts = [int(n) for n in args.processes.split(",")]
    need = max(1, max(rates or [1]) or 20000) * args.duration // max(1, args.alarm_every) + 10
    if args.alarm_devices < need:
        log(f"note: --alarm-devices {args.alarm_devices} < {need} alarms a step: the rest fold, not raise")

    scratch_url, admin_url = database_urls(args.db)
    os.environ["DATABASE_URL"] = scratch_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    env = dict(os.environ, PYTHONUNBUFFERED="1", LOG_LEVEL="INFO", DATABASE_URL=scratch_url)
    env.pop("DB_CONN_MAX_AGE", None)
    if args.conn_max_age:
        env["DB_CONN_MAX_AGE"] = args.conn_max_age
    seeded = False
    if args.reuse:
        import psycopg

        try:
            with psycopg.connect(scratch_url) as conn:
                seeded = conn.execute("SELECT count(*) FROM places_place").fetchone()[0] > 0
        except psycopg.Error:
            seeded = False
    manage = [PYTHON, str(REPO / "manage.py")]
    if not seeded:
        log(f"Recreating database {args.db}, migrating, seed_demo --scale 1 …")
        recreate_database(admin_url, args.db)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=REPO, check=True)  # noqa: S603
    if not seeded:
        seed = [*manage, "seed_demo", "--scale=1"]
        subprocess.run(seed, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)  # noqa: S603

    import django

    sys.path.insert(0, str(REPO))  # this checkout's firegrid, as manage.py would import it
    django.setup()
    from django.db import connection

    devices = register_devices(args.devices, args.alarm_devices)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        pg = connection.cursor().connection.info.server_version
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bench-iot-"))
    devices_file = folder / "devices.json"
    devices_file.write_text(json.dumps(devices))
    mosquitto, broker = start_mosquitto(folder)
    version = subprocess.run([MOSQUITTO, "-h"], capture_output=True, text=True).stdout.splitlines()[0]  # noqa: S603
    env["MQTT_URL"] = broker
    # the ingest runs as deployed: production settings (DEBUG off: no query log, no debug cursor)
    env.update(
        FIREGRID_ENV="production",
        SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
    )
    tag = uuid.uuid4().hex[:6]
    ceiling = None
    results = {}
    try:
        if not args.skip_ceiling:
            log(f"Ceiling: plain subscriber, {args.ceiling_messages} messages …")
            ceiling = measure_ceiling(args, broker, str(devices_file))
            log(f"  {ceiling['rate']:.0f} msgs/s")
        for n in counts:
            ingest = start_ingest(args, env, n, tag, folder)
            try:
                for rate in rates:
                    log(f"Ingest ×{n}, {rate or 'max'} msgs/s for {args.duration} s …")
                    step = measure_step(args, broker, str(devices_file), ingest, mosquitto, rate)
                    results[(n, rate)] = step
                    lat = step["latencies"]
                    log(
                        f"  stored {step['stored_rate']:.0f}/s, backlog {step['backlog']}, p99 "
                        f"{fmt_ms(percentile(lat, 0.99))} ms, cpu "
                        + ", ".join(f"{k} {v:.0%}" for k, v in step["cpu"].items())
                    )
            finally:
                for proc in ingest:
                    stop(proc)
                    proc.log_file.close()
    finally:
        stop(mosquitto)

    print(f"# firegrid IoT ingest benchmark — {time.strftime('%Y-%m-%d %H:%M')}")
    print(
        f"{os.cpu_count()} CPUs shared by all; PostgreSQL {pg // 10000}.{pg % 10000}; {version}; "
        f"persistence off; {args.devices} electrical monitors + {args.alarm_devices} smoke detectors; "
        f"1 in {args.alarm_every} messages a fire alarm; ingest --batch {args.batch} --linger-ms "
        f"{args.linger_ms}; logs in {folder}"
    )
    if ceiling:
        print(
            f"\nCeiling (broker → plain subscriber, QoS 1): {ceiling['rate']:.0f} msgs/s "
            f"({ceiling['received']}/{ceiling['sent']} received in {ceiling['seconds']:.1f} s; "
            f"subscriber CPU {ceiling['sub_cpu'] / ceiling['seconds']:.0%}, publisher CPU "
            f"{ceiling['pub_cpu'] / ceiling['seconds']:.0%} of a core; other CPU {ceiling['background']:.0%})"
        )
    print(
        "\n| ingest | target msgs/s | published msgs/s | stored msgs/s (steady) | backlog at end "
        "| drained in | ingest CPU | ingest ms/msg | its PostgreSQL backends CPU | backend ms/msg "
        "| all PostgreSQL CPU | mosquitto CPU | publisher CPU | alarms | p50 ms | p99 ms | p99.9 ms | max ms "
        "| other CPU |"
    )
    print("| --- " * 19 + "|")
    for (n, rate), s in results.items():
        lat = s["latencies"]
        ingest_cpu = " + ".join(f"{v:.0%}" for k, v in s["cpu"].items() if k.startswith("ingest"))
        print(
            f"| {n} process{'es' if n > 1 else ''} | {rate or 'max'} | {s['published']:.0f} "
            f"| {s['stored_rate']:.0f} | {s['backlog']} | "
            + (f"{s['drain']:.0f} s" if s["drain"] is not None else "not drained")
            + f" | {ingest_cpu} | {s['ingest_ms']:.3f} | {s['backend_cpu']:.0%} | {s['backend_ms']:.3f} "
            f"| {s['pg_cpu']:.0%} | {s['cpu']['mosquitto']:.0%} | {s['pub_cpu']:.0%} "
            f"| {len(lat)}/{s['alarms']} | {fmt_ms(percentile(lat, 0.5))} | {fmt_ms(percentile(lat, 0.99))} "
            f"| {fmt_ms(percentile(lat, 0.999))} | {fmt_ms(lat[-1] if lat else float('nan'))} "
            f"| {s['background']:.0%} |"
        )
    # met: offered ≥ the goal, kept up (stored ≥ 95 % of published, backlog at the end ≤ 1 s of it,
    # drained) and p99 within the goal
    met = [
        (n, rate)
        for (n, rate), s in results.items()
        if s["published"] >= 0.99 * GOAL_RATE
        and s["stored_rate"] >= 0.95 * s["published"]
        and s["backlog"] <= s["published"]
        and s["drain"] is not None
        and percentile(s["latencies"], 0.99) <= GOAL_P99_MS / 1000
    ]
    print(
        f"\nGoal ≥ {GOAL_RATE} msgs/s sustained with p99 ≤ {GOAL_P99_MS} ms: "
        + (", ".join(f"met with {n} process(es) at {r or 'max'}" for n, r in met) if met else "not met")
    )
    return None


if __name__ == "__main__":
    sys.exit(main())
