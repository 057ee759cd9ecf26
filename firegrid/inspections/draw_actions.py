"""Announce, run and publish "双随机、一公开" draws. The algorithm itself lives in drawing.py."""

import datetime
import hashlib
import json
import math
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core.roles import Role
from firegrid.core.views import may_write
from firegrid.inspections import drawing
from firegrid.inspections.choices import DrawStatus, InspectionStatus
from firegrid.inspections.models import DrawAssignment, Inspection, RandomDraw
from firegrid.org.models import Region, RoleAssignment, User
from firegrid.places.filtersets import PlaceFilter
from firegrid.places.models import Place


def params_digest(params):
    canonical = json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def add_working_days(start, days):
    day = start
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def clean_params(params):
    if not isinstance(params, dict):
        raise ValidationError({"params": _("Parameters must be an object.")})
    filters = params.get("filters") or {}
    if not isinstance(filters, dict):
        raise ValidationError({"filters": _("Filters must be an object of place-list filters.")})
    form = PlaceFilter(data=filters, queryset=Place.objects.none()).form
    if not form.is_valid():
        raise ValidationError({"filters": [f"{k}: {'; '.join(v)}" for k, v in form.errors.items()]})
    size, ratio = params.get("sample_size"), params.get("ratio")
    if (size is None) == (ratio is None):
        raise ValidationError({"sample_size": _("Give either a sample size or a ratio.")})
    if size is not None and (not isinstance(size, int) or size < 1):
        raise ValidationError({"sample_size": _("The sample size is a whole number of at least 1.")})
    if ratio is not None and (not isinstance(ratio, int | float) or not 0 < ratio <= 1):
        raise ValidationError({"ratio": _("The ratio is a number above 0 and at most 1.")})
    return {"filters": filters, "sample_size": size, "ratio": ratio, "team_size": 2}


@transaction.atomic
def announce_draw(*, title, region, params, actor, seed=None):
    """Fix the parameters and publish the seed before anything is drawn."""
    if (
        not may_write(actor, RandomDraw, "add")
        or not Region.objects.restrict(actor).filter(pk=region.pk).exists()
    ):
        raise ValidationError({"region": _("You may not run draws in %(region)s.") % {"region": region}})
    params = clean_params(params)
    seed = seed or secrets.token_hex(16)
    if RandomDraw.objects.filter(seed=seed).exists():
        raise ValidationError({"seed": _("This seed has been used by another draw.")})
    return RandomDraw.objects.create(
        title=title,
        region=region,
        seed=seed,
        params=params,
        params_digest=params_digest(params),
        created_by=actor,
    )


def inspector_id(user_id):
    return f"I{user_id}"


def _target_pool(draw):
    queryset = Place.objects.active().filter(region__path__startswith=draw.region.path)
    places = PlaceFilter(data=draw.params["filters"], queryset=queryset).qs
    return list(places.order_by().values_list("pk", "code", "region_id"))


def _exclusions(pool, on):
    """Who may not inspect each place: its grid workers, its owners, its last inspectors."""
    place_ids = [pk for pk, _code, _region in pool]
    by_place = {pk: set() for pk in place_ids}
    regions = {region for _pk, _code, region in pool}
    grid_workers = {}
    current = Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    for user_id, region_id in RoleAssignment.objects.filter(
        current, role=Role.GRID_WORKER, region_id__in=regions, starts_on__lte=on
    ).values_list("user_id", "region_id"):
        grid_workers.setdefault(region_id, set()).add(user_id)
    for pk, _code, region_id in pool:
        by_place[pk] |= grid_workers.get(region_id, set())
    for place_id, user_id in Place.owners.through.objects.filter(place_id__in=place_ids).values_list(
        "place_id", "user_id"
    ):
        by_place[place_id].add(user_id)
    latest = {}
    for inspection_id, place_id, day in Inspection.objects.filter(
        place_id__in=place_ids, status=InspectionStatus.SUBMITTED
    ).values_list("id", "place_id", "inspected_on"):
        if place_id not in latest or (day, inspection_id) > latest[place_id]:
            latest[place_id] = (day, inspection_id)
    last_ids = {inspection_id: place_id for place_id, (_day, inspection_id) in latest.items()}
    for inspection_id, user_id in Inspection.inspectors.through.objects.filter(
        inspection_id__in=last_ids
    ).values_list("inspection_id", "user_id"):
        by_place[last_ids[inspection_id]].add(user_id)
    return by_place


