"""The tasks API: tasks with milestones and progress reports, duties, supervision, incidents, targets,
schemes and scores. Every list and detail goes through Model.objects.restrict()."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from firegrid.core.api import ScopedModelViewSet, _as_drf_error
from firegrid.core.views import may_write
from firegrid.org.models import Region
from firegrid.tasks import actions, scoring, scoring_xlsx, traceback
from firegrid.tasks.api import serializers as s
from firegrid.tasks.models import (
    Duty,
    FireIncident,
    IncidentTarget,
    KeyTask,
    ProgressReport,
    ScoreScheme,
    Supervision,
)
from firegrid.tasks.review import review
from firegrid.tasks.views import home_region

YEAR = OpenApiParameter("year", int, description="the year (default: this year)")


def _year(request):
    value = str(request.query_params.get("year", ""))
    if value and not (value.isdigit() and 2000 <= int(value) <= 2100):
        raise serializers.ValidationError({"year": [_("Give a year from 2000 to 2100.")]})
    from django.utils import timezone

    return int(value) if value else timezone.localdate().year


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DjangoValidationError as exc:
        raise _as_drf_error(exc) from None


class KeyTaskViewSet(ScopedModelViewSet):
    """Key tasks. Create and edit need a writing role (district admin, street officer) in the region."""

    serializer_class = s.KeyTaskSerializer
    queryset_select_related = ("region", "lead_unit")
    queryset_prefetch_related = ("units", "places", "milestones")
    filterset_fields = ["year", "status", "region__code", "lead_unit"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        qs = super().get_queryset().order_by("due_on", "number", "id")
        unit = str(self.request.query_params.get("unit", ""))
        if unit.isdigit():  # a unit's task list: the tasks it leads or shares
            qs = qs.filter(
                pk__in=KeyTask.units.through.objects.filter(orgunit_id=int(unit)).values("keytask_id")
            )
        return qs

    def _save(self, serializer, instance=None):
        data = dict(serializer.validated_data)
        units = data.pop("units", None)
        places = data.pop("places", None)
        task = instance or KeyTask()
        for name, value in data.items():
            setattr(task, name, value)
        if units is None:
            units = list(task.units.all()) if task.pk else []
        return _call(actions.save_task, task, actor=self.request.user, units=units, places=places)

    def create(self, request, *args, **kwargs):
        if not may_write(request.user, KeyTask, "add"):
            raise PermissionDenied(_("You may not add tasks."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = self._save(serializer)
        return Response(self.get_serializer(task).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        task = self._save(serializer, instance)
        return Response(self.get_serializer(task).data)

    @extend_schema(
        methods=["GET"], operation_id="tasks_milestones_of_task", responses=s.MilestoneSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        operation_id="tasks_add_milestone",
        request=s.MilestoneSerializer,
        responses=s.MilestoneSerializer,
    )
    @action(detail=True, methods=["get", "post"])
    def milestones(self, request, pk=None):
        """GET: the task's milestones. POST: add one (it must fall between start and deadline)."""
        task = self.get_object()
        if request.method == "POST":
            serializer = s.MilestoneSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            milestone = _call(actions.add_milestone, task, actor=request.user, **serializer.validated_data)
            return Response(s.MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)
        return Response(s.MilestoneSerializer(task.milestones.all(), many=True).data)


class ProgressReportViewSet(ScopedModelViewSet):
    """Progress reports. POST (multipart for `files`) reports on a task for one of its responsible units;
    a task outside your jurisdiction, or a unit that does not share the task, is a 400 and writes nothing."""

    serializer_class = s.ProgressReportSerializer
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    queryset_select_related = ("task", "unit")
    queryset_prefetch_related = ("evidence",)
    filterset_fields = ["task", "unit"]

    def get_queryset(self):
        if self.request.method == "POST":
            return ProgressReport.objects.restrict(self.request.user)
        return super().get_queryset()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        report = _call(
            actions.report_progress,
            data["task"],
            actor=request.user,
            unit=data.get("unit"),
            percent=data["percent"],
            note=data["note"],
            completes=data.get("completes", False),
            milestone=data.get("milestone"),
            files=files,
            on=data.get("reported_on"),
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)


