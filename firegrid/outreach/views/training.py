"""Training pages: sessions with their attendance and certificates, certificates, key groups, the
online learning records and their import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from firegrid.core import views as scoped
from firegrid.core.views import in_scope, may_write
from firegrid.org.views.base import FilteredListMixin, FormTitleMixin
from firegrid.outreach import actions, ledger
from firegrid.outreach.choices import AttendanceResult, AudienceGroup
from firegrid.outreach.forms import (
    AttendanceForm,
    CertificateFilter,
    CertificateForm,
    LearningImportForm,
    SessionFilter,
    SessionForm,
)
from firegrid.outreach.models import Attendance, Certificate, LearningRecord, TrainingSession


def put_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class SessionMixin:
    model = TrainingSession
    detail_url_name = "outreach:session"
    list_url_name = "outreach:sessions"


class SessionListView(SessionMixin, FilteredListMixin, scoped.ScopedListView):
    filterset_class = SessionFilter
    template_name = "outreach/session_list.html"
    context_object_name = "sessions"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("region")
            .annotate(
                n_attended=Count("attendances", distinct=True),
                n_passed=Count(
                    "attendances", filter=Q(attendances__result=AttendanceResult.PASSED), distinct=True
                ),
            )
            .order_by("-held_on", "-id")  # aggregation drops Meta.ordering
        )


class SessionDetailView(SessionMixin, scoped.ScopedDetailView):
    template_name = "outreach/session_detail.html"
    context_object_name = "session"

    def get_context_data(self, **kwargs):
        session = self.object
        user = self.request.user
        attendances = (
            Attendance.objects.restrict(user).filter(session=session).select_related("user", "certificate")
        )
        can_change = may_write(user, TrainingSession, "change") and in_scope(user, session, "change")
        return super().get_context_data(**kwargs) | {
            "attendances": attendances,
            "can_change": can_change,
            "attendance_form": AttendanceForm(user=user, session=session) if can_change else None,
            "can_certify": can_change
            and (user.is_superuser or bool(actions._roles(user) & actions.CERTIFIERS)),
        }


class SessionFormMixin(SessionMixin, FormTitleMixin):
    form_class = SessionForm
    template_name = "outreach/form.html"


class SessionCreateView(SessionFormMixin, scoped.ScopedCreateView):
    pass


class SessionUpdateView(SessionFormMixin, scoped.ScopedUpdateView):
    pass


class AttendanceAddView(LoginRequiredMixin, View):
    def post(self, request, pk):
        session = get_object_or_404(TrainingSession.objects.restrict(request.user, "change"), pk=pk)
        form = AttendanceForm(request.POST, user=request.user, session=session)
        if form.is_valid():
            try:
                form.instance.full_clean()
                form.save()
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, _("Attendance recorded."))
                return HttpResponseRedirect(reverse("outreach:session", args=[session.pk]))
        return render(
            request,
            "outreach/form.html",
            {
                "form": form,
                "form_title": _("Add attendance"),
                "cancel_url": reverse("outreach:session", args=[session.pk]),
            },
            status=400,
        )


class CertificateIssueView(LoginRequiredMixin, View):
    """Issue the certificate of one attendance; refused (400, nothing written) unless they passed."""

    template_name = "outreach/form.html"

    def get_attendance(self, request, pk):
        return get_object_or_404(
            Attendance.objects.restrict(request.user, "change").select_related("session"), pk=pk
        )

    def render(self, request, attendance, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "form_title": _("Certificate for %(name)s") % {"name": attendance.name},
                "intro": f"{attendance.session} · {attendance.get_result_display()}",
                "cancel_url": reverse("outreach:session", args=[attendance.session_id]),
            },
            status=status,
        )

    def get(self, request, pk):
        attendance = self.get_attendance(request, pk)
        return self.render(request, attendance, CertificateForm(initial={"issued_on": timezone.localdate()}))

    def post(self, request, pk):
        attendance = self.get_attendance(request, pk)
        form = CertificateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                certificate = actions.issue_certificate(
                    attendance,
                    actor=request.user,
                    number=data["number"],
                    issued_on=data["issued_on"],
                    issued_by=data["issued_by"],
                )
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(
                    request, _("Certificate %(number)s issued.") % {"number": certificate.number}
                )
                return HttpResponseRedirect(reverse("outreach:session", args=[attendance.session_id]))
        return self.render(request, attendance, form, status=400)


class CertificateListView(FilteredListMixin, scoped.ScopedListView):
    model = Certificate
    filterset_class = CertificateFilter
    template_name = "outreach/certificate_list.html"
    context_object_name = "certificates"

    def get_queryset(self):
        return super().get_queryset().select_related("attendance__session", "attendance__user")


class CertificateRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        certificate = get_object_or_404(Certificate.objects.restrict(request.user, "change"), pk=pk)
        try:
            actions.revoke_certificate(certificate, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Certificate revoked."))
        return HttpResponseRedirect(reverse("outreach:certificates"))


@login_required
def key_groups(request):
    """Per key group: people trained this year (attended, passed), valid certificates, online hours."""
    user = request.user
    today = timezone.localdate()
    year = today.year
    attend = Attendance.objects.restrict(user).filter(session__held_on__year=year)
    by_group = {
        row["group"]: row
        for row in attend.values("group").annotate(
            attended=Count("id", filter=~Q(result=AttendanceResult.ABSENT)),
            passed=Count("id", filter=Q(result=AttendanceResult.PASSED)),
        )
    }
    certs = dict(
        Certificate.objects.restrict(user)
        .filter(revoked_on__isnull=True, issued_on__lte=today, expires_on__gte=today)
        .values_list("attendance__group")
        .annotate(n=Count("id"))
    )
    online = {
        row["group"]: row
        for row in LearningRecord.objects.restrict(user)
        .filter(completed_on__year=year)
        .values("group")
        .annotate(people=Count("name", distinct=True), hours=Sum("hours"))
    }
    rows = []
    for code, label in AudienceGroup.choices:
        a = by_group.get(code, {})
        o = online.get(code, {})
        rows.append(
            {
                "code": code,
                "label": label,
                "attended": a.get("attended", 0),
                "passed": a.get("passed", 0),
                "certificates": certs.get(code, 0),
                "online_people": o.get("people", 0),
                "online_hours": o.get("hours") or 0,
            }
        )
    return render(request, "outreach/key_groups.html", {"rows": rows, "year": year})


class LearningListView(scoped.ScopedListView):
    model = LearningRecord
    template_name = "outreach/learning_list.html"
    context_object_name = "records"

    def get_queryset(self):
        return super().get_queryset().select_related("region")


class LearningImportView(LoginRequiredMixin, View):
    template_name = "outreach/learning_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_write(request.user, LearningRecord, "add"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": LearningImportForm()})

    def post(self, request):
        form = LearningImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            result = ledger.import_learning_records(
                form.cleaned_data["file"], request.user, dry_run=form.cleaned_data["check_only"]
            )
        except ledger.ImportFileError as exc:
            form.add_error("file", str(exc))
            return render(request, self.template_name, {"form": form}, status=400)
        return render(
            request,
            self.template_name,
            {"form": LearningImportForm(), "result": result},
            status=400 if result.errors else 200,
        )


@login_required
def learning_template(request):
    response = HttpResponse(ledger.template_bytes(), content_type=ledger.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="learning-records-template.xlsx"'
    return response
