"""Public pages of "一公开": announced seeds and published draw results, nothing private."""

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render

from firegrid.inspections.choices import DrawStatus
from firegrid.inspections.models import RandomDraw


def _public_draws():
    return RandomDraw.objects.exclude(status=DrawStatus.DRAWN).select_related("region")


def draw_list(request):
    return render(request, "inspections/public_draws.html", {"draws": _public_draws()[:200]})


def draw_detail(request, pk):
    draw = get_object_or_404(_public_draws(), pk=pk)
    rows = []
    if draw.status == DrawStatus.PUBLISHED:
        for a in draw.assignments.select_related("place", "inspection").prefetch_related("inspectors"):
            rows.append(
                {
                    "place": a.place,
                    "inspectors": [u.full_name or u.username for u in a.inspectors.all()],
                    "inspection": a.inspection,
                }
            )
    return render(request, "inspections/public_draw.html", {"draw": draw, "rows": rows})


def draw_record(request, pk):
    """The record anyone can re-run with drawing.py (published draws only)."""
    draw = get_object_or_404(RandomDraw, pk=pk)
    if draw.status != DrawStatus.PUBLISHED:
        raise Http404
    return JsonResponse(draw.record, json_dumps_params={"ensure_ascii": False})
