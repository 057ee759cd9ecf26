"""API of the Excel ledger: POST places/import/ (multipart `file`) and GET places/export/?filters."""

from django.http import FileResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from firegrid.core import audit
from firegrid.core.views import may_write
from firegrid.places import ledger
from firegrid.places.models import Place


def _file_error(message, status_code=status.HTTP_400_BAD_REQUEST):
    return Response(
        {"detail": message, "errors": [{"row": None, "column": "", "message": message}]}, status=status_code
    )


class PlaceImportAPIView(APIView):
    """Import a ledger xlsx. Every row is validated first; any error → 400 with every error as
    {"row", "column", "message"} and nothing written. `?dry_run=1` only validates."""

    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        audit.set_actor(request.user, "api")

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "PlaceImportUpload",
                {"file": serializers.FileField(), "dry_run": serializers.BooleanField(required=False)},
            )
        },
        responses={
            200: OpenApiTypes.OBJECT,
            201: OpenApiTypes.OBJECT,
            400: OpenApiResponse(description="errors by row and column"),
        },
    )
    def post(self, request):
        if not may_write(request.user, Place, "add"):
            raise PermissionDenied(_("You may not add places."))
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > ledger.MAX_UPLOAD_BYTES + 64 * 1024:
            message = _("The file is larger than %(mb)s MB. Split the ledger into smaller files.") % {
                "mb": ledger.MAX_UPLOAD_BYTES // (1024 * 1024)
            }
            return _file_error(message, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        upload = request.FILES.get("file")
        if upload is None:
            return _file_error(_("Attach the .xlsx ledger as the multipart field 'file'."))
        dry_run = request.query_params.get("dry_run", request.data.get("dry_run", "")) in ("1", "true", "yes")
        try:
            result = ledger.import_places(upload, request.user, source="api", dry_run=dry_run)
        except ledger.LedgerFileError as exc:
            return _file_error(str(exc))
        if result.errors:
            return Response(result.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        return Response(result.as_dict(), status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


class PlaceExportAPIView(APIView):
    """The places the user may see as xlsx, with the list's filters and ?search=."""

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY
        }
    )
    def get(self, request):
        try:
            out, filename = ledger.export_file(request.user, request.query_params)
        except ledger.ExportFilterError as exc:
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        return FileResponse(out, as_attachment=True, filename=filename, content_type=ledger.XLSX_TYPE)


urlpatterns = [
    path("import/", PlaceImportAPIView.as_view(), name="api-place-import"),
    path("export/", PlaceExportAPIView.as_view(), name="api-place-export"),
]
