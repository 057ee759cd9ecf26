"""Who the load test's simulated people are, read from the seeded database (bench/load/run.py runs it).

Writes one JSON file for bench/load/locustfile.py: grid workers who may patrol (a valid training
certificate) with the places of their grid, street officers (and the district admin) with their region
and its box, the hazard categories of the staff and the public forms, place codes behind signs, tracking
codes of public reports, search words, and a small JPEG photo beside it; with --cases N it first adds N
hazard cases with their timelines (COPY, bench/bench_hazards.py's seeder). Run with the main virtualenv
and the stack's DATABASE_URL:

    DATABASE_URL=... .venv/bin/python bench/load/fixture.py OUT.json [--grid-workers 400] [--cases N]
"""

import argparse
import io
import json
import os
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firegrid.settings")


def photo_bytes(seed):
    """A small, valid phone-like photo (JPEG, 640×480, some noise so it does not compress to nothing)."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (640, 480), (rng.randrange(80, 200), 90, 70))
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y = rng.randrange(640), rng.randrange(480)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle((x, y, x + rng.randrange(4, 40), y + rng.randrange(4, 40)), fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def box(region):
    if region.min_lat is None:
        return None
    return f"{region.min_lng:.5f},{region.min_lat:.5f},{region.max_lng:.5f},{region.max_lat:.5f}"


def build(grid_workers, seed):
    import django

    django.setup()
    from django.db.models import Q
    from django.utils import timezone

    from firegrid.core.roles import Role
    from firegrid.hazards.choices import Source
    from firegrid.hazards.models import HazardCase, HazardCategory
    from firegrid.org.choices import QualificationKind
    from firegrid.org.models import Qualification, Region, RoleAssignment
    from firegrid.places.choices import PlaceStatus
    from firegrid.places.models import Place

    rng = random.Random(seed)
    today = timezone.localdate()
    current = RoleAssignment.objects.filter(starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    active = Place.objects.filter(status=PlaceStatus.ACTIVE)

    workers = []
    # a patrol needs a valid fire safety training certificate (inspections.actions.start_inspection)
    trained = Qualification.objects.filter(
        kind=QualificationKind.TRAINING, passed_on__lte=today, expires_on__gte=today
    ).values("user_id")
    grants = list(
        current.filter(role=Role.GRID_WORKER, user__is_active=True, user__in=trained)
        .select_related("user", "region")
        .order_by("user__username")
    )
    rng.shuffle(grants)
    for grant in grants:
        if len(workers) >= grid_workers:
            break
        places = list(
            active.filter(region__path__startswith=grant.region.path).order_by("id").values("id", "code")[:30]
        )
        if len(places) < 3:
            continue
        workers.append({"username": grant.user.username, "grid": grant.region.code, "places": places})

    officers = []
    for grant in (
        current.filter(role=Role.STREET_OFFICER, user__is_active=True)
        .select_related("user", "region")
        .order_by("user__username")
    ):
        if box(grant.region):
            officers.append(
                {"username": grant.user.username, "region": grant.region.code, "bbox": box(grant.region)}
            )
    admins = []
    for grant in current.filter(role=Role.DISTRICT_ADMIN, user__is_active=True).select_related(
        "user", "region"
    ):
        region_box = box(grant.region)
        if region_box is None:  # the district's box from its streets
            streets = Region.objects.filter(parent=grant.region, min_lat__isnull=False)
            lats = [v for s in streets for v in (s.min_lat, s.max_lat)]
            lngs = [v for s in streets for v in (s.min_lng, s.max_lng)]
            region_box = f"{min(lngs):.5f},{min(lats):.5f},{max(lngs):.5f},{max(lats):.5f}" if lats else ""
        admins.append({"username": grant.user.username, "region": grant.region.code, "bbox": region_box})

    codes = list(active.values_list("code", flat=True).order_by("?")[:2000])
    names = list(active.values_list("name", flat=True).order_by("?")[:300])
    words = sorted({name[i : i + 2] for name in names for i in range(0, max(len(name) - 1, 1), 3)} - {""})
    tracking = list(
        HazardCase.objects.filter(source=Source.PUBLIC)
        .values_list("tracking_code", flat=True)
        .order_by("?")[:500]
    ) or list(HazardCase.objects.values_list("tracking_code", flat=True).order_by("?")[:500])
    return {
        "grid_workers": workers,
        "officers": officers,
        "admins": admins,
        "staff_categories": list(HazardCategory.objects.filter(is_active=True).values_list("pk", flat=True)),
        "public_categories": list(
            HazardCategory.objects.filter(is_active=True, public=True).values_list("code", flat=True)
        ),
        "place_codes": codes,
        "tracking_codes": tracking,
        "search_words": rng.sample(words, min(len(words), 200)),
        "place_kinds": ["shop", "restaurant", "hotel", "workshop", "three_in_one", "group_rental"],
        "risk_levels": ["low", "general", "high"],
        "counts": {
            "places": active.count(),
            "grids": Region.objects.filter(level="grid").count(),
            "hazard_cases": HazardCase.objects.count(),
            "trained_grid_workers": len(grants),
        },
    }


def add_cases(count):
    """`count` hazard cases with their timelines, written with COPY by bench/bench_hazards.py's Seeder
    (the rows hazards.actions would write: 3 years, ~30 % open, a quarter of those overdue)."""
    import time

    import django

    django.setup()
    import psycopg
    from django.conf import settings
    from django.db import connection

    sys.path.insert(0, str(REPO / "bench"))
    from bench_hazards import CASE_TABLE, EVENT_TABLE, Seeder

    db = settings.DATABASES["default"]
    url = psycopg.conninfo.make_conninfo(
        host=db["HOST"], port=db["PORT"] or 5432, dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"]
    )
    started = time.monotonic()
    written, events, _copy_s = Seeder(url, count, 20_000).run()
    connection.close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"VACUUM ANALYZE {CASE_TABLE}")
        conn.execute(f"VACUUM ANALYZE {EVENT_TABLE}")
    print(f"cases: {written} hazard cases and {events} events written in {time.monotonic() - started:.0f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="JSON file to write (photo.jpg is written beside it)")
    parser.add_argument("--grid-workers", type=int, default=400, help="grid workers to pick (default 400)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--cases", type=int, default=0, help="hazard cases to add with COPY first (default 0)"
    )
    args = parser.parse_args(argv)
    if args.cases:
        add_cases(args.cases)
    data = build(args.grid_workers, args.seed)
    out = Path(args.out)
    (out.parent / "photo.jpg").write_bytes(photo_bytes(args.seed))
    data["photo"] = str(out.parent / "photo.jpg")
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    counts = data["counts"]
    print(
        f"fixture: {len(data['grid_workers'])} grid workers, {len(data['officers'])} street officers, "
        f"{len(data['admins'])} district admins, {len(data['place_codes'])} place codes, "
        f"{len(data['tracking_codes'])} tracking codes; database: {counts['places']} places, "
        f"{counts['grids']} grids, {counts['hazard_cases']} hazard cases"
    )


if __name__ == "__main__":
    main()
