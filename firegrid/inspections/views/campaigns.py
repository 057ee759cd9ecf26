"""Special campaign pages: the list, launching one, and its progress per street."""

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
from firegrid.inspections import campaign_actions
from firegrid.inspections.forms import CampaignForm, put_errors
from firegrid.inspections.models import Campaign, CampaignPlace, Inspection
from firegrid.inspections.views.explain import filter_summary
from firegrid.inspections.views.inspections import SectionLinksMixin
from firegrid.places.models import Place


class CampaignListView(SectionLinksMixin, scoped.ScopedListView):
    model = Campaign
    template_name = "inspections/campaign_list.html"
    context_object_name = "campaigns"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("region")
            .annotate(
                target_count=Count("targets"),
                inspected_count=Count("targets", filter=Q(targets__inspection__isnull=False)),
            )
            .order_by("-starts_on", "-id")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"today": timezone.localdate()}


class CampaignCreateView(LoginRequiredMixin, generic.FormView):
    form_class = CampaignForm
    template_name = "inspections/campaign_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_write(request.user, Campaign, "add"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            campaign = campaign_actions.launch_campaign(
                name=data["name"],
                kind=data["campaign_kind"],
                region=data["region"],
                filters=form.place_filters(),
                checklists=data["checklists"],
                starts_on=data["starts_on"],
                deadline=data["deadline"],
                actor=self.request.user,
            )
        except ValidationError as exc:
            put_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Campaign launched with %(n)s places.") % {"n": campaign.targets.count()},
        )
        return HttpResponseRedirect(reverse("inspections:campaign", args=[campaign.pk]))


class CampaignDetailView(SectionLinksMixin, scoped.ScopedDetailView):
    """Progress per street (of the places the user may see), and the places still to inspect."""

    model = Campaign
    template_name = "inspections/campaign_detail.html"
    context_object_name = "campaign"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign, user = self.object, self.request.user
        places = Place.objects.restrict(user)
        rows = campaign_actions.progress(campaign, places=places)
        open_targets = (
            CampaignPlace.objects.filter(campaign=campaign, inspection__isnull=True, place__in=places)
            .select_related("place__region")
            .order_by("place__region__path", "place__name")
        )
        return context | {
            "rows": rows,
            "totals": {
                "places": sum(r["places"] for r in rows),
                "inspected": sum(r["inspected"] for r in rows),
            },
            "late": timezone.localdate() > campaign.deadline,
            "filters": filter_summary(campaign.filters),
            "open_page": Paginator(open_targets, 25).get_page(self.request.GET.get("page")),
            "can_start": may_write(user, Inspection, "add"),
        }
