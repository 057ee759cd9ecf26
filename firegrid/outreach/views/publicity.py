"""Publicity pages (sites, activities, reach by kind) and the survey: the public answer page (no
login, rate-limited per client address), its public results, and the staff results by area."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from firegrid.core import views as scoped
from firegrid.hazards.ratelimit import RateLimit
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region
from firegrid.org.views.base import FilteredListMixin, FormTitleMixin
from firegrid.outreach import survey
from firegrid.outreach.choices import AgeBand, FiveIntoTarget, PublicityKind
from firegrid.outreach.forms import PublicityFilter, PublicityForm, PublicitySiteForm
from firegrid.outreach.models import PublicityActivity, PublicitySite, SurveyResponse

SURVEYS = RateLimit("public-survey", lambda: settings.PUBLIC_SURVEYS_PER_HOUR)


class PublicityListView(FilteredListMixin, scoped.ScopedListView):
    model = PublicityActivity
    filterset_class = PublicityFilter
    template_name = "outreach/publicity_list.html"
    context_object_name = "activities"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "site")

    def get_context_data(self, **kwargs):
        shown = self.filterset.qs
        by_kind = {r["kind"]: r for r in shown.values("kind").annotate(n=Count("id"), reach=Sum("reach"))}
        by_target = {
            r["target"]: r
            for r in shown.filter(kind=PublicityKind.FIVE_INTO)
            .values("target")
            .annotate(n=Count("id"), reach=Sum("reach"))
        }
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(**kwargs) | {
            "by_kind": [(label, by_kind.get(code, {})) for code, label in PublicityKind.choices],
            "by_target": [(label, by_target.get(code, {})) for code, label in FiveIntoTarget.choices],
            "sites": PublicitySite.objects.restrict(self.request.user)
            .select_related("region")
            .annotate(n=Count("activities"), reach=Sum("activities__reach"))
            .order_by("region__path", "kind", "name")[:200],
            "filter_query": query.urlencode(),
        }


class PublicityCreateView(FormTitleMixin, scoped.ScopedCreateView):
    model = PublicityActivity
    form_class = PublicityForm
    template_name = "outreach/form.html"
    list_url_name = "outreach:publicity"
    success_url = "/outreach/publicity/"


class SiteCreateView(FormTitleMixin, scoped.ScopedCreateView):
    model = PublicitySite
    form_class = PublicitySiteForm
    template_name = "outreach/form.html"
    list_url_name = "outreach:publicity"
    success_url = "/outreach/publicity/"


def _areas():
    """Streets with their communities, for the survey's area choice."""
    streets = list(Region.objects.filter(level=RegionLevel.STREET).order_by("code"))
    communities = {}
    for c in Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("code"):
        communities.setdefault(c.parent_id, []).append(c)
    return [(s, communities.get(s.pk, [])) for s in streets]


@never_cache
@require_http_methods(["GET", "POST"])
def public_survey(request):
    """Anyone may answer; no login, nothing that identifies the person is asked or stored."""
    context = {
        "questions": survey.QUESTIONS,
        "areas": _areas(),
        "age_bands": AgeBand.choices,
        "per_hour": SURVEYS.limit(),
    }
    if request.method == "POST":
        if SURVEYS.exceeded(request):
            return render(request, "outreach/public/rate_limited.html", context, status=429)
        errors = {}
        raw = request.POST.get("region") or ""
        region = Region.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        try:
            survey.check_area(region)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        try:
            survey.check_age(request.POST.get("age_band", ""))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        try:
            answers, score = survey.check_answers(request.POST)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            return render(
                request,
                "outreach/public/survey.html",
                context | {"errors": errors, "posted": request.POST},
                status=400,
            )
        SURVEYS.hit(request)
        SurveyResponse.objects.create(
            region=region,
            version=survey.VERSION,
            age_band=request.POST.get("age_band", ""),
            answers=answers,
            score=score,
            max_score=len(survey.QUESTIONS),
        )
        return render(
            request,
            "outreach/public/survey_thanks.html",
            context
            | {
                "score": score,
                "max_score": len(survey.QUESTIONS),
                "review": [(q, answers[q.code], dict(q.options)) for q in survey.QUESTIONS],
            },
        )
    return render(request, "outreach/public/survey.html", context)


def public_results(request):
    """Published results by street: areas with fewer than PUBLIC_MIN_RESPONSES answers are left out."""
    rows = [
        r
        for r in survey.results_by_area(SurveyResponse.objects.all())
        if r.responses >= survey.PUBLIC_MIN_RESPONSES
    ]
    return render(
        request,
        "outreach/public/results.html",
        {
            "rows": rows,
            "questions": survey.QUESTIONS,
            "minimum": survey.PUBLIC_MIN_RESPONSES,
        },
    )


@login_required
def survey_results(request):
    """Staff results in the user's scope: by street, or by community inside one street (?street=code)."""
    responses = SurveyResponse.objects.restrict(request.user)
    street = None
    code = request.GET.get("street", "").strip()
    if code:
        street = Region.objects.restrict(request.user).filter(code=code, level=RegionLevel.STREET).first()
    if street is not None:
        responses = responses.filter(region__path__startswith=street.path)
        rows = survey.results_by_area(
            responses, level=RegionLevel.COMMUNITY, regions=Region.objects.filter(parent=street)
        )
    else:
        rows = survey.results_by_area(responses)
    total, mean = survey.overall(responses)
    if code and street is None:
        messages.error(request, _("No street %(code)s in your jurisdiction.") % {"code": code})
        return redirect("outreach:survey-results")
    return render(
        request,
        "outreach/survey_results.html",
        {
            "rows": rows,
            "questions": survey.QUESTIONS,
            "street": street,
            "total": total,
            "mean": mean,
        },
    )
