"""Pages of the facility ledger: the hub, the template, the all-or-nothing import, the scoped export."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from firegrid.core.views import may_write
from firegrid.facilities import ledger
from firegrid.facilities.forms import FacilityFilter
from firegrid.facilities.models import Facility

ERRORS_SHOWN = 2000


@login_required
def ledger_home(request):
    return render(
        request,
        "facilities/ledger.html",
        {"can_import": may_write(request.user, Facility, "add"), "max_rows": ledger.MAX_ROWS},
    )


@login_required
def template_download(request):
    response = HttpResponse(ledger.build_template(), content_type=ledger.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="facility-ledger-template.xlsx"'
    return response


def export_queryset(user, params):
    filterset = FacilityFilter(params, queryset=Facility.objects.restrict(user))
    if not filterset.is_valid():
        return None, filterset.errors
    return filterset.qs, None


@login_required
def export(request):
    """The facilities the user may see, filtered like the list, as xlsx."""
    queryset, errors = export_queryset(request.user, request.GET)
    if errors:
        lines = [f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in errors.items()]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
    out, filename = ledger.export_file(queryset)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=ledger.XLSX_TYPE)


class ImportView(LoginRequiredMixin, View):
    template_name = "facilities/ledger_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_write(request.user, Facility, "add"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, status=200, **context):
        return render(request, self.template_name, {"max_rows": ledger.MAX_ROWS} | context, status=status)

    def get(self, request):
        return self.render(request)

    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return self.render(request, status=400, file_error=_("Choose the .xlsx file to import."))
        try:
            result = ledger.import_facilities(upload, request.user, dry_run="check" in request.POST)
        except ledger.LedgerFileError as exc:
            return self.render(request, status=400, file_error=str(exc), filename=upload.name)
        return self.render(
            request,
            status=400 if result.errors else 200,
            result=result,
            filename=upload.name,
            errors_shown=result.errors[:ERRORS_SHOWN],
            errors_hidden=max(0, len(result.errors) - ERRORS_SHOWN),
        )
