"""Pages of background exports: start one (POST /exports/), the user's own list, one export's progress
(polled by htmx while it runs) and its download. An export is its owner's file: anyone else gets a 404,
whatever their role."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from firegrid.ops import exports
from firegrid.ops.choices import ExportStatus
from firegrid.ops.models import Export

PAGE_SIZE = 50


def _own(request, pk):
    export = get_object_or_404(Export, pk=pk, user=request.user)
    export.title = exports.title_of(export.kind)
    return export


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request):
    if request.method == "POST":
        return _start(request)
    page = Paginator(Export.objects.filter(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for export in page.object_list:
        export.title = exports.title_of(export.kind)
    return render(request, "ops/export_list.html", {"page": page, "exports": page.object_list})


def _start(request):
    """kind + query (the list's query string, its filters): 303 to the export's page, 400 naming the field."""
    kind = request.POST.get("kind", "")
    query = request.POST.get("query", "").lstrip("?")
    if len(query) > exports.MAX_QUERY_CHARS:
        errors = {"query": [_("The filters are too long.")]}
        return render(request, "ops/export_error.html", {"errors": errors, "kind": kind}, status=400)
    try:
        export = exports.start_export(request.user, kind, QueryDict(query))
    except exports.ExportError as exc:
        return render(
            request, "ops/export_error.html", {"errors": exc.errors, "kind": kind}, status=exc.status
        )
    return redirect("ops:export", pk=export.pk, permanent=False)


@login_required
@require_GET
def export_detail(request, pk):
    export = _own(request, pk)
    return render(request, "ops/export_detail.html", {"export": export, "filters": _filters(export)})


@login_required
@require_GET
def export_progress(request, pk):
    """The status part of the page alone: htmx swaps it in every second until the export finishes."""
    return render(request, "ops/partials/export_status.html", {"export": _own(request, pk)})


@login_required
@require_GET
def export_download(request, pk):
    export = _own(request, pk)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=exports.download_name(export),
        content_type=exports.content_type(export),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _filters(export):
    return [(key, ", ".join(values)) for key, values in (export.params or {}).items()]
