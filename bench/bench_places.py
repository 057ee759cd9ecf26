#!/usr/bin/env python
"""Benchmark of issue 3: the place list/filter/search/map API over ~1e5 places on PostgreSQL,
served by gunicorn, loaded by wrk with 100 connections, beside a bare JSON endpoint of the same
server measured in the same run.

    .venv/bin/python bench/bench_places.py                 # everything: ~6 minutes on 2 cores
    .venv/bin/python bench/bench_places.py --reuse         # keep the seeded scratch database
    .venv/bin/python bench/bench_places.py --reuse --cache-seconds 5   # PLACE_LIST_CACHE_SECONDS=5 on Redis

Needs PostgreSQL (DATABASE_URL's server; default postgres://firegrid:firegrid@127.0.0.1:5432),
`wrk` (apt-get install wrk) and gunicorn (requirements.txt). It DROPS and recreates the scratch
database (--db, default firegrid_bench; never "firegrid"), migrates it, runs `seed_demo --scale 25`,
starts gunicorn on 127.0.0.1, gets tokens from POST /api/v1/auth/token/, runs wrk for a fixed
time per endpoint, stops gunicorn and prints a table. Loopback only; every load run is bounded by
--duration. It prints figures and asserts nothing about speed. gunicorn runs with bench/gunicorn_gc.py
(deploy/gunicorn.conf.py's post_worker_init: gc.freeze() once the app is loaded). With --cache-seconds N
it starts a private redis-server on a free loopback port (needs redis-server) and runs gunicorn with
REDIS_URL and PLACE_LIST_CACHE_SECONDS=N: the figures are then mostly cache hits (the table says how
many), not the cost of building a page; the run without it is the cold figure.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk_report.lua"
GUNICORN_CONFIG = Path(__file__).resolve().parent / "gunicorn_gc.py"
PYTHON = sys.executable
PERSONAS = ["district_admin", "street_officer"]
STREET_CODE = "500110001"  # 古南街道, the street officer's street
SEARCH = "豆花"  # a name fragment: 豆花饭 restaurants, about 1 place in 150
GOAL_P95_MS = 100
GOAL_SHARE = 0.40


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=REPO, check=True, **kwargs)  # noqa: S603 - our own commands


def database_urls(args):
    base = urllib.parse.urlsplit(
        os.environ.get("DATABASE_URL", "postgres://firegrid:firegrid@127.0.0.1:5432/")
    )
    scratch = base._replace(path=f"/{args.db}").geturl()
    admin = base._replace(path="/postgres").geturl()
    return scratch, admin


def recreate_database(admin_url, name):
    import psycopg

    if name in {"firegrid", "postgres", "template0", "template1"}:
        sys.exit(f"refusing to drop database {name!r}: use a scratch database")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_env(scratch_url, conn_max_age):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=scratch_url,
        FIREGRID_ENV="production",
        SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback
        AXES_ENABLED="0",
        LOG_LEVEL="WARNING",
        DB_CONN_MAX_AGE=str(conn_max_age),
        PYTHONUNBUFFERED="1",
    )
    return env


def http(url, data=None, token=None, timeout=30):
    headers = {"Accept": "application/json", "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Token {token}"
    body = urllib.parse.urlencode(data).encode() if data else None
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - loopback URL we built
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.status, response.read()


def start_server(args, env):
    cmd = [
        str(Path(PYTHON).with_name("gunicorn")),
        "firegrid.wsgi:application",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--timeout",
        "120",
        "--config",
        str(GUNICORN_CONFIG),
    ]
    server = subprocess.Popen(cmd, env=env, cwd=REPO, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            if http(f"http://127.0.0.1:{args.port}/api/v1/ping", timeout=2)[0] == 200:
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    stop_server(server)
    sys.exit("gunicorn did not answer within 60 s")


def stop_server(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # our own session: gunicorn's master and its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(folder):
    """A private redis-server on a free loopback port (no persistence); returns (process, url)."""
    redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(redis_server).exists():
        sys.exit("--cache-seconds needs redis-server: apt-get install redis-server")
    port = free_port()
    cmd = [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(  # noqa: S603 - a fixed local binary
        [*cmd, "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if redis_stats(url) is not None:
                return process, url
        except OSError:
            pass
        time.sleep(0.1)
    process.terminate()
    sys.exit("redis-server did not start")


def redis_stats(url):
    """Calls of SET so far on the Redis server (each page built is stored once, with its headers, by
    the early-answer middleware), or None while it does not answer."""
    import redis

    try:
        info = redis.Redis.from_url(url, socket_timeout=1).info("commandstats")
    except redis.exceptions.ConnectionError:
        return None
    return info.get("cmdstat_set", {}).get("calls", 0)


def cpu_busy(seconds=1.0):
    """Share of all CPUs busy over `seconds` (from /proc/stat): while our server idles, that is
    other work on the machine, which the figures of the next run share the CPUs with."""

    def sample():
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values) - idle, sum(values)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0)


def wait_idle(limit_s, threshold=0.2):
    """Wait (at most limit_s) until the machine is nearly idle; returns the last busy share seen."""
    deadline = time.monotonic() + limit_s
    busy = cpu_busy(2)
    while busy > threshold and time.monotonic() < deadline:
        log(f"  machine {busy:.0%} busy with other work: waiting …")
        busy = cpu_busy(5)
    return busy


def wrk(url, token, duration, connections, threads, paths_file=None):
    """wrk on one URL, or with paths_file on paths drawn at random from that file (wrk_report.lua)."""
    env = dict(os.environ, BENCH_TOKEN=token or "", BENCH_PATHS=str(paths_file or ""))
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "30s"]
    cmd += ["-s", str(LUA), url]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return figures


def service_time(url, token, repeat):
    """Median and p95 ms of one client's requests in a row: the cost of a request without queueing."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        http(url, token=token)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(len(samples) * 0.95) - 1)]


