#!/usr/bin/env python
"""Benchmark of issue 13: the GB/T 26875 gateway (`firegrid gb26875 serve`, one process).

    DATABASE_URL=postgres://firegrid:firegrid@127.0.0.1:5432/firegrid_gb \
        .venv/bin/python bench/bench_gb26875.py
    .venv/bin/python bench/bench_gb26875.py --devices 2000 --sqlite        # a temporary SQLite file

It FLUSHES the database it is given (default the scratch database firegrid_gb; never "firegrid"),
migrates it, builds the test world, registers --devices addresses at its places, starts the gateway
as a subprocess on a free loopback port, then from this process:
1. idle: connects every device, each sends a heartbeat and waits for its confirmation; all stay
   connected; the gateway's RSS and descriptors are read from /proc;
2. throughput: --senders devices send uploads (component status with two objects, analogue values)
   back to back, each waiting for its confirmation (sent after the batch is committed), for
   --seconds: frames/s decoded into the pipeline, and the confirmation time seen by the device;
3. fire: --fires fire alarms from distinct devices at --fire-rate per second (hazard cases opened):
   the gateway's own p50/p99 from frame received to alarm committed (its final stats line).
All connections stay open to the end. It prints figures and asserts nothing about speed.
"""

import argparse
import asyncio
import os
import random
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_DB = "postgres://firegrid:firegrid@127.0.0.1:5432/firegrid_gb"


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid):
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return int(fields["VmRSS"].split()[0]) // 1024, fds


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")


