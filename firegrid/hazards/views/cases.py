"""Staff pages of hazard cases: the scoped list, recording a case, the case with its timeline and
the forms of the steps the user may take, and the case's files (served only to those who may see them)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View, generic

from firegrid.core import views as scoped
from firegrid.core.files import upload_response
from firegrid.core.roles import Role
from firegrid.core.scoping import user_scope
from firegrid.hazards import reports, search
from firegrid.hazards.choices import CaseStatus, Channel, CloseReason, EventKind, Level, Severity, Source
from firegrid.hazards.filtersets import HazardCaseFilter
from firegrid.hazards.forms import CaseReportForm
from firegrid.hazards.models import STAFF_ROLES, Attachment, AttachmentKind, HazardCase
from firegrid.hazards.privacy import may_see_reporter
from firegrid.hazards.views.steps import offered_steps, put_errors
from firegrid.org.views.base import FilteredListMixin


def is_staff_viewer(user):
    """Staff see the whole timeline; a unit owner sees what the public sees of their own place."""
    scope = user_scope(user)
    return scope.superuser or bool(scope.roles & STAFF_ROLES)


def may_record(user):
    return is_staff_viewer(user) and user_scope(user).user_id is not None


# the columns the list shows (its template and rows()): the other ~50 of a case and those of its place,
# category and region (JSON documents and a boundary among them) are not read, ~2 ms of a page of 30
LIST_FIELDS = (
    "id",
    "created_at",
    "tracking_code",
    "address",
    "severity",
    "status",
    "level",
    "deadline",
    "step_due",
    "department_id",
    "checked_in_at",
    "checkin_due",
    "supervision_due",
    "category__name_zh",
    "category__name_en",
    "place__name",
    "region__name",
)


# the words of case_list.html's columns (the same msgids as its {% translate %} tags)
ROW_WORDS = {
    "code": "Code",
    "category": "Category",
    "place": "Place",
    "status": "Status",
    "held": "Held at",
    "due": "Due",
    "overdue": "overdue",
}


def row_html(case, t):
    """One row of hazards/case_list.html's table (the markup of its loop's body, byte for byte): ~0.15 ms
    a row through the template engine, 30 rows a page."""
    e, row = conditional_escape, case.row
    code = e(case.tracking_code)
    severity = (
        f' <span class="badge badge-red">{e(row["severity"])}</span>' if case.severity == "major" else ""
    )
    place = f"{e(case.place.name)}<br>" if case.place else ""
    overdue = row["overdue"]
    due_class = ' class="hz-overdue"' if overdue else ""
    overdue_badge = f' <span class="badge badge-red">{t["overdue"]}</span>' if overdue else ""
    return mark_safe(  # noqa: S308 - every value is escaped
        f'\n    <tr class="case-row" data-code="{code}">\n'
        f'      <td data-label="{t["code"]}"><a class="hz-code" href="{e(row["url"])}">{code}</a>'
        f"{severity}</td>\n"
        f'      <td data-label="{t["category"]}">{e(row["category"])}</td>\n'
        f'      <td data-label="{t["place"]}" class="wrap">{place}'
        f'<small class="muted">{e(case.address or case.region.name)}</small></td>\n'
        f'      <td data-label="{t["status"]}"><span class="badge badge-{e(row["colour"])}">'
        f"{e(row['status'])}</span>\n"
        "</td>\n"
        f'      <td data-label="{t["held"]}">{e(row["level"])}</td>\n'
        f'      <td data-label="{t["due"]}"><span{due_class}>{e(row["due"])}</span>{overdue_badge}</td>\n'
        "    </tr>\n  "
    )


class CaseListView(FilteredListMixin, scoped.ScopedListView):
    model = HazardCase
    filterset_class = HazardCaseFilter
    template_name = "hazards/case_list.html"
    context_object_name = "cases"
    paginate_by = 30

    def get_queryset(self):
        cases = self.listed(super().get_queryset())
        # a search by the union of indexed lookups is counted that way; its pages may come from the
        # same search as ORs (hazards.search.SearchPaginator)
        self.dense_cases = None
        term = self.filterset.form.cleaned_data.get("q") or "" if self.filterset.is_valid() else ""
        if search.by_union(cases.db, term):
            scoped_cases = super(FilteredListMixin, self).get_queryset()
            self.dense_cases = self.listed(self.filterset.filter_queryset_by_ors(scoped_cases))
        return cases

    @staticmethod
    def listed(cases):
        listed = cases.select_related("category", "place", "region").only(*LIST_FIELDS)
        return listed.order_by("-created_at", "-id")

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        return search.SearchPaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            dense_list=self.dense_cases,
            # the matches' ids were read from this user's scoped, filtered list
            by_ids=lambda ids: self.listed(HazardCase.objects.filter(pk__in=ids)),
        )

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        self.rows(context["cases"], now)
        return context | {
            "can_add": may_record(self.request.user),
            "filter_query": query.urlencode(),
            "now": now,
        }

    @staticmethod
    def rows(cases, now, write=True):
        """What each row shows, worked out here once per page (labels translated once, not per row):
        case.row = {url, status, colour, level, severity, category, due, overdue} and, with write, the
        row's markup (row_html: the template's, written in Python)."""
        words = {key: conditional_escape(_(msgid)) for key, msgid in ROW_WORDS.items()}
        labels = {
            name: {value: str(label) for value, label in choices.choices}
            for name, choices in (("status", CaseStatus), ("level", Level), ("severity", Severity))
        }
        for case in cases:
            if case.deadline and case.is_open:
                due = date_format(case.deadline, "Y-m-d")
            elif case.step_due:
                due = date_format(timezone.localtime(case.step_due), "Y-m-d")
            else:
                due = "—"
            case.row = {
                "url": reverse("hazards:detail", args=[case.pk]),
                "status": labels["status"].get(case.status, case.status),
                "colour": case.status_colour,
                "level": labels["level"].get(case.level, case.level),
                "severity": labels["severity"].get(case.severity, case.severity),
                "category": case.category.name,
                "due": due,
                "overdue": case.is_overdue(now),
            }
            if write:
                case.row["html"] = row_html(case, words)


class CaseCreateView(LoginRequiredMixin, generic.FormView):
    """Record a case found by staff or received by phone; the service locates and stores it."""

    form_class = CaseReportForm
    template_name = "hazards/case_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_record(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_initial(self):
        initial = {"channel": Channel.STAFF}
        if self.request.GET.get("place"):
            initial["place_code"] = self.request.GET["place"][:20]
        return initial

    def source(self, channel):
        """Calls to the hotlines come from the public; what staff find is a patrol's or a department's."""
        if channel != Channel.STAFF:
            return Source.PUBLIC
        roles = user_scope(self.request.user).roles
        return Source.DEPARTMENT if roles and roles <= {Role.DEPT_STAFF} else Source.PATROL

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        try:
            with transaction.atomic():
                case = reports.report(
                    description=data["description"],
                    category=data["category"],
                    place=data.get("place_code"),
                    lat=data.get("lat"),
                    lng=data.get("lng"),
                    address=data.get("address", ""),
                    photos=data.get("photos") or (),
                    source=self.source(data["channel"]),
                    channel=data["channel"],
                    actor=user,
                    anonymous=data.get("anonymous", False),
                    reporter_name=data.get("reporter_name", ""),
                    reporter_phone=data.get("reporter_phone", ""),
                    reporter_email=data.get("reporter_email", ""),
                    external_ref=data.get("external_ref", ""),
                )
                if not HazardCase.objects.restrict(user).filter(pk=case.pk).exists():
                    raise ValidationError({"location": _("That location is outside your jurisdiction.")})
        except ValidationError as exc:
            put_errors(form, _rename(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("Case %(code)s recorded.") % {"code": case.tracking_code})
        return HttpResponseRedirect(reverse("hazards:detail", args=[case.pk]))


def _rename(exc):
    """The service's field names onto the form's ("location" is where the place code goes)."""
    if not hasattr(exc, "error_dict"):
        return exc
    names = {"location": "place_code", "place": "place_code"}
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


def event_details(event):
    """Short lines saying what an event carried: deadline, notice, levels, department…"""
    data = event.data or {}
    lines = []
    if event.kind == EventKind.REPORTED and data.get("channel"):
        channel = data["channel"]
        label = Channel(channel).label if channel in Channel.values else channel
        lines.append(_("Channel: %(c)s") % {"c": label})
    if event.kind == EventKind.CONFIRMED and data.get("severity") in Severity.values:
        lines.append(Severity(data["severity"]).label)
    if data.get("notice_number"):
        lines.append(_("Notice No. %(n)s") % {"n": data["notice_number"]})
    if data.get("deadline"):
        lines.append(_("Rectify by %(d)s") % {"d": data["deadline"]})
    if event.kind == EventKind.ESCALATED and data.get("to_level") in Level.values:
        levels = [Level(data[k]).label for k in ("from_level", "to_level") if data.get(k) in Level.values]
        lines.append(" → ".join(str(level) for level in levels))
    if data.get("department_name"):
        lines.append(_("Department: %(d)s") % {"d": data["department_name"]})
    if data.get("checkin_due"):
        lines.append(_("Check in by %(d)s") % {"d": data["checkin_due"][:10]})
    if event.kind == EventKind.SUPERVISED and data.get("due"):
        lines.append(_("Supervision deadline %(d)s") % {"d": data["due"][:10]})
    if data.get("close_reason") in CloseReason.values:
        lines.append(CloseReason(data["close_reason"]).label)
    if event.kind == EventKind.SEVERITY and data.get("to") in Severity.values:
        lines.append(Severity(data["to"]).label)
    if event.kind == EventKind.CHECKED_IN and data.get("late"):
        lines.append(_("late"))
    if event.kind == EventKind.OVERDUE and data.get("due"):
        lines.append(_("was due %(d)s") % {"d": data["due"][:16].replace("T", " ")})
    return [str(line) for line in lines]


class CaseDetailView(scoped.ScopedDetailView):
    model = HazardCase
    template_name = "hazards/case_detail.html"
    context_object_name = "case"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "category", "place", "region", "department", "reporter", "duplicate_of", "finding__inspection"
            )
        )

    def get_context_data(self, bound_step=None, **kwargs):
        # the page offers the case's steps, not the generic edit and delete links: without
        # ScopedDetailView's can_change/can_delete, two queries whose answers the template never read
        context = generic.DetailView.get_context_data(self, **kwargs)
        case, user = self.object, self.request.user
        staff = is_staff_viewer(user)
        attachments = Attachment.objects.order_by("id")
        events = case.events.select_related("actor").prefetch_related(
            Prefetch("attachments", queryset=attachments if staff else attachments.filter(is_public=True))
        )
        if not staff:
            # what the public sees, and what they wrote themselves
            events = events.filter(Q(is_public=True) | Q(actor=user))
        timeline = [(event, event_details(event)) for event in events]
        photos = case.attachments.filter(kind=AttachmentKind.PHOTO)
        if not staff:
            photos = photos.filter(is_public=True)
        steps = offered_steps(case, user, bound=bound_step)
        region = case.region
        return context | {
            "show_reporter": may_see_reporter(user, case),
            "timeline": timeline,
            "photos": list(photos),
            "primary_steps": [(s, f) for s, f in steps if s.primary],
            "other_steps": [(s, f) for s, f in steps if not s.primary],
            "bound_step": bound_step[0] if bound_step else None,
            "is_overdue": case.is_overdue(),
            "street": region.street,
            "staff_view": staff,
            "has_notice": bool(case.notice_number),
        }


class AttachmentView(LoginRequiredMixin, View):
    """A case's photo or document, for those who may see the case (media are not public)."""

    def get(self, request, pk, file_pk):
        case = get_object_or_404(HazardCase.objects.restrict(request.user), pk=pk)
        files = (
            case.attachments.all()
            if is_staff_viewer(request.user)
            else case.attachments.filter(is_public=True)
        )
        attachment = get_object_or_404(files, pk=file_pk)
        return upload_response(attachment.file, content_type=attachment.content_type)
