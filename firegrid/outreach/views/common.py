"""The outreach hub and the xlsx exports."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from firegrid.core.views import may_write
from firegrid.outreach import actions, ledger
from firegrid.outreach.exports import DATASETS, export_queryset, export_rows
from firegrid.outreach.models import (
    Certificate,
    HomeVisit,
    Household,
    PublicityActivity,
    TrainingSession,
    Volunteer,
)


@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    return render(
        request,
        "outreach/home.html",
        {
            "counts": {
                "sessions": TrainingSession.objects.restrict(user).filter(held_on__year=today.year).count(),
                "certificates": Certificate.objects.restrict(user)
                .filter(revoked_on__isnull=True, expires_on__gte=today)
                .count(),
                "households": Household.objects.restrict(user).filter(is_active=True).count(),
                "visits": HomeVisit.objects.restrict(user).filter(visited_on__year=today.year).count(),
                "volunteers": Volunteer.objects.restrict(user).filter(is_active=True).count(),
                "publicity": PublicityActivity.objects.restrict(user)
                .filter(held_on__year=today.year)
                .count(),
            },
            "summary": actions.household_summary(user),
            "can_add_household": may_write(user, Household, "add"),
        },
    )


@login_required
def export(request, name):
    if name not in DATASETS:
        raise Http404
    dataset, queryset, errors = export_queryset(name, request.user, request.GET)
    if errors:
        lines = [f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in errors.items()]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
    content = ledger.workbook_bytes(
        dataset.title, [(h, w) for h, w, _a in dataset.columns], export_rows(dataset, queryset)
    )
    response = HttpResponse(content, content_type=ledger.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="outreach-{name}-{timezone.localdate()}.xlsx"'
    return response
