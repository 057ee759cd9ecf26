"""Pages of the Excel ledger: the hub, the template download, the import, the scoped export."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from firegrid.core.views import may_write
from firegrid.places import ledger
from firegrid.places.filtersets import PlaceFilter
from firegrid.places.models import Place

ERRORS_SHOWN = 2000  # a page lists this many errors; the API returns all of them


def _limits():
    return {"max_mb": ledger.MAX_UPLOAD_BYTES // (1024 * 1024), "max_rows": ledger.MAX_ROWS}


@login_required
def ledger_home(request):
    """Download the template, import (for those who may add places), export a filtered list."""
    filterset = PlaceFilter(request.GET or None, queryset=Place.objects.none())
    return render(
        request,
        "places/ledger.html",
        {"filter": filterset, "can_import": may_write(request.user, Place, "add"), **_limits()},
    )


@login_required
def template_download(request):
    response = HttpResponse(ledger.build_template(request.user), content_type=ledger.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="place-ledger-template.xlsx"'
    return response


@login_required
def export(request):
    """The places the user may see, filtered like the list (?kind=&risk_level=…&search=), as xlsx."""
    try:
        out, filename = ledger.export_file(request.user, request.GET)
    except ledger.ExportFilterError as exc:
        lines = [f"{name}: {' '.join(messages)}" for name, messages in exc.errors.items()]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
    return FileResponse(out, as_attachment=True, filename=filename, content_type=ledger.XLSX_TYPE)


class PlaceImportView(LoginRequiredMixin, View):
    """Upload a filled-in ledger; every row is checked, and nothing is written unless all are fine."""

    template_name = "places/ledger_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_write(request.user, Place, "add"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, status=200, **context):
        return render(request, self.template_name, _limits() | context, status=status)

    def get(self, request):
        return self.render(request)

    def post(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > ledger.MAX_UPLOAD_BYTES + 64 * 1024:
            # refused before the body is read: a huge upload never reaches the disk
            message = _("The file is larger than %(mb)s MB. Split the ledger into smaller files.") % {
                "mb": ledger.MAX_UPLOAD_BYTES // (1024 * 1024)
            }
            return self.render(request, status=400, file_error=message)
        upload = request.FILES.get("file")
        if upload is None:
            return self.render(request, status=400, file_error=_("Choose the .xlsx file to import."))
        dry_run = "check" in request.POST
        try:
            result = ledger.import_places(upload, request.user, source="page", dry_run=dry_run)
        except ledger.LedgerFileError as exc:
            return self.render(request, status=400, file_error=str(exc), filename=upload.name)
        return self.render(
            request,
            status=400 if result.errors else 200,
            result=result,
            filename=upload.name,
            errors_shown=result.errors[:ERRORS_SHOWN],
            errors_hidden=max(0, len(result.errors) - ERRORS_SHOWN),
            error_rows=len({e.row for e in result.errors}),
        )
