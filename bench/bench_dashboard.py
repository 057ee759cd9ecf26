#!/usr/bin/env python
"""Benchmark of issue 7: the command view (dashboard API) and the map layers at ~1e5 places and
~1e6 hazard cases on PostgreSQL, served by gunicorn, and the page weight of /dashboard/ and /map/.

    .venv/bin/python bench/bench_dashboard.py                      # reuse firegrid_bench_hz (~20 min)
    .venv/bin/python bench/bench_dashboard.py --cache-seconds 30   # the per-scope cache, on Redis
    .venv/bin/python bench/bench_dashboard.py --no-load --only dashboard

It reuses the scratch database of bench_hazards.py (--db, default firegrid_bench_hz: seed_demo
--scale 25 and 1e6 COPY-written cases); if that database is missing or empty it runs
bench_hazards.py's seeding first (~10 min). It migrates the database, collects the static files
into a temporary FIREGRID_VAR_DIR (CompressedManifestStaticFilesStorage, as production serves them
through whitenoise), starts gunicorn (FIREGRID_ENV=production) on 127.0.0.1, and as district_admin
(whole district), street_officer (one street) and grid_worker_a (one grid) measures the dashboard
API and each map layer: one client's requests in a row (median, p95), then wrk for --duration s
(p50/p95/p99, req/s; --load-only limits which endpoints get wrk); both send Accept-Encoding: gzip as
a browser does (--no-gzip: none), and each endpoint's bytes are given raw and as sent. With
--cache-seconds N the server runs with DASHBOARD_CACHE_SECONDS=N and REDIS_URL of a private
redis-server (bench_places.start_redis), so its workers share one cache, as in production. The hazard
and device layers are asked for the bounding box of the persona's own region (the map's first
view). The HTML page /dashboard/ as each persona (session login): one client's requests in a row.
Page weight: the HTML of /dashboard/ and /map/ (session login) plus every /static/ asset the
HTML names in <script src> and <link href>, raw and as sent with Accept-Encoding: gzip. Then the SQL
of each endpoint in process (queries, slowest, EXPLAIN ANALYZE above --explain-ms). Prints figures
and asserts nothing about speed.
"""

import argparse
import gzip
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_hazards as bh  # noqa: E402 - the sibling benchmarks' helpers
import bench_places as bp  # noqa: E402

PYTHON = bp.PYTHON
PERSONAS = ["district_admin", "street_officer", "grid_worker_a"]
KPI_NAMES = ["open_hazards", "overdue_hazards", "coverage_pct", "places", "active_alarms", "offline_devices"]
GOAL_P95_MS = 300
GOAL_PAGE_KB = 500
PASSWORD = "firegrid-demo-2026"


# collectstatic as production runs it, except that a missing source map named in a vendored file's
# `sourceMappingURL` comment (leaflet.js names leaflet.js.map, which is not vendored) is left alone
# instead of failing the whole run
COLLECTSTATIC = """
import os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
django.setup()
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage as S
from django.core.management import call_command
S.patterns = tuple(
    (ext, tuple(p for p in pats if "sourceMappingURL" not in str(p))) for ext, pats in S.patterns
)
call_command("collectstatic", interactive=False, verbosity=0)
"""


def persona_regions():
    """Each persona's home region: code and bbox (min_lng,min_lat,max_lng,max_lat) of its map."""
    from firegrid.dashboard.map_views import region_bounds
    from firegrid.dashboard.scope import chosen_region
    from firegrid.org.models import User

    out = {}
    for username in PERSONAS:
        user = User.objects.get(username=username)
        region, _homes = chosen_region(user)
        (south, west), (north, east) = region_bounds(user, region)
        out[username] = (region.code, region.name, f"{west},{south},{east},{north}")
    return out


