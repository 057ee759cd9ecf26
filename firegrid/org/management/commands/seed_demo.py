"""`firegrid seed_demo [--scale N]`: a synthetic district modelled on Qijiang (綦江区) for demos,
manual testing and benchmarks. Idempotent: if the district exists, only the demo logins are
completed."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from firegrid.facilities.demo import seed_facilities
from firegrid.hazards.demo import seed_cases
from firegrid.org.compliance import district_compliance
from firegrid.org.demo import DEMO_PASSWORD, DISTRICT_CODE, PERSONAS
from firegrid.org.demo.builder import build_district
from firegrid.org.demo.personas import PERSONA_NOTES, ensure_personas
from firegrid.org.demo.places import seed_places
from firegrid.org.models import (
    FireManager,
    OrgMember,
    OrgUnit,
    Qualification,
    Region,
    ResidentialArea,
    RoleAssignment,
    User,
)
from firegrid.outreach.demo import seed_outreach
from firegrid.tasks.demo import seed_tasks

__all__ = ["DEMO_PASSWORD", "Command"]


def refresh_statistics():
    """ANALYZE on PostgreSQL after the bulk inserts, so the planner does not pick plans made for
    empty tables (the rest of the seed runs hundreds of small joins)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class Command(BaseCommand):
    help = "Build the synthetic Qijiang demo district (regions, units, staff, places). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply communities, grids, areas, staff and places (~4,000) by N (default 1).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Rows per bulk insert (default 2000)."
        )

    def handle(self, *args, scale, batch_size, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        started = time.monotonic()
        today = timezone.localdate()
        with transaction.atomic():
            if Region.objects.filter(code=DISTRICT_CODE).exists():
                self.stdout.write(f"District {DISTRICT_CODE} already exists: skipping the base build.")
            else:
                self.stdout.write(f"Building the demo district at scale {scale} …")
                build_district(scale=scale, batch_size=batch_size, today=today)
            created = ensure_personas(today)
            places_line = seed_places(scale=scale, batch_size=batch_size, today=today)
            refresh_statistics()  # thousands of rows were just bulk-inserted: plan the rest on real counts
            hazards_line = seed_cases()
            facilities_line = seed_facilities(today)
            outreach_line = seed_outreach(today)
            tasks_line = seed_tasks(today)
        elapsed = time.monotonic() - started
        self.print_summary(today)
        self.stdout.write(places_line)
        self.stdout.write(hazards_line)
        self.stdout.write(facilities_line)
        self.stdout.write(outreach_line)
        self.stdout.write(tasks_line)
        self.stdout.write(f"Done in {elapsed:.1f} s; {len(created)} demo login(s) created.")
        self.print_logins()

    def print_summary(self, today):
        out = self.stdout
        levels = dict(Region.objects.values_list("level").annotate(n=Count("pk")))
        out.write(
            "Regions: {district} district, {street} streets/towns, {community} communities/villages, "
            "{grid} grids".format(
                **{k: levels.get(k, 0) for k in ("district", "street", "community", "grid")}
            )
        )
        kinds = dict(OrgUnit.objects.values_list("kind").annotate(n=Count("pk")))
        out.write("Org units: " + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())))
        valid = Qualification.objects.filter(passed_on__lte=today, expires_on__gte=today).count()
        out.write(
            f"Unit members {OrgMember.objects.count()}, residential areas {ResidentialArea.objects.count()}, "
            f"fire managers {FireManager.objects.count()}, users {User.objects.count()}, "
            f"qualifications {Qualification.objects.count()} ({valid} valid), "
            f"role assignments {RoleAssignment.objects.count()}"
        )
        district = Region.objects.filter(code=DISTRICT_CODE).first()
        if district:
            reports = district_compliance(Region.objects.streets().subtree(district), on=today)
            compliant = sum(r.compliant for r in reports)
            gaps = sum(len(r.gaps) for r in reports)
            out.write(f"Compliance: {compliant} of {len(reports)} streets/towns fully compliant, {gaps} gaps")

    def print_logins(self):
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for username in PERSONAS:
            out.write(f"  {username:<20} {PERSONA_NOTES[username]}")
