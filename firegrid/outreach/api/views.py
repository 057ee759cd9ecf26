"""REST API of outreach under /api/v1/outreach/. Every list and detail goes through restrict();
households, visits and devices through the care scope (firegrid.outreach.scopes)."""

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from firegrid.core.api import ScopedModelViewSet, _as_drf_error
from firegrid.core.views import in_scope, may_write
from firegrid.org.models import Region
from firegrid.outreach import actions, ledger, survey
from firegrid.outreach.api import serializers as s
from firegrid.outreach.exports import DATASETS, export_queryset, export_rows
from firegrid.outreach.forms import (
    CertificateFilter,
    HouseholdFilter,
    PublicityFilter,
    SessionFilter,
    VolunteerFilter,
)
from firegrid.outreach.models import (
    BestVolunteerSelection,
    HomeVisit,
    SurveyResponse,
)


def _django_errors(fn, *args, **kwargs):
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        return fn(*args, **kwargs)
    except DjangoValidationError as exc:
        raise _as_drf_error(exc) from None


class WriteScopedViewSet(ScopedModelViewSet):
    """Creates need a writing role; a save that leaves the user's scope is undone (400)."""

    def create(self, request, *args, **kwargs):
        if not may_write(request.user, self.serializer_class.Meta.model, "add"):
            raise PermissionDenied(_("You may not add these records."))
        return super().create(request, *args, **kwargs)

    def _save_in_scope(self, serializer):
        with transaction.atomic():
            obj = serializer.save()
            if not in_scope(self.request.user, obj, "change"):
                transaction.set_rollback(True)
                raise ValidationError(
                    {"non_field_errors": [_("This would place the record outside your jurisdiction.")]}
                )

    def perform_create(self, serializer):
        self._save_in_scope(serializer)

    def perform_update(self, serializer):
        self._save_in_scope(serializer)


class RecordOnlyViewSet(ScopedModelViewSet):
    """Read and (where a create is defined) record; never edited or deleted through the API."""

    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)


class SessionViewSet(WriteScopedViewSet):
    serializer_class = s.SessionSerializer
    filterset_class = SessionFilter
    queryset_select_related = ("region",)


class AttendanceViewSet(WriteScopedViewSet):
    serializer_class = s.AttendanceSerializer
    queryset_select_related = ("session", "user")
    filterset_fields = ["session", "result", "group"]

    @extend_schema(request=s.IssueCertificateSerializer, responses=s.CertificateSerializer)
    @action(detail=True, methods=["post"])
    def certificate(self, request, pk=None):
        """Issue the certificate of a passed attendance (400, nothing written, if they did not pass)."""
        attendance = self.get_object()
        body = s.IssueCertificateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        certificate = _django_errors(
            actions.issue_certificate, attendance, actor=request.user, **body.validated_data
        )
        return Response(s.CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


class CertificateViewSet(RecordOnlyViewSet):
    serializer_class = s.CertificateSerializer
    filterset_class = CertificateFilter
    queryset_select_related = ("attendance",)

    @extend_schema(request=None, responses=s.CertificateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        certificate = self.get_object()
        certificate = _django_errors(actions.revoke_certificate, certificate, actor=request.user)
        return Response(s.CertificateSerializer(certificate).data)


class LearningRecordViewSet(RecordOnlyViewSet):
    serializer_class = s.LearningRecordSerializer
    queryset_select_related = ("region",)

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "LearningImport",
                {"file": serializers.FileField(), "dry_run": serializers.BooleanField(required=False)},
            )
        },
        responses=inline_serializer(
            "LearningImportResult",
            {
                "rows": serializers.IntegerField(),
                "created": serializers.IntegerField(),
                "skipped_existing": serializers.IntegerField(),
                "dry_run": serializers.BooleanField(),
                "errors": serializers.ListField(required=False),
            },
        ),
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """All-or-nothing import of an xlsx/CSV platform export; problems by row and column (400)."""
        if not may_write(request.user, self.serializer_class.Meta.model, "add"):
            raise PermissionDenied(_("You may not import learning records."))
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Attach the xlsx or CSV file.")]})
        dry_run = str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes")
        try:
            result = ledger.import_learning_records(upload, request.user, dry_run=dry_run)
        except ledger.ImportFileError as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        return Response(
            result.as_dict(), status=status.HTTP_400_BAD_REQUEST if result.errors else status.HTTP_200_OK
        )


class HouseholdViewSet(WriteScopedViewSet):
    serializer_class = s.HouseholdSerializer
    filterset_class = HouseholdFilter
    queryset_select_related = ("grid", "helper")