def endpoints(regions, facilities):
    """(label, {persona: path})."""
    out = [("dashboard", {p: f"/api/v1/dashboard/?region={regions[p][0]}" for p in PERSONAS})]
    for kpi in KPI_NAMES:
        out.append(
            (
                f"grids kpi={kpi}",
                {p: f"/api/v1/map/grids/?region={regions[p][0]}&kpi={kpi}" for p in PERSONAS},
            )
        )
    out.append(
        ("hazards bbox=own region", {p: f"/api/v1/map/hazards/?bbox={regions[p][2]}" for p in PERSONAS})
    )
    out.append(
        ("devices bbox=own region", {p: f"/api/v1/map/devices/?bbox={regions[p][2]}" for p in PERSONAS})
    )
    if facilities:
        out.append(
            ("facilities bbox=own region", {p: f"{facilities}?bbox={regions[p][2]}" for p in PERSONAS})
        )
    return out


def api_get(url, token, encoding=None, timeout=120):
    """GET as the bench's API client: (status, body as sent, Content-Encoding)."""
    headers = {"Accept": "application/json", "Accept-Language": "en", "Authorization": f"Token {token}"}
    if encoding:
        headers["Accept-Encoding"] = encoding
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read(), response.headers.get("Content-Encoding")


def describe(url, token):
    """(features, bytes raw, bytes as sent to a client accepting gzip, Content-Encoding then)."""
    status, body, _enc = api_get(url, token)
    if status != 200:
        sys.exit(f"{url} answered {status}")
    data = json.loads(body)
    rows = len(data["features"]) if isinstance(data, dict) and "features" in data else "-"
    _status, sent, encoding = api_get(url, token, "gzip")
    if encoding == "gzip" and json.loads(gzip.decompress(sent)) != data:
        sys.exit(f"{url}: the gzipped answer is not the same JSON")
    return rows, len(body), len(sent), encoding


def timed(url, token, repeat, budget_s, encoding):
    """Median and p95 ms of one client's requests in a row (at least 5, then within budget_s)."""
    samples = []
    start_all = time.perf_counter()
    for i in range(repeat):
        start = time.perf_counter()
        api_get(url, token, encoding)
        samples.append((time.perf_counter() - start) * 1000)
        if i >= 4 and time.perf_counter() - start_all > budget_s:
            break
    samples.sort()
    return statistics.median(samples), samples[max(0, round(len(samples) * 0.95) - 1)], len(samples)


def wrk(url, token, duration, connections, threads, encoding):
    """bench_places.py's wrk run, with Accept-Encoding as a browser sends it (unless --no-gzip)."""
    env = dict(os.environ, BENCH_TOKEN=token or "")
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "30s"]
    if encoding:
        cmd += ["-H", f"Accept-Encoding: {encoding}"]
    cmd += ["-s", str(bp.LUA), url]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return figures


# ruff: noqa: S310 - loopback URLs this file builds

# ---- page weight -----------------------------------------------------------------------------


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path, encoding=None):
        headers = {"Accept-Language": "zh-hans"}
        if encoding:
            headers["Accept-Encoding"] = encoding
        request = urllib.request.Request(self.base + path, headers=headers)
        with self.opener.open(request, timeout=120) as response:
            body = response.read(), response.headers.get("Content-Encoding")
        self.insecure()
        return body

    def insecure(self):
        """Production marks the CSRF and session cookies Secure; send them over loopback HTTP anyway."""
        for cookie in self.jar:
            cookie.secure = False

    def login(self, username):
        page, _enc = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        data = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base + "/accounts/login/"}
        )
        with self.opener.open(request, timeout=60) as response:
            response.read()
        self.insecure()


def page_weight(base, path, username):
    """(html raw, html gzip, [(asset, raw, gzip over the wire)]) of one page."""
    browser = Browser(base)
    browser.login(username)
    html, _enc = browser.get(path)
    assets = []
    for ref in dict.fromkeys(re.findall(rb'<(?:script[^>]*\bsrc|link[^>]*\bhref)="(/static/[^"]+)"', html)):
        asset = ref.decode()
        raw, _enc = browser.get(asset)
        wire, enc = browser.get(asset, "gzip")
        assets.append((asset, len(raw), len(wire), enc))
    return len(html), len(gzip.compress(html, 6)), assets


