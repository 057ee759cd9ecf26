"""Fire figures: the fire-history source of the annual assessment, actuals per region and year, and
targets against them ("high-rise fires and deaths down 5% year on year")."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.tasks.choices import TargetMetric


def _year_q(year):
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    return Q(occurred_at__gte=start, occurred_at__lt=datetime.datetime(year + 1, 1, 1, tzinfo=tz))


def fire_rows(user, region, year):
    """For dashboard.assessment.register_fire_source: the year's fires the user may see in the region."""
    from firegrid.tasks.models import FireIncident

    incidents = (
        FireIncident.objects.restrict(user)
        .filter(_year_q(year), region__path__startswith=region.path)
        .select_related("region", "place")
        .order_by("occurred_at")
    )
    return [
        {
            "date": timezone.localtime(i.occurred_at).date(),
            "region": i.region.name,
            "place": i.place.name if i.place_id else i.address,
            "cause": i.get_cause_display(),
            "deaths": i.deaths,
            "injuries": i.injuries,
            "loss_yuan": float(i.loss_yuan),
        }
        for i in incidents
    ]


def actuals(region, year):
    """Every target measure for the region's subtree in the year (all incidents: official figures)."""
    from firegrid.tasks.models import FireIncident

    rows = FireIncident.objects.filter(_year_q(year), region__path__startswith=region.path).aggregate(
        n_fires=Count("pk"),
        n_deaths=Sum("deaths"),
        n_injuries=Sum("injuries"),
        n_loss=Sum("loss_yuan"),
        n_high_rise_fires=Count("pk", filter=Q(high_rise=True)),
        n_high_rise_deaths=Sum("deaths", filter=Q(high_rise=True)),
    )
    return {k.removeprefix("n_"): Decimal(v or 0) for k, v in rows.items()}


@dataclass
class TargetProgress:
    target: object
    baseline: Decimal
    baseline_from: str
    limit: Decimal
    actual: Decimal
    met: bool
    final: bool  # the year is over
    change_pct: Decimal | None  # actual against the baseline

    @property
    def status(self):
        if self.met:
            return "met" if self.final else "on_track"
        return "missed" if self.final else "off_track"

    def status_label(self):
        return {
            "met": _("Met"),
            "on_track": _("On track so far"),
            "missed": _("Missed"),
            "off_track": _("Already above the limit"),
        }[self.status]


def _q(value, places="0.01"):
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def progress(target, today=None):
    """The target's limit (baseline × (1 + change)), this year's actual so far, and whether it holds."""
    today = today or timezone.localdate()
    actual = actuals(target.region, target.year)[target.metric]
    if target.baseline is not None:
        baseline, origin = Decimal(target.baseline), _("set by hand")
    else:
        baseline = actuals(target.region, target.year - 1)[target.metric]
        origin = _("actual of %(year)s") % {"year": target.year - 1}
    limit = _q(baseline * (1 + Decimal(target.change_pct) / 100))
    change = _q((actual - baseline) * 100 / baseline, "0.1") if baseline else None
    return TargetProgress(
        target=target,
        baseline=baseline,
        baseline_from=origin,
        limit=limit,
        actual=actual,
        met=actual <= limit,
        final=today > datetime.date(target.year, 12, 31),
        change_pct=change,
    )


def metric_label(metric):
    return TargetMetric(metric).label
