"""Documents of hazard cases: the rectification notice (PDF) and the scoped xlsx ledger."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render

from firegrid.hazards import ledger, notice
from firegrid.hazards.models import HazardCase


@login_required
def notice_pdf(request, pk):
    """The notice of a case the user may see; before the order step there is none to print."""
    case = get_object_or_404(
        HazardCase.objects.restrict(request.user).select_related("place", "region", "category"), pk=pk
    )
    if not case.notice_number:
        return render(request, "hazards/notice_missing.html", {"case": case}, status=404)
    response = HttpResponse(notice.notice_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{case.notice_number}.pdf"'
    return response


@login_required
def ledger_xlsx(request):
    """The cases the user may see, filtered like the list (?state=open&severity=major…), as xlsx."""
    try:
        out, filename = ledger.ledger_file(request.user, request.GET, request=request)
    except ledger.LedgerFilterError as exc:
        lines = [f"{name}: {' '.join(messages)}" for name, messages in exc.errors.items()]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
    return FileResponse(out, as_attachment=True, filename=filename, content_type=ledger.XLSX_TYPE)