class ResponsibilityViewSet(ScopedModelViewSet):
    """Responsibility lists: a unit's (责任清单, member empty) and its leaders' (职责清单). Read-only here;
    the shipped templates fill them (`firegrid load_key_tasks`) and the admin edits them."""

    serializer_class = s.ResponsibilitySerializer
    http_method_names = ["get", "head", "options"]
    queryset_select_related = ("member",)
    filterset_fields = ["unit", "member"]


class DutyViewSet(ScopedModelViewSet):
    """Recurring duties ("双定期", "四个一", the annual inspection), scheduled per unit and year."""

    serializer_class = s.DutySerializer
    http_method_names = ["get", "post", "head", "options"]
    queryset_select_related = ("unit",)
    queryset_prefetch_related = ("evidence",)
    filterset_fields = ["year", "kind", "group", "unit"]

    def create(self, request, *args, **kwargs):
        raise PermissionDenied(_("Duties are scheduled by `firegrid schedule_duties`."))

    @extend_schema(request=s.DutyDoneSerializer, responses=s.DutySerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def complete(self, request, pk=None):
        """Record the duty as done, with what was done and evidence."""
        duty = get_object_or_404(Duty.objects.restrict(request.user), pk=pk)
        serializer = s.DutyDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        duty = _call(
            actions.complete_duty,
            duty,
            actor=request.user,
            record=data["record"],
            done_on=data.get("done_on"),
            files=request.FILES.getlist("files"),
        )
        return Response(s.DutySerializer(duty).data)


class SupervisionViewSet(ScopedModelViewSet):
    """督查督办, 警示约谈 and critical circulars; the unit responds, the supervisor verifies and closes."""

    serializer_class = s.SupervisionSerializer
    http_method_names = ["get", "post", "head", "options"]
    queryset_select_related = ("unit", "task")
    filterset_fields = ["kind", "status", "unit"]

    def get_queryset(self):
        if self.action in ("respond", "close"):
            return Supervision.objects.restrict(self.request.user)
        return super().get_queryset()

    def create(self, request, *args, **kwargs):
        if not may_write(request.user, Supervision, "add"):
            raise PermissionDenied(_("You may not supervise units."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        supervision = _call(actions.open_supervision, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(supervision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TextSerializer, responses=s.SupervisionSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """The unit supervised says what it has done."""
        serializer = s.TextSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sup = _call(
            actions.respond, self.get_object(), actor=request.user, response=serializer.validated_data["text"]
        )
        return Response(s.SupervisionSerializer(sup).data)

    @extend_schema(request=s.TextSerializer, responses=s.SupervisionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The supervisor records how the response was verified and closes it."""
        serializer = s.TextSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sup = _call(
            actions.close_supervision,
            self.get_object(),
            actor=request.user,
            follow_up=serializer.validated_data["text"],
        )
        return Response(s.SupervisionSerializer(sup).data)


class FireIncidentViewSet(ScopedModelViewSet):
    """Fires: time, place, cause, casualties, loss. The grid and sector follow the place (or the point)."""

    serializer_class = s.FireIncidentSerializer
    queryset_select_related = ("region", "place")
    filterset_fields = ["cause", "high_rise"]

    def _save(self, serializer, instance=None):
        incident = instance or FireIncident()
        for name, value in serializer.validated_data.items():
            setattr(incident, name, value)
        return _call(actions.save_incident, incident, actor=self.request.user)

    def create(self, request, *args, **kwargs):
        if not may_write(request.user, FireIncident, "add"):
            raise PermissionDenied(_("You may not record fires."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(self.get_serializer(self._save(serializer)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return Response(self.get_serializer(self._save(serializer, instance)).data)

    @extend_schema(
        responses=inline_serializer(
            "TracebackSummary",
            {
                "place": serializers.CharField(),
                "summary": serializers.DictField(),
                "overdue": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    @action(detail=True, methods=["get"])
    def traceback(self, request, pk=None):
        """The trace-back of the fire's place in brief (the page and PDF hold the whole report)."""
        incident = self.get_object()
        if incident.place_id is None:
            raise NotFound(_("The fire is not linked to a place."))
        try:
            data = traceback.build(request.user, incident.place, incident=incident)
        except type(incident.place).DoesNotExist:
            raise NotFound(_("The place is outside your jurisdiction.")) from None
        overdue = [
            {
                "case": row["case"].tracking_code,
                "step": o["step"],
                "due": o["due"],
                "level": o["level"],
                "holders": o["holders"],
                "at": o["at"].isoformat(),
            }
            for row in data["cases"]
            for o in row["overdue"]
        ]
        return Response({"place": data["place"].code, "summary": data["summary"], "overdue": overdue})


class IncidentTargetViewSet(ScopedModelViewSet):
    serializer_class = s.IncidentTargetSerializer
    queryset_select_related = ("region",)
    filterset_fields = ["year", "metric"]

    def create(self, request, *args, **kwargs):
        if not may_write(request.user, IncidentTarget, "add"):
            raise PermissionDenied(_("You may not set targets."))
        return super().create(request, *args, **kwargs)


class ScoreSchemeViewSet(ScopedModelViewSet):
    """Scoring schemes. POST {"document": {...}} stores a new version and puts it in force; weights that do
    not add up to the total are a 400 naming the list and the sum."""

    serializer_class = s.ScoreSchemeSerializer
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        if not may_write(request.user, ScoreScheme, "add"):
            raise PermissionDenied(_("Only the district admin edits the scoring scheme."))
        document = request.data.get("document")
        if not isinstance(document, dict):
            raise serializers.ValidationError({"document": [_("Send the scheme as a JSON object.")]})
        scheme = _call(scoring.new_scheme_version, document, actor=request.user)
        return Response(self.get_serializer(scheme).data, status=status.HTTP_201_CREATED)


def _scheme(request):
    version = request.query_params.get("scheme")
    schemes = ScoreScheme.objects.restrict(request.user)
    scheme = schemes.filter(version=version).first() if version else schemes.filter(is_active=True).first()
    if scheme is None:
        raise NotFound(_("No such scoring scheme."))
    return scheme


class ScoresView(APIView):
    """Each street's and unit's score the user may see, every item with its figures and explanation."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[YEAR, OpenApiParameter("scheme", str, description="scheme version (default: active)")],
        responses=inline_serializer(
            "TaskScores",
            {
                "year": serializers.IntegerField(),
                "scheme": serializers.CharField(),
                "streets": serializers.ListField(child=serializers.DictField()),
                "units": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        year, scheme = _year(request), _scheme(request)
        streets, units = scoring.cards_for(request.user, year, scheme)
        return Response(
            {
                "year": year,
                "scheme": scheme.version,
                "streets": [c.as_dict() for c in streets],
                "units": [c.as_dict() for c in units],
            }
        )


class ScoresExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[YEAR], responses={(200, scoring_xlsx.XLSX_TYPE): bytes})
    def get(self, request):
        year, scheme = _year(request), _scheme(request)
        streets, units = scoring.cards_for(request.user, year, scheme)
        out = scoring_xlsx.workbook(streets, units, year, scheme)
        return FileResponse(
            out, as_attachment=True, filename=f"scores-{year}.xlsx", content_type=scoring_xlsx.XLSX_TYPE
        )


class ReviewView(APIView):
    """The periodic review (梳理盘点) of a region's tasks: counts by state and every task's state."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[YEAR, OpenApiParameter("region", str, description="region code (default: your widest)")],
        responses=inline_serializer(
            "TaskReviewData",
            {
                "region": serializers.CharField(),
                "year": serializers.IntegerField(),
                "counts": serializers.DictField(),
                "tasks": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        year = _year(request)
        code = request.query_params.get("region")
        region = (
            Region.objects.restrict(request.user).filter(code=code).first()
            if code
            else home_region(request.user)
        )
        if region is None:
            raise NotFound(_("No such region in your jurisdiction."))
        data = review(request.user, region, year)
        return Response(
            {
                "region": region.code,
                "year": year,
                "counts": data["counts"],
                "duties": data["duty_counts"],
                "tasks": [
                    {
                        "id": r.task.pk,
                        "title": str(r.task),
                        "region": r.task.region.code,
                        "lead_unit": r.task.lead_unit_id,
                        "due_on": r.task.due_on,
                        "progress": r.task.progress_pct,
                        "state": r.state,
                        "late_milestones": r.late_milestones,
                    }
                    for r in data["rows"]
                ],
            }
        )
