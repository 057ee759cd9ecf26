#!/usr/bin/env python
"""Benchmark of issue 4, item 7: a "双随机" draw over ~1e5 places with 500 inspectors (goal ≤ 2 s
including writing it) and the year plan for ~1e5 places (goal ≤ 30 s and ≤ 2 GB).

    .venv/bin/python bench/bench_inspections.py [--scale 25] [--inspectors 500]
        fresh SQLite file in a temp dir
    DATABASE_URL=postgres://firegrid:firegrid@127.0.0.1:5432/firegrid_bench_insp \\
        .venv/bin/python bench/bench_inspections.py
        scratch PostgreSQL database: DROPPED and created again (never "firegrid")

Steps: migrate; `seed_demo --scale N` (~4,000 places per scale unit, so 25 ≈ 1e5); top the
district's qualified inspectors (current INSPECTOR role, valid enforcement qualification) up to
--inspectors with bulk-inserted users, qualifications and role assignments spread over the
streets; bulk-insert --inspections submitted inspections by pairs of them, so "not the last
inspector" has data. Then it measures, with time.perf_counter and the process's RSS:
  (a) announce_draw + run_draw over the whole district (filters {}) at each --ratios, --repeat
      times each, with the parts of run_draw timed separately (target pool, exclusions, inspector
      pool, drawing.run, and the rest = writing the assignments and the record);
  (b) generate_plan for next year over the district, in a child process of its own (so its peak
      RSS, VmHWM, is the plan's): seconds, CPU seconds, items created, queries, RSS before, peak
      RSS while it ran (sampled every 5 ms); then, unless --no-tracemalloc, the plan is deleted
      and made again under tracemalloc for its Python-heap peak (slower; not a timing figure);
  (c) generate_plan again on the full plan (idempotent: 0 created).
Before each measured step it waits (at most --wait s) for the machine to be idle and prints how
busy it was ("busy"); "CPU s" is this process's CPU time (on PostgreSQL the server's is not in it).
Prints figures; asserts nothing about speed (machines are noisy).
"""

import argparse
import atexit
import datetime
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE = os.sysconf("SC_PAGE_SIZE")
REFUSED = {"firegrid", "postgres", "template0", "template1"}


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def cpu_busy(seconds=1.0):
    """Share of all CPUs busy over `seconds` (/proc/stat): while this bench sleeps, other work."""

    def sample():
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values) - idle, sum(values)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0)


def wait_idle(limit_s, threshold=0.25):
    """Wait at most limit_s for the machine to be nearly idle; returns the last busy share seen."""
    deadline = time.monotonic() + limit_s
    busy = cpu_busy(2)
    while busy > threshold and time.monotonic() < deadline:
        print(f"  machine {busy:.0%} busy with other work: waiting …", file=sys.stderr, flush=True)
        busy = cpu_busy(5)
    return busy


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def high_water_mb():
    """This process's peak RSS since its exec (VmHWM; ru_maxrss would include the forking parent)."""
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


class RssSampler:
    """Peak RSS of this process while a block runs, sampled from /proc every `interval` s."""

    def __init__(self, interval=0.005):
        self.interval, self.peak, self._stop = interval, 0.0, threading.Event()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            self._stop.wait(self.interval)

    def __enter__(self):
        self.before = self.peak = rss_mb()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.after = rss_mb()
        self.peak = max(self.peak, self.after)


@contextmanager
def counting_queries(counter):
    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


class PartTimer:
    """Wraps module functions so each call's wall time is added to parts[label]."""

    def __init__(self):
        self.parts, self._undo = {}, []

    def wrap(self, module, name, label):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.parts[label] = self.parts.get(label, 0.0) + time.perf_counter() - start

        setattr(module, name, timed)
        self._undo.append((module, name, original))

    def reset(self):
        self.parts = {}

    def restore(self):
        for module, name, original in reversed(self._undo):
            setattr(module, name, original)


