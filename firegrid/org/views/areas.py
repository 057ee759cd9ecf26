"""Residential areas (compounds, villager groups), their fire managers and the public display card."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy

from firegrid.core import views as scoped
from firegrid.org.cards import manager_card_pdf
from firegrid.org.forms import FireManagerFilter, FireManagerForm, ResidentialAreaFilter, ResidentialAreaForm
from firegrid.org.models import FireManager, OrgUnit, ResidentialArea
from firegrid.org.views.base import FilteredListMixin, FormTitleMixin, InitialFromQueryMixin


class AreaMixin:
    model = ResidentialArea
    context_object_name = "area"
    detail_url_name = "area-detail"
    list_url_name = "area-list"


class AreaListView(AreaMixin, FilteredListMixin, scoped.ScopedListView):
    filterset_class = ResidentialAreaFilter
    template_name = "org/area_list.html"
    context_object_name = "areas"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "fire_manager")


class AreaDetailView(AreaMixin, scoped.ScopedDetailView):
    template_name = "org/area_detail.html"

    def get_context_data(self, **kwargs):
        user, area = self.request.user, self.object
        manager = FireManager.objects.restrict(user).filter(area=area).first()
        return super().get_context_data(**kwargs) | {
            "manager": manager,
            "micro_stations": OrgUnit.objects.restrict(user).filter(residential_area=area),
            "can_add_manager": manager is None and scoped.in_scope(user, area, "change"),
        }


class AreaCreateView(AreaMixin, InitialFromQueryMixin, FormTitleMixin, scoped.ScopedCreateView):
    form_class = ResidentialAreaForm
    template_name = "org/form.html"


class AreaUpdateView(AreaMixin, FormTitleMixin, scoped.ScopedUpdateView):
    form_class = ResidentialAreaForm
    template_name = "org/form.html"


class AreaDeleteView(AreaMixin, scoped.ScopedDeleteView):
    success_url = reverse_lazy("area-list")


class AreaHistoryView(AreaMixin, scoped.HistoryView):
    pass


class ManagerCardView(AreaMixin, scoped.ScopedDetailView):
    """The printable public display card (PDF) of the area's fire manager."""

    def get(self, request, *args, **kwargs):
        area = self.get_object()
        manager = get_object_or_404(FireManager.objects.restrict(request.user), area=area)
        response = HttpResponse(manager_card_pdf(manager), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="fire-manager-card-{area.pk}.pdf"'
        return response


# ---- fire managers -------------------------------------------------------------------------

class ManagerMixin:
    model = FireManager
    context_object_name = "manager"
    detail_url_name = "manager-detail"
    list_url_name = "manager-list"


class ManagerListView(ManagerMixin, FilteredListMixin, scoped.ScopedListView):
    filterset_class = FireManagerFilter
    template_name = "org/manager_list.html"
    context_object_name = "managers"

    def get_queryset(self):
        return super().get_queryset().select_related("area__region")


class ManagerDetailView(ManagerMixin, scoped.ScopedDetailView):
    template_name = "org/manager_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("area__region", "user")


class ManagerCreateView(ManagerMixin, FormTitleMixin, scoped.ScopedCreateView):
    """Appoint the fire manager of an area the user may change (an area has at most one)."""

    form_class = FireManagerForm
    template_name = "org/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            areas = ResidentialArea.objects.restrict(request.user, "change").filter(fire_manager__isnull=True)
            self.area = get_object_or_404(areas, pk=kwargs["area_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = FireManager(area=self.area)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"area": self.area}


class ManagerUpdateView(ManagerMixin, FormTitleMixin, scoped.ScopedUpdateView):
    form_class = FireManagerForm
    template_name = "org/form.html"


class ManagerDeleteView(ManagerMixin, scoped.ScopedDeleteView):
    success_url = reverse_lazy("manager-list")


class ManagerHistoryView(ManagerMixin, scoped.HistoryView):
    pass
