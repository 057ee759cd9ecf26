#!/usr/bin/env python
"""Benchmark of the foundation: demo build at a scale, scoped API lists and the compliance table.

    .venv/bin/python bench/bench_org.py --scale 10            # fresh SQLite file in a temp dir
    DATABASE_URL=postgres://…/firegrid_bench .venv/bin/python bench/bench_org.py --scale 10
        (the PostgreSQL database is FLUSHED first: point it at a scratch database)

Prints figures; asserts nothing about speed (machines are noisy).
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    if "DATABASE_URL" not in os.environ:
        os.environ["FIREGRID_VAR_DIR"] = tempfile.mkdtemp(prefix="firegrid-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")
    os.environ.setdefault("AXES_ENABLED", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from firegrid.org.compliance import district_compliance
    from firegrid.org.models import OrgUnit, Region, ResidentialArea, User

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)

    start = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", scale=args.scale, verbosity=0, stdout=quiet)
    seed_s = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    counts = {
        "regions": Region.objects.count(),
        "org units": OrgUnit.objects.count(),
        "residential areas": ResidentialArea.objects.count(),
        "users": User.objects.count(),
    }
    print(f"# firegrid foundation benchmark — scale {args.scale}, {connection.vendor}")
    sizes = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"seed_demo: {seed_s:.1f} s, peak RSS {rss_mb:.0f} MB; {sizes}")

    urls = ["/api/v1/regions/?limit=50", "/api/v1/org-units/?limit=50", "/api/v1/residential-areas/?limit=50",
            "/api/v1/users/?limit=50"]
    print("\n| persona | endpoint | median ms | p95 ms |\n| --- | --- | --- | --- |")
    for username in ["district_admin", "street_officer", "grid_worker_a", "police_officer", "dept_staff"]:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in urls:
            assert client.get(url).status_code == 200
            median, p95 = timed(lambda c=client, u=url: c.get(u), args.repeat)
            print(f"| {username} | {url.split('?')[0]} | {median:.1f} | {p95:.1f} |")

    streets = list(Region.objects.streets())
    median, p95 = timed(lambda: district_compliance(streets), max(3, args.repeat // 5))
    print(f"\ndistrict compliance table ({len(streets)} streets): median {median:.0f} ms, p95 {p95:.0f} ms")
    client = Client()
    client.force_login(User.objects.get(username="district_admin"))
    median, p95 = timed(lambda: client.get("/api/v1/regions/locate/?lat=28.95&lng=106.65"), args.repeat)
    print(f"locate a point to its grid (API): median {median:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