def _inspector_pool(draw, on):
    """Qualified people holding a current inspector role in, above or below the drawn area."""
    qualified = User.objects.qualified_inspectors(on).filter(is_active=True)
    ancestors = [p for p in draw.region.path.split("/") if p]
    paths = ["/" + "/".join(ancestors[: i + 1]) + "/" for i in range(len(ancestors))]
    return sorted(
        set(
            RoleAssignment.objects.filter(
                Q(region__path__startswith=draw.region.path) | Q(region__path__in=paths),
                Q(ends_on__isnull=True) | Q(ends_on__gte=on),
                role=Role.INSPECTOR,
                starts_on__lte=on,
                user__in=qualified,
            ).values_list("user_id", flat=True)
        )
    )


@transaction.atomic
def run_draw(draw, *, actor, params=None):
    """Draw the targets and the inspector pairs from the announced seed, and store the record."""
    draw = RandomDraw.objects.select_for_update().get(pk=draw.pk)
    if params is not None and params_digest(clean_params(params)) != draw.params_digest:
        raise ValidationError(
            {
                "params": _(
                    "The seed of this draw was announced with other parameters; "
                    "announce a new draw to change them."
                )
            }
        )
    if draw.status != DrawStatus.ANNOUNCED:
        raise ValidationError({"status": _("This draw has already been run.")})
    on = timezone.localdate()
    pool = _target_pool(draw)
    size = draw.params["sample_size"] or max(1, math.ceil(draw.params["ratio"] * len(pool)))
    inspectors = [inspector_id(u) for u in _inspector_pool(draw, on)]
    try:
        targets = drawing.draw_targets(draw.seed, [code for _pk, code, _r in pool], size)
        # avoidance rules only matter for the drawn places, so only theirs are looked up and published
        drawn = set(targets)
        drawn_rows = [row for row in pool if row[1] in drawn]
        excluded = _exclusions(drawn_rows, on)
        exclusions = {code: sorted(inspector_id(u) for u in excluded[pk]) for pk, code, _r in drawn_rows}
        pairs = drawing.assign_pairs(draw.seed, targets, inspectors, exclusions, draw.params["team_size"])
    except drawing.DrawError as exc:
        raise ValidationError({"sample_size": str(exc)}) from None
    record = {
        "algorithm": drawing.ALGORITHM,
        "seed": draw.seed,
        "sample_size": size,
        "team_size": draw.params["team_size"],
        "places": [
            {"code": code, "exclude": exclusions[code]} if code in drawn else {"code": code}
            for _pk, code, _r in pool
        ],
        "inspectors": inspectors,
        "result": [{"place": code, "inspectors": team} for code, team in pairs],
    }
    code_to_pk = {code: pk for pk, code, _r in pool}
    assignments = DrawAssignment.objects.bulk_create(
        [
            DrawAssignment(draw=draw, order=i, place_id=code_to_pk[row["place"]])
            for i, row in enumerate(record["result"])
        ]
    )
    through = DrawAssignment.inspectors.through
    through.objects.bulk_create(
        [
            through(drawassignment_id=a.pk, user_id=int(i[1:]))
            for a, row in zip(assignments, record["result"], strict=True)
            for i in row["inspectors"]
        ],
        batch_size=5000,
    )
    draw.record = record
    draw.status = DrawStatus.DRAWN
    draw.drawn_at = timezone.now()
    draw.publish_by = add_working_days(on, settings.DRAW_PUBLISH_WORKING_DAYS)
    draw.save()
    return draw


def publish_draw(draw, *, actor):
    if draw.status == DrawStatus.ANNOUNCED:
        raise ValidationError({"status": _("Run the draw before publishing its results.")})
    draw.status = DrawStatus.PUBLISHED
    draw.published_at = timezone.now()
    draw.save(update_fields=["status", "published_at", "updated_at"])
    return draw


def link_inspection(inspection):
    """A submitted inspection of a drawn place by its drawn inspectors fulfils the assignment."""
    team = set(inspection.inspectors.values_list("pk", flat=True))
    for assignment in DrawAssignment.objects.filter(
        place_id=inspection.place_id, inspection__isnull=True
    ).exclude(draw__status=DrawStatus.ANNOUNCED):
        if team & set(assignment.inspectors.values_list("pk", flat=True)):
            assignment.inspection = inspection
            assignment.save(update_fields=["inspection"])


def publish_due_draws(on=None):
    """Publish every drawn draw whose publication deadline has come (run daily by a scheduler)."""
    on = on or timezone.localdate()
    published = []
    for draw in RandomDraw.objects.filter(status=DrawStatus.DRAWN, publish_by__lte=on):
        published.append(publish_draw(draw, actor=None))
    return published