class VisitViewSet(RecordOnlyViewSet):
    """Visits are recorded, never edited. POST (multipart for a photo) records one by the caller."""

    serializer_class = s.VisitSerializer
    queryset_select_related = ("household", "visitor")
    queryset_prefetch_related = ("hazard_cases",)
    parser_classes = [MultiPartParser, FormParser, *ScopedModelViewSet.parser_classes]
    filterset_fields = ["household", "outcome", "follow_up_needed"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        household = data.pop("household")
        photos = request.FILES.getlist("photo") if hasattr(request, "FILES") else []
        visit = _django_errors(actions.record_visit, household, actor=request.user, photos=photos, **data)
        visit = HomeVisit.objects.prefetch_related("hazard_cases").get(pk=visit.pk)
        return Response(self.get_serializer(visit).data, status=status.HTTP_201_CREATED)


class DeviceViewSet(RecordOnlyViewSet):
    serializer_class = s.HomeDeviceSerializer
    queryset_select_related = ("household", "iot_device")
    filterset_fields = ["household", "kind"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        household = data.pop("household")
        iot = _django_errors(actions.find_iot_device, request.user, data.pop("iot_ident", ""))
        device = _django_errors(actions.install_device, household, actor=request.user, iot_device=iot, **data)
        return Response(self.get_serializer(device).data, status=status.HTTP_201_CREATED)


class VolunteerViewSet(WriteScopedViewSet):
    serializer_class = s.VolunteerSerializer
    filterset_class = VolunteerFilter
    queryset_select_related = ("region", "team")


class ActivityViewSet(WriteScopedViewSet):
    serializer_class = s.ActivitySerializer
    queryset_select_related = ("region",)


class HoursViewSet(WriteScopedViewSet):
    serializer_class = s.HoursSerializer
    queryset_select_related = ("activity", "volunteer")
    filterset_fields = ["activity", "volunteer"]


class SelectionViewSet(RecordOnlyViewSet):
    serializer_class = s.SelectionSerializer
    queryset_select_related = ("region", "confirmed_by")
    queryset_prefetch_related = ("entries__volunteer",)

    @extend_schema(request=s.ComputeSelectionSerializer, responses=s.SelectionSerializer)
    @action(detail=False, methods=["post"])
    def compute(self, request):
        """Rank the year's volunteers of a street (or the district) and propose the selection."""
        body = s.ComputeSelectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        region = Region.objects.restrict(request.user).filter(code=data["region"]).first()
        if region is None:
            raise ValidationError(
                {"region": [_("No region %(code)s in your jurisdiction.") % {"code": data["region"]}]}
            )
        selection = _django_errors(
            actions.compute_selection,
            region,
            data["year"],
            actor=request.user,
            places=data["places"],
            min_hours=data["min_hours"],
        )
        selection = BestVolunteerSelection.objects.prefetch_related("entries__volunteer").get(pk=selection.pk)
        return Response(s.SelectionSerializer(selection).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ConfirmSelectionSerializer, responses=s.SelectionSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        selection = self.get_object()
        body = s.ConfirmSelectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        selection = _django_errors(
            actions.confirm_selection,
            selection,
            actor=request.user,
            volunteer_ids=body.validated_data.get("volunteers"),
            note=body.validated_data.get("note", ""),
        )
        return Response(s.SelectionSerializer(selection).data)


class SiteViewSet(WriteScopedViewSet):
    serializer_class = s.SiteSerializer
    queryset_select_related = ("region",)


class PublicityViewSet(WriteScopedViewSet):
    serializer_class = s.PublicitySerializer
    filterset_class = PublicityFilter
    queryset_select_related = ("region", "site")


class SurveyResultsView(APIView):
    """Survey results in the caller's scope, by street (or by community with ?street=code)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("street", str, required=False)],
        responses=inline_serializer(
            "SurveyResults",
            {
                "total": serializers.IntegerField(),
                "mean_pct": serializers.FloatField(allow_null=True),
                "areas": serializers.ListField(),
            },
        ),
    )
    def get(self, request):
        from firegrid.org.choices import RegionLevel

        responses = SurveyResponse.objects.restrict(request.user)
        code = request.query_params.get("street", "").strip()
        level, regions = RegionLevel.STREET, None
        if code:
            street = Region.objects.restrict(request.user).filter(code=code, level=RegionLevel.STREET).first()
            if street is None:
                raise ValidationError(
                    {"street": [_("No street %(code)s in your jurisdiction.") % {"code": code}]}
                )
            responses = responses.filter(region__path__startswith=street.path)
            level, regions = RegionLevel.COMMUNITY, Region.objects.filter(parent=street)
        rows = survey.results_by_area(responses, level=level, regions=regions)
        total, mean = survey.overall(responses)
        return Response(
            {
                "total": total,
                "mean_pct": mean,
                "questions": [{"code": q.code, "text": str(q.text)} for q in survey.QUESTIONS],
                "areas": [
                    {
                        "code": r.region.code,
                        "name": r.region.name,
                        "responses": r.responses,
                        "mean_pct": r.mean_pct,
                        "correct_pct": r.correct_pct,
                    }
                    for r in rows
                ],
            }
        )


class ExportView(APIView):
    """A scoped list as xlsx: sessions, attendance, certificates, learning, households, visits,
    devices, volunteers, hours, publicity (the page's filters apply)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, ledger.XLSX_TYPE): bytes})
    def get(self, request, name):
        if name not in DATASETS:
            raise ValidationError({"name": [_("Unknown export %(name)s.") % {"name": name}]})
        dataset, queryset, errors = export_queryset(name, request.user, request.query_params)
        if errors:
            raise ValidationError(errors)
        content = ledger.workbook_bytes(
            dataset.title, [(h, w) for h, w, _a in dataset.columns], export_rows(dataset, queryset)
        )
        response = HttpResponse(content, content_type=ledger.XLSX_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="outreach-{name}-{timezone.localdate()}.xlsx"'
        )
        return response
