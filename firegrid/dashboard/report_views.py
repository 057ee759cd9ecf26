"""Report pages and downloads: the index, the annual assessment (PDF, xlsx), the registry ledgers,
the JSON exchange (export, import with dry run) and its API.

Every download is for a region the user chooses inside their own (`scope.chosen_region`: a region
outside it is a 403), and every figure or row comes from the user's scoped querysets. A user with
no role at all gets a 403, not an empty document.
"""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from firegrid.core.scoping import user_scope
from firegrid.dashboard import exchange, ledgers
from firegrid.dashboard.assessment import assess
from firegrid.dashboard.scope import chosen_region
from firegrid.org.models import Region

MAX_IMPORT_BYTES = 50 * 1024 * 1024


def _region(request):
    scope = user_scope(request.user)
    if not (scope.superuser or scope.grants):
        raise PermissionDenied
    return chosen_region(request.user, request.GET.get("region"))


def _year(value, default):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def _check_year(year):
    if not 2000 <= year <= 2100:
        raise Http404


@login_required
def index(request):
    region, homes = _region(request)
    this_year = timezone.localdate().year
    year = _year(request.GET.get("year"), this_year)
    query = f"?region={region.code}"
    return render(
        request,
        "dashboard/reports/index.html",
        {
            "region": region,
            "homes": homes,
            "children": Region.objects.filter(parent=region).order_by("code")[:200],
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
            "query": query,
            "ledgers": ledgers.LEDGERS.values(),
            "exchange": exchange.writes_allowed(request.user),
        },
    )


def _assessment(request, year):
    _check_year(year)
    region, _homes = _region(request)
    return region, assess(request.user, region, year)


@login_required
def assessment_pdf(request, year):
    from firegrid.dashboard.assessment_pdf import assessment_pdf as render_pdf

    region, report = _assessment(request, year)
    response = HttpResponse(render_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="assessment-{region.code}-{year}.pdf"'
    return response


@login_required
def assessment_xlsx(request, year):
    from firegrid.dashboard.assessment_xlsx import XLSX_TYPE
    from firegrid.dashboard.assessment_xlsx import assessment_xlsx as render_xlsx

    region, report = _assessment(request, year)
    response = HttpResponse(render_xlsx(report), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="assessment-{region.code}-{year}.xlsx"'
    return response


@login_required
def ledger_xlsx(request, name):
    if name not in ledgers.LEDGERS:
        raise Http404
    region, _homes = _region(request)
    year = _year(request.GET.get("year"), timezone.localdate().year)
    out, filename = ledgers.ledger_file(name, request.user, region, year)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=ledgers.XLSX_TYPE)


def _export(user, code):
    if not exchange.writes_allowed(user):
        raise PermissionDenied
    region, _homes = chosen_region(user, code)
    return region, exchange.export_registry(user, region)


@login_required
def export_json(request):
    region, data = _export(request.user, request.GET.get("region"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="registry-{region.code}-{stamp}.json"'
    return response


def _parse(upload):
    """The uploaded file as JSON, or a Problem list saying why not."""
    if upload is None:
        return None, [exchange.Problem("file", "", "", _("Choose the .json file to import."))]
    if upload.size > MAX_IMPORT_BYTES:
        message = _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
        return None, [exchange.Problem("file", "", "", message)]
    try:
        return json.loads(upload.read().decode("utf-8-sig")), []
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [
            exchange.Problem("file", "", "", _("The file is not valid JSON: %(error)s") % {"error": exc})
        ]


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    if not exchange.writes_allowed(request.user):
        raise PermissionDenied
    context = {"max_mb": MAX_IMPORT_BYTES // (1024 * 1024), "docs": "docs/exchange-format.md"}
    if request.method == "GET":
        return render(request, "dashboard/reports/import.html", context)
    upload = request.FILES.get("file")
    data, problems = _parse(upload)
    dry_run = "dry_run" in request.POST
    if problems:
        result = exchange.ImportResult(dry_run=dry_run, errors=problems)
    else:
        result = exchange.import_registry(data, request.user, dry_run=dry_run)
    context |= {"result": result, "filename": getattr(upload, "name", "")}
    return render(request, "dashboard/reports/import_result.html", context, status=200 if result.ok else 400)


class ExchangeExportAPIView(APIView):
    """The registries of a region in your scope as a firegrid-registry v1 document."""

    @extend_schema(
        parameters=[OpenApiParameter("region", str, description="Region code inside your scope")],
        responses={200: dict},
    )
    def get(self, request):
        _region, data = _export(request.user, request.query_params.get("region"))
        return Response(data)


class ExchangeImportAPIView(APIView):
    """Import a firegrid-registry v1 document (JSON body, or a multipart `file`); `?dry_run=1` checks only.
    All or nothing: 200 with counts when written (or checked), 400 with the problems otherwise."""

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        parameters=[OpenApiParameter("dry_run", bool, description="Check only, write nothing")],
        request=dict,
        responses={200: dict, 400: dict},
    )
    def post(self, request):
        if not exchange.writes_allowed(request.user):
            raise PermissionDenied
        dry_run = request.query_params.get("dry_run") in ("1", "true", "yes")
        if "file" in request.FILES:
            data, problems = _parse(request.FILES["file"])
            if problems:
                return Response(exchange.ImportResult(dry_run=dry_run, errors=problems).as_dict(), status=400)
        else:
            data = request.data
        result = exchange.import_registry(data, request.user, dry_run=dry_run)
        return Response(result.as_dict(), status=200 if result.ok else 400)