def describe(url, token):
    """What the endpoint answers: rows (features) returned and bytes."""
    status, body = http(url, token=token)
    if status != 200:
        sys.exit(f"{url} answered {status}")
    data = json.loads(body)
    rows = len(data.get("results", data.get("features", [])) if isinstance(data, dict) else data)
    return rows, len(body)


def endpoints(env):
    """(label, path) of the measured place endpoints; the map bbox is the street's first community."""
    code = (
        "from firegrid.org.models import Region\n"
        f"s = Region.objects.get(code='{STREET_CODE}')\n"
        "c = s.children.order_by('code').first()\n"
        "print(','.join(str(v) for v in (c.min_lng, c.min_lat, c.max_lng, c.max_lat)), c.name)\n"
    )
    out = run([PYTHON, "manage.py", "shell", "-c", code], env, capture_output=True, text=True).stdout
    bbox, community = out.strip().splitlines()[-1].split(" ", 1)
    search = urllib.parse.quote(SEARCH)
    return [
        ("list", "/api/v1/places/?limit=50"),
        ("filter kind=shop&risk_level=low", "/api/v1/places/?limit=50&kind=shop&risk_level=low"),
        (f"within={STREET_CODE} (古南街道)", f"/api/v1/places/?limit=50&within={STREET_CODE}"),
        (f"search={SEARCH}", f"/api/v1/places/?limit=50&search={search}"),
        (f"geojson bbox={community}", f"/api/v1/places/geojson/?bbox={bbox}"),
    ]