def recreate_postgres(url):
    """Drop and create the scratch database. Not `flush`: that would also empty the tables the
    migrations fill (the grading rule set, the shipped checklists), and every place would get the
    default grade."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in REFUSED:
        sys.exit(f"refusing database {name!r}: point DATABASE_URL at a scratch database")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def add_inspectors(target, today, district):
    """Top the district's qualified, current inspectors up to `target`; returns the pool size."""
    from firegrid.core.roles import Role
    from firegrid.org.choices import QualificationKind
    from firegrid.org.models import Qualification, Region, RoleAssignment, User

    def pool():
        qualified = User.objects.qualified_inspectors(today).filter(is_active=True)
        return set(
            RoleAssignment.objects.filter(
                role=Role.INSPECTOR,
                region__path__startswith=district.path,
                starts_on__lte=today,
                user__in=qualified,
            )
            .exclude(ends_on__lt=today)
            .values_list("user_id", flat=True)
        )

    missing = target - len(pool())
    if missing > 0:
        streets = list(Region.objects.streets().subtree(district).order_by("path"))
        users = User.objects.bulk_create(
            [
                User(username=f"bench_inspector_{i:04d}", password="!", full_name=f"督查员{i:04d}")
                for i in range(missing)
            ]
        )
        passed = today - datetime.timedelta(days=200)
        Qualification.objects.bulk_create(
            [
                Qualification(
                    user=u,
                    kind=QualificationKind.ENFORCEMENT,
                    certificate_no=f"BENCH-{u.pk}",
                    passed_on=passed,
                    expires_on=passed + datetime.timedelta(days=3 * 365),
                    issued_by="bench",
                )
                for u in users
            ]
        )
        RoleAssignment.objects.bulk_create(  # bypasses RoleAssignment.validate(): fine for a bench
            [
                RoleAssignment(
                    user=u,
                    role=Role.INSPECTOR,
                    region=streets[i % len(streets)],
                    starts_on=today - datetime.timedelta(days=100),
                )
                for i, u in enumerate(users)
            ]
        )
    return sorted(pool())