def page_timed(base, path, username, repeat, budget_s):
    """Median and p95 ms of one client's requests in a row of an HTML page after a session login
    (the page as officers open it in the load test), two first, untimed; accepting gzip."""
    browser = Browser(base)
    browser.login(username)
    for _ in range(2):
        browser.get(path, "gzip")
    samples = []
    start_all = time.perf_counter()
    for i in range(repeat):
        start = time.perf_counter()
        browser.get(path, "gzip")
        samples.append((time.perf_counter() - start) * 1000)
        if i >= 4 and time.perf_counter() - start_all > budget_s:
            break
    samples.sort()
    return statistics.median(samples), samples[max(0, round(len(samples) * 0.95) - 1)], len(samples)


def drain(base, limit_s=180):
    """Wait until the server has worked off what wrk left queued (a slow endpoint leaves minutes of
    requests behind), so that the next endpoint is not timed behind them."""
    deadline = time.monotonic() + limit_s
    fast = 0
    while time.monotonic() < deadline and fast < 8:  # several in a row: every worker is free
        start = time.perf_counter()
        try:
            bp.http(f"{base}/api/v1/ping", timeout=limit_s)
        except OSError:
            fast = 0
            continue
        fast = fast + 1 if time.perf_counter() - start < 0.2 else 0


# ---- main ------------------------------------------------------------------------------------


