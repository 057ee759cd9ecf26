"""双随机 draw pages for officers: announce (the seed is public at once), run, publish."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View, generic

from firegrid.core import views as scoped
from firegrid.core.views import may_write
from firegrid.inspections import draw_actions
from firegrid.inspections.choices import DrawStatus
from firegrid.inspections.forms import DrawForm, error_texts, put_errors
from firegrid.inspections.models import RandomDraw
from firegrid.inspections.views.explain import filter_summary
from firegrid.inspections.views.inspections import SectionLinksMixin


class DrawListView(SectionLinksMixin, scoped.ScopedListView):
    model = RandomDraw
    template_name = "inspections/draw_list.html"
    context_object_name = "draws"

    def get_queryset(self):
        draws = super().get_queryset().select_related("region").annotate(drawn=Count("assignments"))
        return draws.order_by("-announced_at", "-id")


class DrawCreateView(LoginRequiredMixin, generic.FormView):
    form_class = DrawForm
    template_name = "inspections/draw_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_write(request.user, RandomDraw, "add"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        try:
            draw = draw_actions.announce_draw(
                title=form.cleaned_data["title"],
                region=form.cleaned_data["region"],
                params=form.params(),
                actor=self.request.user,
            )
        except ValidationError as exc:
            put_errors(form, exc, rename={"ratio": "percent"})
            return self.form_invalid(form)
        messages.success(self.request, _("Draw announced: its seed is public now."))
        return HttpResponseRedirect(reverse("inspections:draw", args=[draw.pk]))


class DrawDetailView(SectionLinksMixin, scoped.ScopedDetailView):
    model = RandomDraw
    template_name = "inspections/draw_detail.html"
    context_object_name = "draw"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        draw = self.object
        assignments = draw.assignments.select_related("place", "inspection").prefetch_related("inspectors")
        params = draw.params or {}
        return context | {
            "filters": filter_summary(params.get("filters")),
            "sample_size": params.get("sample_size"),
            "ratio_pct": round(params["ratio"] * 100, 2) if params.get("ratio") else None,
            "page_obj": Paginator(assignments, 50).get_page(self.request.GET.get("page")),
            "pool_size": len(draw.record.get("places", [])) if draw.record else None,
            "is_public": draw.status != DrawStatus.DRAWN,
            "statuses": DrawStatus,
        }


class DrawActionView(LoginRequiredMixin, View):
    """POST run or publish; the draw comes from restrict(user, "change"), so others get a 404."""

    action = None

    def post(self, request, pk):
        draw = get_object_or_404(RandomDraw.objects.restrict(request.user, "change"), pk=pk)
        try:
            if self.action == "run":
                draw = draw_actions.run_draw(draw, actor=request.user)
                messages.success(
                    request,
                    _("Drawn: %(n)s places; publish the results by %(date)s.")
                    % {"n": draw.assignments.count(), "date": draw.publish_by},
                )
            else:
                draw_actions.publish_draw(draw, actor=request.user)
                messages.success(request, _("Results published on the public page."))
        except ValidationError as exc:
            for text in error_texts(exc):
                messages.error(request, text)
        return HttpResponseRedirect(reverse("inspections:draw", args=[draw.pk]))
