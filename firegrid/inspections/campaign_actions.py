"""Launch special campaigns and follow their progress per street."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core.views import may_write
from firegrid.inspections.models import Campaign, CampaignPlace, ChecklistVersion
from firegrid.org.models import Region
from firegrid.places.filtersets import PlaceFilter
from firegrid.places.models import Place


@transaction.atomic
def launch_campaign(*, name, kind, region, filters, checklists, starts_on, deadline, actor):
    if (
        not may_write(actor, Campaign, "add")
        or not Region.objects.restrict(actor).filter(pk=region.pk).exists()
    ):
        raise ValidationError(
            {"region": _("You may not launch campaigns in %(region)s.") % {"region": region}}
        )
    if deadline < starts_on:
        raise ValidationError({"deadline": _("The deadline is before the start.")})
    form = PlaceFilter(data=filters or {}, queryset=Place.objects.none()).form
    if not form.is_valid():
        raise ValidationError({"filters": [f"{k}: {'; '.join(v)}" for k, v in form.errors.items()]})
    known = set(ChecklistVersion.objects.filter(is_active=True).values_list("code", flat=True))
    unknown = sorted(set(checklists or []) - known)
    if unknown:
        raise ValidationError(
            {"checklists": _("Unknown checklist(s): %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    campaign = Campaign.objects.create(
        name=name,
        kind=kind,
        region=region,
        filters=filters or {},
        checklists=list(checklists or []),
        starts_on=starts_on,
        deadline=deadline,
        created_by=actor,
    )
    queryset = Place.objects.active().filter(region__path__startswith=region.path)
    place_ids = PlaceFilter(data=filters or {}, queryset=queryset).qs.values_list("pk", flat=True)
    CampaignPlace.objects.bulk_create(
        [CampaignPlace(campaign=campaign, place_id=pk) for pk in place_ids], batch_size=5000
    )
    return campaign


def campaign_checklists(campaign):
    return list(
        ChecklistVersion.objects.filter(is_active=True, code__in=campaign.checklists)
        .order_by("code", "-effective_from")
        .distinct()
    )


def record_campaign_inspection(inspection):
    CampaignPlace.objects.filter(
        campaign_id=inspection.campaign_id, place_id=inspection.place_id, inspection__isnull=True
    ).update(inspection=inspection)


def progress(campaign, places=None, on=None):
    """Per street: places in the campaign, inspected, and whether the deadline has passed."""
    on = on or timezone.localdate()
    targets = CampaignPlace.objects.filter(campaign=campaign)
    if places is not None:
        targets = targets.filter(place__in=places)
    rows = defaultdict(lambda: {"places": 0, "inspected": 0})
    names = {}
    for path, done in targets.values_list("place__region__path", "inspection_id"):
        street_code = [p for p in path.split("/") if p][1]
        rows[street_code]["places"] += 1
        rows[street_code]["inspected"] += bool(done)
    for code, name in Region.objects.filter(code__in=rows).values_list("code", "name"):
        names[code] = name
    overdue = on > campaign.deadline
    return [
        {
            "street": code,
            "street_name": names.get(code, code),
            **row,
            "pct": round(100.0 * row["inspected"] / row["places"], 1) if row["places"] else None,
            "late": overdue and row["inspected"] < row["places"],
        }
        for code, row in sorted(rows.items())
    ]