def add_inspections(count, inspectors, today, rng):
    """Submitted supervisory inspections of random places by random pairs, over the past year."""
    from django.utils import timezone

    from firegrid.inspections.choices import InspectionKind, InspectionStatus, Outcome
    from firegrid.inspections.models import Inspection
    from firegrid.places.models import Place

    place_ids = list(Place.objects.active().values_list("pk", flat=True))
    chosen = rng.sample(place_ids, min(count, len(place_ids)))
    # a tenth of them inspected twice, so "the last inspection" has to pick the later one
    chosen += rng.sample(chosen, len(chosen) // 10)
    now = timezone.now()
    inspections = Inspection.objects.bulk_create(
        [
            Inspection(
                place_id=pk,
                kind=InspectionKind.SUPERVISORY,
                status=InspectionStatus.SUBMITTED,
                inspected_on=today - datetime.timedelta(days=rng.randint(1, 330)),
                submitted_at=now,
                outcome=Outcome.PASSED,
            )
            for pk in chosen
        ]
    )
    through = Inspection.inspectors.through
    through.objects.bulk_create(
        [
            through(inspection_id=inspection.pk, user_id=user_id)
            for inspection in inspections
            for user_id in rng.sample(inspectors, 2)
        ]
    )
    return len(inspections)


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    os.environ.setdefault("AXES_ENABLED", "0")
    os.environ.setdefault("DEBUG", "0")  # no query log in memory
    import django

    django.setup()


def district_and_actor():
    from firegrid.org.demo import DISTRICT_CODE
    from firegrid.org.models import Region, User

    return Region.objects.get(code=DISTRICT_CODE), User.objects.get(username="district_admin")


def build(args):
    """Migrate, (flush,) seed the district, add inspectors and inspections; prints what it built."""
    import django
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from firegrid.places.models import Place

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", scale=args.scale, verbosity=0, stdout=quiet)
    seed_s = time.perf_counter() - start
    seed_rss = peak_rss_mb()

    today = timezone.localdate()
    district, _actor = district_and_actor()
    start = time.perf_counter()
    inspectors = add_inspectors(args.inspectors, today, district)
    inspections = add_inspections(args.inspections, inspectors, today, random.Random(4))
    extra_s = time.perf_counter() - start
    places = Place.objects.active().filter(region__path__startswith=district.path).count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        server = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        server = f"SQLite {connection.Database.sqlite_version}"
    print(
        f"# firegrid inspections benchmark — {server}, Python {sys.version.split()[0]}, "
        f"Django {django.get_version()}, {today}"
    )
    print(
        f"seed_demo --scale {args.scale}: {seed_s:.1f} s (peak RSS {seed_rss:.0f} MB); "
        f"{places} active places; inspector pool {len(inspectors)}; "
        f"{inspections} submitted inspections added ({extra_s:.1f} s)"
    )
    return places, len(inspectors)


def bench_draws(args):
    """(a): announce + run a draw over the whole district at each ratio; returns {ratio: [s]}."""
    from firegrid.inspections import draw_actions, drawing
    from firegrid.inspections.draw_actions import announce_draw, run_draw
    from firegrid.inspections.models import DrawAssignment

    district, actor = district_and_actor()
    timer = PartTimer()
    timer.wrap(draw_actions, "_target_pool", "pool")
    timer.wrap(draw_actions, "_exclusions", "exclusions")
    timer.wrap(draw_actions, "_inspector_pool", "inspectors")
    timer.wrap(drawing, "draw_targets", "algorithm")  # run_draw calls the two steps of drawing.run
    timer.wrap(drawing, "assign_pairs", "algorithm")
    print("\n## (a) draw over the whole district (filters {}), announce + run incl. writing\n")
    print(
        "| ratio | sample | announce s | target pool s | exclusions s | inspector pool s | algorithm s "
        "| writing s | run_draw s | announce+run s | CPU s | queries | record MB | RSS peak MB | busy |"
    )
    print("| " + " | ".join(["---"] * 15) + " |")
    totals = {}
    for ratio in [float(r) for r in args.ratios.split(",")]:
        for n in range(args.repeat):
            busy = wait_idle(args.wait)
            timer.reset()
            queries = [0]
            with counting_queries(queries), RssSampler() as mem:
                c0 = time.process_time()
                t0 = time.perf_counter()
                draw = announce_draw(
                    title=f"bench {ratio:.0%} #{n + 1}",
                    region=district,
                    params={"filters": {}, "ratio": ratio},
                    actor=actor,
                )
                t1 = time.perf_counter()
                draw = run_draw(draw, actor=actor)
                t2 = time.perf_counter()
                cpu = time.process_time() - c0
            parts = timer.parts
            writing = (t2 - t1) - sum(parts.values())
            sample = DrawAssignment.objects.filter(draw=draw).count()
            record_mb = len(json.dumps(draw.record, ensure_ascii=False).encode()) / 2**20
            totals.setdefault(ratio, []).append(t2 - t0)
            print(
                f"| {ratio:.0%} | {sample} | {t1 - t0:.3f} | {parts['pool']:.3f} | "
                f"{parts['exclusions']:.3f} | "
                f"{parts['inspectors']:.3f} | {parts['algorithm']:.3f} | {writing:.3f} | {t2 - t1:.3f} | "
                f"{t2 - t0:.3f} | {cpu:.3f} | {queries[0]} | {record_mb:.1f} | {mem.peak:.0f} | {busy:.0%} |"
            )
    timer.restore()
    for ratio, runs in totals.items():
        print(
            f"draw {ratio:.0%}: median {statistics.median(runs):.2f} s "
            f"(min {min(runs):.2f}, max {max(runs):.2f}) over {len(runs)} runs; goal ≤ 2 s"
        )
    return totals


def bench_plan(args):
    """(b) and (c), run in a process of their own so its peak RSS is the plan's; returns figures."""
    from django.db.models import Count
    from django.utils import timezone

    from firegrid.inspections.models import InspectionPlan, PlanItem
    from firegrid.inspections.plan_actions import generate_plan
    from firegrid.places.models import Place

    district, actor = district_and_actor()
    year = timezone.localdate().year + 1
    out = {"rss_start": rss_mb()}
    busy = wait_idle(args.wait)
    queries = [0]
    with counting_queries(queries), RssSampler() as mem:
        c0 = time.process_time()
        t0 = time.perf_counter()
        plan, created = generate_plan(year, district, actor=actor)
        out["plan_s"] = time.perf_counter() - t0
        out["plan_cpu"] = time.process_time() - c0
    out.update(created=created, queries=queries[0], before=mem.before, peak=mem.peak, after=mem.after)
    out["maxrss"] = high_water_mb()
    places = Place.objects.active().filter(region__path__startswith=district.path).count()
    print(f"\n## (b) generate_plan({year}) for the district, {places} places (process of its own)\n")
    print(
        f"generate_plan: {out['plan_s']:.1f} s (CPU {out['plan_cpu']:.1f} s; machine {busy:.0%} busy "
        f"before), {created} items created, {queries[0]} queries; RSS before {mem.before:.0f} MB, peak "
        f"during {mem.peak:.0f} MB (+{mem.peak - mem.before:.0f} MB), after {mem.after:.0f} MB; "
        f"process peak (VmHWM) {out['maxrss']:.0f} MB; goal ≤ 30 s and ≤ 2 GB"
    )
    per_place = dict(Place.objects.active().values_list("inspections_per_year").annotate(n=Count("pk")))
    print("places by visits a year: " + ", ".join(f"{k}: {v}" for k, v in sorted(per_place.items())))
    items = PlanItem.objects.filter(plan=plan)
    loads = sorted(
        items.filter(inspector__isnull=False)
        .values_list("inspector")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    unassigned = dict(
        items.filter(inspector__isnull=True).values_list("place__authority").annotate(n=Count("pk"))
    )
    out["unassigned"] = sum(unassigned.values())
    if loads:
        print(
            f"items per inspector: {len(loads)} inspectors, min {loads[0]}, median "
            f"{statistics.median(loads):.0f}, max {loads[-1]}; items without an inspector "
            f"{out['unassigned']} (by authority: {unassigned or '-'})"
        )

    busy = wait_idle(args.wait)
    queries = [0]
    with counting_queries(queries), RssSampler() as mem2:
        c0 = time.process_time()
        t0 = time.perf_counter()
        _plan, out["created2"] = generate_plan(year, district, actor=actor)
        out["again_s"] = time.perf_counter() - t0
        again_cpu = time.process_time() - c0
    print(f"\n## (c) generate_plan({year}) again\n")
    print(
        f"generate_plan again: {out['again_s']:.1f} s (CPU {again_cpu:.1f} s; machine {busy:.0%} busy "
        f"before), {out['created2']} items created, {queries[0]} queries, "
        f"peak during {mem2.peak:.0f} MB (+{mem2.peak - mem2.before:.0f} MB)"
    )

    out["traced_peak"] = None
    if not args.no_tracemalloc:
        items.delete()
        InspectionPlan.objects.filter(pk=plan.pk).delete()
        tracemalloc.start()
        t0 = time.perf_counter()
        _plan, created3 = generate_plan(year, district, actor=actor)
        traced_s = time.perf_counter() - t0
        out["traced_peak"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(
            f"\ngenerate_plan under tracemalloc (plan deleted and made again, {created3} items): "
            f"Python-heap peak {out['traced_peak']:.0f} MB ({traced_s:.1f} s with tracing on, "
            "not a timing figure)"
        )
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=25, help="seed_demo scale (25 ≈ 1e5 places)")
    parser.add_argument("--inspectors", type=int, default=500, help="qualified inspectors in the pool")
    parser.add_argument("--inspections", type=int, default=400, help="submitted inspections to seed")
    parser.add_argument("--ratios", default="0.05,0.01", help="draw sample ratios, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="draws per ratio")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the tracemalloc plan pass")
    parser.add_argument(
        "--wait", type=float, default=60, help="seconds to wait, before each step, for other work to stop"
    )
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file (its path is printed)")
    parser.add_argument("--plan-only", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()

    if args.plan_only:  # child: the database is built, FIREGRID_VAR_DIR/DATABASE_URL inherited
        setup_django()
        print("PLAN_FIGURES " + json.dumps(bench_plan(args)))
        return

    if os.environ.get("DATABASE_URL"):
        recreate_postgres(os.environ["DATABASE_URL"])
    else:
        var_dir = tempfile.mkdtemp(prefix="firegrid-bench-insp-")
        os.environ["FIREGRID_VAR_DIR"] = var_dir
        if not args.keep:
            atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
        else:
            print(f"SQLite file kept in {var_dir}", file=sys.stderr)
    setup_django()
    places, pool = build(args)
    draws = bench_draws(args)

    from django.db import connections

    connections.close_all()
    child = [sys.executable, str(Path(__file__).resolve()), "--plan-only", "--wait", str(args.wait)]
    if args.no_tracemalloc:
        child.append("--no-tracemalloc")
    done = subprocess.run(child, env=os.environ, check=True, capture_output=True, text=True)  # noqa: S603
    sys.stderr.write(done.stderr)
    plan = {}
    for line in done.stdout.splitlines():
        if line.startswith("PLAN_FIGURES "):
            plan = json.loads(line.removeprefix("PLAN_FIGURES "))
        else:
            print(line)

    print(f"\nbench process peak RSS (ru_maxrss, incl. seeding and draws): {peak_rss_mb():.0f} MB")
    print("\n| measure | figure | goal |\n| --- | --- | --- |")
    for ratio, runs in draws.items():
        print(
            f"| draw {ratio:.0%} of {places} places, {pool} inspectors, announce+run+write "
            f"(median of {len(runs)}) | {statistics.median(runs):.2f} s | ≤ 2 s |"
        )
    traced = f", Python-heap peak {plan['traced_peak']:.0f} MB" if plan["traced_peak"] is not None else ""
    print(
        f"| year plan, {places} places, {plan['created']} items | {plan['plan_s']:.1f} s, process peak RSS "
        f"{plan['maxrss']:.0f} MB (+{plan['peak'] - plan['before']:.0f} MB during the step){traced} "
        "| ≤ 30 s, ≤ 2 GB |"
    )
    print(f"| year plan again (0 expected) | {plan['again_s']:.1f} s, {plan['created2']} created | — |")


if __name__ == "__main__":
    main()