def mixed_paths(env, count):
    """`count` distinct place API paths an API client of the street might ask (list pages by kind and
    risk level, by community, by search word, map layers of each community's box), drawn with a fixed seed."""
    import random

    code = (
        "from firegrid.org.models import Region\n"
        "from firegrid.places.choices import PlaceKind, RiskLevel\n"
        f"s = Region.objects.get(code='{STREET_CODE}')\n"
        "print('K', *PlaceKind.values)\nprint('R', *RiskLevel.values)\n"
        "for c in s.children.order_by('code'):\n"
        "    print('C', c.code, ','.join(str(v) for v in (c.min_lng, c.min_lat, c.max_lng, c.max_lat)))\n"
    )
    out = run([PYTHON, "manage.py", "shell", "-c", code], env, capture_output=True, text=True).stdout
    lines = [line.split() for line in out.splitlines() if line[:2] in ("K ", "R ", "C ")]
    kinds = next(x[1:] for x in lines if x[0] == "K")
    levels = next(x[1:] for x in lines if x[0] == "R")
    communities = [x[1:] for x in lines if x[0] == "C"]
    words = ["豆花", "火锅", "超市", "便利店", "药房", "宾馆", "网吧", "幼儿园", "加油站", "仓库"]
    paths = [f"/api/v1/places/?limit=50&kind={k}" for k in kinds]
    paths += [f"/api/v1/places/?limit=50&kind={k}&risk_level={r}" for k in kinds for r in levels]
    paths += [f"/api/v1/places/?limit=50&within={c}" for c, _box in communities]
    paths += [f"/api/v1/places/?limit=50&search={urllib.parse.quote(w)}" for w in words]
    paths += [f"/api/v1/places/geojson/?bbox={box}" for _c, box in communities]
    random.Random(3).shuffle(paths)
    return paths[:count]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=25, help="seed_demo scale (25 ≈ 1e5 places)")
    parser.add_argument("--db", default="firegrid_bench", help="scratch database, dropped and recreated")
    parser.add_argument("--reuse", action="store_true", help="keep the scratch database if it is seeded")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per endpoint")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load before each")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE of the server")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", help="measure only endpoints whose label contains this")
    parser.add_argument(
        "--cache-seconds",
        type=int,
        default=0,
        help="PLACE_LIST_CACHE_SECONDS of the server, on a private redis-server (0: no cache, no Redis)",
    )
    parser.add_argument(
        "--mix",
        type=int,
        default=0,
        help="also measure a mix: each request one of N distinct place paths at random (list by kind and "
        "risk level, by community, by search word, map layers), per persona",
    )
    parser.add_argument(
        "--wait-idle", type=int, default=60, help="wait up to N s before each run for other work to stop"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    if args.duration > 120 or args.connections > 1000:
        sys.exit("keep --duration ≤ 120 s and --connections ≤ 1000")
    if not 0 <= args.cache_seconds <= 60:
        sys.exit("--cache-seconds is 0 to 60 (PLACE_LIST_CACHE_SECONDS)")

    scratch_url, admin_url = database_urls(args)
    env = django_env(scratch_url, args.conn_max_age)
    seed_s = None
    seeded = False
    if args.reuse:
        try:
            out = run(
                [
                    PYTHON,
                    "manage.py",
                    "shell",
                    "-c",
                    "from firegrid.places.models import Place; print(Place.objects.count())",
                ],
                env,
                capture_output=True,
                text=True,
            ).stdout
            seeded = int(out.strip().splitlines()[-1]) > 0
        except (subprocess.CalledProcessError, ValueError, IndexError):
            seeded = False
    if seeded:
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)  # the code may have moved on
    else:
        log(f"Recreating database {args.db}, migrating, seed_demo --scale {args.scale} …")
        recreate_database(admin_url, args.db)
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
        start = time.perf_counter()
        run([PYTHON, "manage.py", "seed_demo", f"--scale={args.scale}"], env, stdout=subprocess.DEVNULL)
        seed_s = time.perf_counter() - start
        run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                "from django.db import connection; connection.cursor().execute('ANALYZE')",
            ],
            env,
        )

    counts = run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "from firegrid.places.models import Place; from firegrid.org.models import Region; import django;"
            "from django.db import connection;"
            "print(Place.objects.count(), Region.objects.filter(level='grid').count(), django.get_version(),"
            " connection.cursor().connection.info.server_version)",
        ],
        env,
        capture_output=True,
        text=True,
    ).stdout.split()[-4:]
    places, grids, django_version, pg_version = counts
    pg = int(pg_version)
    measured = endpoints(env)
    if args.only:
        measured = [e for e in measured if args.only in e[0]]

    redis_process = redis_url = None
    if args.cache_seconds:
        import tempfile

        redis_process, redis_url = start_redis(tempfile.mkdtemp(prefix="bench-places-redis-"))
        env.update(REDIS_URL=redis_url, PLACE_LIST_CACHE_SECONDS=str(args.cache_seconds))
    else:
        env.pop("REDIS_URL", None)
        env["PLACE_LIST_CACHE_SECONDS"] = "0"
    try:
        server = start_server(args, env)
    except SystemExit:
        if redis_process is not None:
            redis_process.terminate()
        raise
    base = f"http://127.0.0.1:{args.port}"
    rows = []
    try:
        tokens = {}
        for username in PERSONAS:
            _status, body = http(
                f"{base}/api/v1/auth/token/", {"username": username, "password": "firegrid-demo-2026"}
            )
            tokens[username] = json.loads(body)["token"]

        def measure(label, persona, path, paths_file=None):
            url = base + path
            token = tokens.get(persona)
            start = time.perf_counter()
            count, size = describe(url, token)  # the first request: with the cache on, a miss
            first_ms = (time.perf_counter() - start) * 1000
            single = service_time(url, token, 20)
            if args.warmup:
                wrk(url, token, args.warmup, args.connections, args.wrk_threads, paths_file)
            background = wait_idle(args.wait_idle)
            log(f"  {persona or '-'} {label} (background {background:.0%}) …")
            before = redis_stats(redis_url) if redis_url else None
            figures = wrk(url, token, args.duration, args.connections, args.wrk_threads, paths_file)
            after = redis_stats(redis_url) if redis_url else None
            figures["background"] = background
            figures["first_ms"] = first_ms
            if before is not None and after is not None and persona and figures["requests"]:
                # every page built is stored (SET): the rest of the requests were answered stored
                built = after - before
                figures["cache_hits"] = max(0.0, 1 - built / figures["requests"])
            rows.append((label, persona or "(no auth)", count, size, single, figures))

        log(f"Load: wrk -c {args.connections} -d {args.duration}s per endpoint")
        measure("bare JSON /api/v1/ping", None, "/api/v1/ping")
        for label, path in measured:
            for persona in PERSONAS:
                measure(label, persona, path)
        if args.mix:
            import tempfile

            paths = mixed_paths(env, args.mix)
            with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as handle:
                handle.write("\n".join(paths) + "\n")
            for persona in PERSONAS:
                # first request and one-client figures: the mix's first path
                measure(f"mix of {len(paths)} paths", persona, paths[0], handle.name)
            os.unlink(handle.name)
        measure("bare JSON /api/v1/ping (again)", None, "/api/v1/ping")
    finally:
        stop_server(server)
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(10)

    bare = statistics.mean(r[5]["rps"] for r in rows if r[1] == "(no auth)")
    print(f"# firegrid places API benchmark — {time.strftime('%Y-%m-%d')}")
    print(
        f"{places} places in {grids} grids (seed_demo --scale {args.scale}"
        + (f", {seed_s:.0f} s" if seed_s else ", reused database")
        + f"); Django {django_version}, PostgreSQL {pg // 10000}.{pg % 10000}; gunicorn {args.workers} "
        f"{args.worker_class} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f", DB_CONN_MAX_AGE={args.conn_max_age}; wrk -t{args.wrk_threads} -c{args.connections} "
        f"-d{args.duration}s after {args.warmup} s warm-up; {os.cpu_count()} CPUs shared by all; "
        + (
            f"PLACE_LIST_CACHE_SECONDS={args.cache_seconds} on Redis"
            if args.cache_seconds
            else "no page cache"
        )
    )
    print(
        "\n| endpoint | persona | rows | KB | first request ms | 1 client median ms | req/s | % of bare "
        "| p50 ms | p95 ms | p99 ms | errors | cache hits | other CPU |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, persona, count, size, single, f in rows:
        hits = f"{f['cache_hits']:.0%}" if "cache_hits" in f else "-"
        print(
            f"| {label} | {persona} | {count if persona != '(no auth)' else '-'} | {size / 1024:.1f} "
            f"| {f['first_ms']:.1f} | {single[0]:.1f} | {f['rps']:.0f} | {100 * f['rps'] / bare:.0f}% "
            f"| {f['p50_us'] / 1000:.0f} | {f['p95_us'] / 1000:.0f} | {f['p99_us'] / 1000:.0f} "
            f"| {f['errors']} | {hits} | {f['background']:.0%} |"
        )
    places_rows = [r for r in rows if r[1] != "(no auth)"]
    worst_p95 = max(r[5]["p95_us"] for r in places_rows) / 1000
    list_rps = (
        min(r[5]["rps"] for r in places_rows if r[0] == "list")
        if any(r[0] == "list" for r in places_rows)
        else 0
    )
    print(
        f"\nGoal p95 ≤ {GOAL_P95_MS} ms at {args.connections} clients: "
        f"worst place endpoint p95 {worst_p95:.0f} ms. "
        f"Goal list ≥ {GOAL_SHARE:.0%} of bare throughput: list {list_rps:.0f} req/s = "
        f"{list_rps / bare:.0%} of bare {bare:.0f} req/s."
    )


if __name__ == "__main__":
    main()