def main():  # noqa: C901, PLR0912, PLR0915
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="firegrid_bench_hz", help="scratch database (bench_hazards.py's)")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per endpoint")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20, help="one-client requests (fewer if slow)")
    parser.add_argument("--budget", type=float, default=20, help="seconds at most of one-client requests")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument(
        "--cache-seconds",
        type=int,
        default=0,
        help="DASHBOARD_CACHE_SECONDS of the server, on a private redis-server (0: no cache, no Redis)",
    )
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--only", help="comma list: measure only endpoints whose label contains one of these")
    parser.add_argument(
        "--load-only",
        default="dashboard,kpi=open_hazards,bbox",
        help="comma list: wrk only endpoints whose label contains one of these ('' = all)",
    )
    parser.add_argument("--no-load", action="store_true", help="skip wrk")
    parser.add_argument("--no-pages", action="store_true", help="skip the page weight")
    parser.add_argument("--explain-ms", type=float, default=100)
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--wait-idle", type=int, default=30)
    parser.add_argument(
        "--no-gzip",
        action="store_true",
        help="timed requests and wrk send no Accept-Encoding (as runs before 2026-11-26 did)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    encoding = None if args.no_gzip else "gzip"

    args.reuse = True
    scratch_url, _admin_url = bp.database_urls(args)
    env = bp.django_env(scratch_url, args.conn_max_age)
    env["DASHBOARD_CACHE_SECONDS"] = str(args.cache_seconds)
    static_dir = tempfile.TemporaryDirectory(prefix="firegrid-bench-static-")
    env["FIREGRID_VAR_DIR"] = static_dir.name
    try:
        bp.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    except subprocess.CalledProcessError:
        bp.run([PYTHON, str(Path(__file__).with_name("bench_hazards.py")), "--db", args.db, "--no-load"], env)
    bh.django_setup(env)
    from django.db import connection

    if bh.case_count() < 900_000:
        connection.close()
        bh.log(f"{args.db} holds too few cases: seeding it with bench_hazards.py (~10 min) …")
        bp.run(
            [
                PYTHON,
                str(Path(__file__).with_name("bench_hazards.py")),
                "--db",
                args.db,
                "--reuse",
                "--no-load",
            ],
            env,
        )
    bh.log("collectstatic into a temporary directory …")
    bp.run([PYTHON, "-c", COLLECTSTATIC], env)

    from firegrid.dashboard.map_layers import url_or_none

    regions = persona_regions()
    facilities = url_or_none("facility-geojson")
    counts = bh.sql(
        "SELECT (SELECT count(*) FROM places_place), (SELECT count(*) FROM hazards_hazardcase),"
        " (SELECT count(*) FROM hazards_hazardcase WHERE status NOT IN ('closed', 'rejected')),"
        " (SELECT count(*) FROM org_region WHERE level = 'grid'), (SELECT count(*) FROM iot_device),"
        " version()"
    )[0]
    connection.close()
    measured = endpoints(regions, facilities)
    if args.only:
        only = [s for s in args.only.split(",") if s]
        measured = [e for e in measured if any(s in e[0] for s in only)]
    load_only = [s for s in args.load_only.split(",") if s]
    gunicorn_version = subprocess.run(  # noqa: S603
        [str(Path(PYTHON).with_name("gunicorn")), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()

    redis_process = None
    server_env = dict(env)
    server_env.pop("REDIS_URL", None)
    if args.cache_seconds:
        redis_process, server_env["REDIS_URL"] = bp.start_redis(tempfile.mkdtemp(prefix="bench-dash-redis-"))
    try:
        server = bp.start_server(args, server_env)
    except BaseException:
        if redis_process is not None:
            redis_process.terminate()
        raise
    base = f"http://127.0.0.1:{args.port}"
    rows, pages, tokens, page_times = [], [], {}, []
    try:
        for username in PERSONAS:
            _status, body = bp.http(
                f"{base}/api/v1/auth/token/", {"username": username, "password": PASSWORD}
            )
            tokens[username] = json.loads(body)["token"]
        if not args.no_pages:
            for path in ("/dashboard/", "/map/"):
                pages.append((path, page_weight(base, path, "district_admin")))
            for persona in PERSONAS:
                background = bp.wait_idle(args.wait_idle)
                single = page_timed(base, "/dashboard/", persona, args.repeat, args.budget)
                bh.log(f"  {persona} page /dashboard/: 1 client {single[0]:.0f}/{single[1]:.0f} ms")
                page_times.append((persona, single, background))
        for label, paths in measured:
            for persona in PERSONAS:
                url, token = base + paths[persona], tokens[persona]
                background = bp.wait_idle(args.wait_idle)
                first = time.perf_counter()
                count, size, size_sent, sent_encoding = describe(url, token)
                first_ms = (time.perf_counter() - first) * 1000
                if args.cache_seconds:  # the first request filled the shared cache: steady state next
                    api_get(url, token, encoding)
                single = timed(url, token, args.repeat, args.budget, encoding)
                figures = None
                if not args.no_load and (not load_only or any(s in label for s in load_only)):
                    if args.warmup:
                        wrk(url, token, args.warmup, args.connections, args.wrk_threads, encoding)
                    figures = wrk(url, token, args.duration, args.connections, args.wrk_threads, encoding)
                    drain(base)
                bh.log(
                    f"  {persona} {label}: first {first_ms:.0f} ms, "
                    f"1 client {single[0]:.0f}/{single[1]:.0f} ms"
                    + (f", wrk p95 {figures['p95_us'] / 1000:.0f} ms" if figures else "")
                    + f" (other CPU {background:.0%})"
                )
                size_sent = (size_sent, sent_encoding)
                rows.append((label, persona, count, size, size_sent, first_ms, single, figures, background))
    finally:
        bp.stop_server(server)
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(10)
        static_dir.cleanup()

    found, plans = [], []
    if not args.no_explain:
        bh.log("SQL of each endpoint, in process …")
        found, plans = bh.explain(measured, tokens, args.explain_ms)
        connection.close()

    # ---- report ----
    places, cases, open_cases, grids, devices, pg_version = counts
    print(f"# firegrid dashboard and map benchmark — {time.strftime('%Y-%m-%d')}")
    print(
        f"{places:,} places, {grids:,} grids, {cases:,} hazard cases ({open_cases:,} open), "
        f"{devices:,} devices; "
        f"{pg_version.split(' on ')[0]}; {gunicorn_version}, {args.workers} {args.worker_class} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; DASHBOARD_CACHE_SECONDS={args.cache_seconds}"
        + (" on Redis; " if args.cache_seconds else "; ")
        + ("timed requests send no Accept-Encoding" if args.no_gzip else "timed requests accept gzip")
        + f"; wrk -t{args.wrk_threads} -c{args.connections} "
        f"-d{args.duration}s after {args.warmup} s warm-up; {os.cpu_count()} CPUs shared by all. Regions: "
        + ", ".join(f"{p} {regions[p][0]} {regions[p][1]}" for p in PERSONAS)
        + f". Run took {time.perf_counter() - started:.0f} s."
    )
    print(
        "\n| endpoint | persona | features | KB raw (sent, gzip accepted) | first ms | 1 client median ms "
        "| 1 client p95 ms | n "
        "| req/s | p50 ms | p95 ms | p99 ms | errors | other CPU |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, persona, count, size, (size_sent, sent_encoding), first_ms, single, f, background in rows:
        load = (
            f"{f['rps']:.1f} | {f['p50_us'] / 1000:.0f} | {f['p95_us'] / 1000:.0f} "
            f"| {f['p99_us'] / 1000:.0f} | {f['errors']}"
            if f
            else "- | - | - | - | -"
        )
        print(
            f"| {label} | {persona} | {count} | {size / 1024:.1f} ({size_sent / 1024:.1f}"
            f"{'' if sent_encoding == 'gzip' else ' not compressed'}) | {first_ms:.0f} "
            f"| {single[0]:.0f} | {single[1]:.0f} | {single[2]} | {load} | {background:.0%} |"
        )
    worst1 = max(rows, key=lambda r: r[6][1], default=None)
    if worst1:
        print(
            f"\nWorst one-client p95: {worst1[6][1]:.0f} ms ({worst1[0]}, {worst1[1]}); "
            f"goal ≤ {GOAL_P95_MS} ms: " + ("met." if worst1[6][1] <= GOAL_P95_MS else "NOT met.")
        )
    loaded = [r for r in rows if r[7]]
    if loaded:
        worst = max(loaded, key=lambda r: r[7]["p95_us"])
        print(
            f"Worst p95 under wrk -c{args.connections}: {worst[7]['p95_us'] / 1000:.0f} ms "
            f"({worst[0]}, {worst[1]})."
        )
    if pages:
        print(
            "\n| page | HTML KB raw (gzip) | assets | assets KB raw | assets KB over the wire | total KB raw "
            "| total KB over the wire |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for path, (html, html_gz, assets) in pages:
            raw = html + sum(a[1] for a in assets)
            wire = html_gz + sum(a[2] for a in assets)
            print(
                f"| {path} | {html / 1024:.1f} ({html_gz / 1024:.1f}) | {len(assets)} "
                f"| {sum(a[1] for a in assets) / 1024:.1f} | {sum(a[2] for a in assets) / 1024:.1f} "
                f"| {raw / 1024:.1f} | {wire / 1024:.1f} |"
            )
        for path, (_html, _gz, assets) in pages:
            print(f"\n{path} assets (raw → over the wire, Content-Encoding):")
            for name, raw, wire, enc in assets:
                print(f"- {name}: {raw / 1024:.1f} KB → {wire / 1024:.1f} KB ({enc or 'identity'})")
        print(f"\nPage weight goal < {GOAL_PAGE_KB} KB over the wire (HTML counted gzip-compressed).")
    if page_times:
        print(
            "\n| page (session login, gzip accepted) | persona | 1 client median ms | 1 client p95 ms | n "
            "| other CPU |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        for persona, (median, p95, n), background in page_times:
            print(f"| /dashboard/ | {persona} | {median:.0f} | {p95:.0f} | {n} | {background:.0%} |")
    if found:
        print("\nSQL per request (in process, one request after a warm-up):\n")
        print("| endpoint | persona | status | request ms | queries | SQL ms | slowest query ms |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for label, persona, status, total, n, sql_ms, slowest in found:
            print(f"| {label} | {persona} | {status} | {total:.1f} | {n} | {sql_ms:.1f} | {slowest:.1f} |")
    for label, persona, ms, query, plan in plans:
        print(
            f"\n## slow query: {label} as {persona}, {ms:.0f} ms\n\n```sql\n{query}\n```\n\n```\n{plan}\n```"
        )


if __name__ == "__main__":
    main()
