"""The annual plan and coverage pages. A district plan can hold 1e5 visits: the pages aggregate by
month and inspector in the database and list single visits only a page at a time."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic

from firegrid.core import views as scoped
from firegrid.core.views import may_write
from firegrid.inspections import plan_actions
from firegrid.inspections.forms import PlanForm, put_errors
from firegrid.inspections.models import Inspection, InspectionPlan, PlanItem
from firegrid.inspections.views.inspections import SectionLinksMixin
from firegrid.org.models import Region, User
from firegrid.places.models import Place


def done_count():
    return Count("id", filter=Q(done__isnull=False))


def _int(value, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


class PlanListView(SectionLinksMixin, scoped.ScopedListView):
    """Plans the user may see; planners generate (or extend) a plan here (POST)."""

    model = InspectionPlan
    template_name = "inspections/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        plans = super().get_queryset().select_related("region").annotate(visits=Count("items"))
        return plans.order_by("-year", "region__path")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["can_add"] and "form" not in context:
            context["form"] = PlanForm(user=self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        if not may_write(request.user, InspectionPlan, "add"):
            raise Http404
        form = PlanForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                plan, created = plan_actions.generate_plan(
                    form.cleaned_data["year"], form.cleaned_data["region"], actor=request.user
                )
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Plan %(plan)s: %(n)s visits created.") % {"plan": plan, "n": created},
                )
                return HttpResponseRedirect(reverse("inspections:plan", args=[plan.pk]))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class PlanDetailView(SectionLinksMixin, scoped.ScopedDetailView):
    """Visits by month (planned, done, open, late); per inspector for the year or a month; the
    visits of one inspector in one month, a page at a time."""

    model = InspectionPlan
    template_name = "inspections/plan_detail.html"
    context_object_name = "plan"

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, request = self.object, self.request
        today = timezone.localdate()
        items = PlanItem.objects.restrict(request.user).filter(plan=plan)
        monthly = items.values("month").annotate(planned=Count("id"), done=done_count()).order_by("month")
        by_month = {row["month"]: row for row in monthly}
        past = plan.year < today.year
        months = []
        for month in range(1, 13):
            row = by_month.get(month, {"planned": 0, "done": 0})
            open_ = row["planned"] - row["done"]
            late = open_ if past or (plan.year == today.year and month < today.month) else 0
            months.append({"month": month, "planned": row["planned"], "done": row["done"], "open": open_,
                           "late": late})
        totals = {key: sum(m[key] for m in months) for key in ("planned", "done", "open", "late")}

        month = _int(request.GET.get("month"), 1, 12)
        scope = items.filter(month=month) if month else items
        per_inspector = (
            scope.values("inspector")
            .annotate(planned=Count("id"), done=done_count())
            .order_by("-planned", "inspector")
        )
        inspector_page = Paginator(per_inspector, 50).get_page(request.GET.get("ipage"))
        names = {
            u.pk: u
            for u in User.objects.filter(pk__in=[r["inspector"] for r in inspector_page if r["inspector"]])
        }
        rows = [
            r | {"user": names.get(r["inspector"]), "open": r["planned"] - r["done"]} for r in inspector_page
        ]

        inspector = request.GET.get("inspector")
        visits = None
        if month and inspector:
            chosen = scope.filter(inspector__isnull=True) if inspector == "none" else scope.filter(
                inspector_id=_int(inspector, 1, 2**63)
            )
            visits = Paginator(
                chosen.select_related("place", "done").order_by("place__name", "visit"), 50
            ).get_page(request.GET.get("page"))
        return context | {
            "months": months,
            "totals": totals,
            "month": month,
            "inspector_rows": rows,
            "inspector_page": inspector_page,
            "inspector": inspector,
            "inspector_user": User.objects.filter(pk=_int(inspector, 1, 2**63)).first(),
            "visits": visits,
            "this_month": today.month if plan.year == today.year else None,
        }


class CoverageView(SectionLinksMixin, LoginRequiredMixin, generic.TemplateView):
    """plan_actions.coverage() over the places the user may see, optionally within an area."""

    template_name = "inspections/coverage.html"

    def get_context_data(self, **kwargs):
        request = self.request
        today = timezone.localdate()
        year = _int(request.GET.get("year"), 2000, 2100) or today.year
        places = Place.objects.restrict(request.user)
        within_code = (request.GET.get("within") or "").strip()
        within = None
        if within_code:
            within = Region.objects.restrict(request.user).filter(code=within_code).first()
            places = places.filter(region__path__startswith=within.path) if within else places.none()
        figures = plan_actions.coverage(places, year)
        never = places.active().filter(last_inspected_on__isnull=True)
        areas = Region.objects.restrict(request.user).exclude(level="grid")[:300]
        return super().get_context_data(**kwargs) | {
            "year": year,
            "years": range(today.year - 2, today.year + 2),
            "figures": figures,
            "within": within,
            "within_code": within_code,
            "areas": areas,
            "never_page": Paginator(never.select_related("region").order_by("name"), 25).get_page(
                request.GET.get("page")
            ),
            "can_start": may_write(request.user, Inspection, "add"),
        }