async def phase_idle(devices, rate):
    started = time.monotonic()
    errors = 0

    async def one(device):
        nonlocal errors
        try:
            await device.connect()
            if await device.send(b"", timeout=60) != 3:
                errors += 1
        except OSError:
            errors += 1

    tasks = []
    for device in devices:
        tasks.append(asyncio.ensure_future(one(device)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)
    return time.monotonic() - started, errors


async def phase_throughput(devices, seconds):
    from firegrid.iot.gb26875 import codec

    stop = time.monotonic() + seconds
    waits, frames = [], 0

    async def sender(device):
        nonlocal frames
        n = 0
        while time.monotonic() < stop:
            n += 1
            if n % 2:
                data = codec.unit(
                    2,
                    [
                        codec.component_status(address=n % 500, status=1, component_type=42),
                        codec.component_status(address=n % 500 + 1, status=1 | 0x20, component_type=85),
                    ],
                )
            else:
                data = device.analogue_unit()
            t = time.monotonic()
            if await device.send(data, timeout=30) == 3:
                waits.append(time.monotonic() - t)
                frames += 1

    started = time.monotonic()
    await asyncio.gather(*(sender(d) for d in devices))
    return frames, time.monotonic() - started, waits


async def phase_fire(devices, rate):
    waits = []

    async def one(device):
        t = time.monotonic()
        if await device.send(device.fire_unit(), timeout=60) == 3:
            waits.append(time.monotonic() - t)

    tasks = []
    for device in devices:
        tasks.append(asyncio.ensure_future(one(device)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)
    return waits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10000)
    parser.add_argument("--senders", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--fires", type=int, default=300)
    parser.add_argument("--fire-rate", type=float, default=20.0)
    parser.add_argument("--connect-rate", type=float, default=1000.0)
    parser.add_argument("--sqlite", action="store_true", help="Use a temporary SQLite file.")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-gb26875-")
    if args.sqlite:
        url = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        url = os.environ.get("DATABASE_URL", DEFAULT_DB)
        if url.rstrip("/").endswith("/firegrid"):
            sys.exit("refusing to flush the database named firegrid")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    import django

    django.setup()
    from django.core.management import call_command

    from firegrid.iot.gb26875.sim import SimDevice, address_for
    from firegrid.iot.management.commands import gb26875 as _cmd  # noqa: F401 - the command imports
    from firegrid.org.testing import build_world

    sim_cmd = __import__("firegrid.iot.management.commands.gb26875-sim", fromlist=["register_many"])
    log(f"database {url.split('@')[-1]}: migrate, flush, world, {args.devices} devices")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)  # flush empties the rule and category rows migrations made
    world = build_world()
    places = [world.shop_a, world.hotel_b, world.shop_s2]
    addresses = [address_for(n) for n in range(1, args.devices + 1)]
    t = time.monotonic()
    sim_cmd.register_many(addresses, places, random.Random(1))
    log(f"registered in {time.monotonic() - t:.1f} s")
    from django.db import connections

    connections.close_all()

    port = free_port()
    log_path = Path(tmp) / "gateway.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1", LOG_LEVEL="INFO")
    with open(log_path, "wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own command
            [
                sys.executable,
                str(REPO / "manage.py"),
                "gb26875",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--stats-every",
                "0",
                "--max-connections",
                str(args.devices + 100),
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while b"listening" not in log_path.read_bytes():
        if server.poll() is not None or time.monotonic() > deadline:
            sys.exit(log_path.read_text())
        time.sleep(0.1)
    rss0, fds0 = proc_status(server.pid)

    async def run():
        devices = [SimDevice(a, "127.0.0.1", port) for a in addresses]
        seconds, errors = await phase_idle(devices, args.connect_rate)
        await asyncio.sleep(2)
        rss, fds = proc_status(server.pid)
        log(
            f"idle: {args.devices} connected in {seconds:.1f} s, errors {errors}, "
            f"gateway RSS {rss} MiB, fds {fds}"
        )
        frames, took, waits = await phase_throughput(devices[: args.senders], args.seconds)
        log(
            f"throughput: {frames} frames in {took:.1f} s = {frames / took:.0f}/s, "
            f"confirm p50 {pct(waits, 0.5):.1f} ms p99 {pct(waits, 0.99):.1f} ms"
        )
        fire_waits = await phase_fire(devices[args.senders : args.senders + args.fires], args.fire_rate)
        log(
            f"fire: {len(fire_waits)} confirmed, device-side p50 {pct(fire_waits, 0.5):.1f} ms "
            f"p99 {pct(fire_waits, 0.99):.1f} ms"
        )
        still = sum(1 for d in devices if d.writer is not None and not d.writer.is_closing())
        rss2, fds2 = proc_status(server.pid)
        for d in devices:
            await d.close()
        return {
            "idle_seconds": seconds,
            "errors": errors,
            "rss": rss,
            "fds": fds,
            "frames": frames,
            "rate": frames / took,
            "confirm": (pct(waits, 0.5), pct(waits, 0.99)),
            "fire_device": (pct(fire_waits, 0.5), pct(fire_waits, 0.99)),
            "still": still,
            "rss_end": rss2,
            "fds_end": fds2,
        }

    result = asyncio.run(run())
    server.terminate()
    server.wait(60)
    text = log_path.read_text()
    stats = re.findall(r"gb26875 stats .*", text)
    last = stats[-1] if stats else ""
    p50 = re.search(r"fire_p50_ms=([\d.]+)", last)
    p99 = re.search(r"fire_p99_ms=([\d.]+)", last)
    n_fire = re.search(r"fire_alarms=(\d+)", last)
    from firegrid.hazards.models import HazardCase
    from firegrid.iot.models import Alarm

    alarms = Alarm.objects.filter(code="panel-fire").count()
    cases = HazardCase.objects.count()
    print(f"database: {'SQLite file' if args.sqlite else 'PostgreSQL'}")
    print(f"gateway at start: RSS {rss0} MiB, {fds0} fds")
    print(
        f"idle devices held: {args.devices} (connected + confirmed heartbeat in "
        f"{result['idle_seconds']:.1f} s, "
        f"errors {result['errors']}), still connected at the end: {result['still']}"
    )
    print(
        f"gateway with them: RSS {result['rss']} MiB, {result['fds']} fds; at the end {result['rss_end']} MiB"
    )
    print(
        f"throughput ({args.senders} senders, stop-and-wait): {result['rate']:.0f} frames/s "
        "into the pipeline, "
        f"confirmation p50 {result['confirm'][0]:.1f} ms p99 {result['confirm'][1]:.1f} ms"
    )
    print(
        f"fire alarms: {n_fire.group(1) if n_fire else '?'} at {args.fire_rate}/s, "
        "received → alarm committed "
        f"p50 {p50.group(1) if p50 else '?'} ms p99 {p99.group(1) if p99 else '?'} ms; device-side send → "
        f"confirmation (after the case is opened) p50 {result['fire_device'][0]:.1f} ms "
        f"p99 {result['fire_device'][1]:.1f} ms"
    )
    print(f"panel-fire alarms in the database: {alarms}, hazard cases: {cases}")
    print(f"gateway log: {log_path}")


if __name__ == "__main__":
    main()
