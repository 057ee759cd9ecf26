import django_filters as filters
from django.utils.translation import gettext_lazy as _

from firegrid.org.models import Region
from firegrid.places.choices import Authority, PlaceKind, PlaceStatus, RiskLevel
from firegrid.places.models import Place
from firegrid.places.streets import street_path


class PlaceFilter(filters.FilterSet):
    """Shared by the API, the pages, the map layer and the xlsx export."""

    # distinct=False: these are columns of the place, no join can repeat a row, and django-filter's
    # default SELECT DISTINCT over every column makes PostgreSQL sort the whole match
    kind = filters.MultipleChoiceFilter(choices=PlaceKind.choices, label=_("kind"), distinct=False)
    risk_level = filters.MultipleChoiceFilter(
        choices=RiskLevel.choices, label=_("risk level"), distinct=False
    )
    authority = filters.ChoiceFilter(choices=Authority.choices, label=_("supervising authority"))
    status = filters.ChoiceFilter(choices=PlaceStatus.choices, label=_("status"))
    is_key_unit = filters.BooleanFilter(label=_("key fire safety unit"))
    flag = filters.CharFilter(method="filter_flag", label=_("flag"))
    within = filters.CharFilter(method="filter_within", label=_("region code"))
    due = filters.BooleanFilter(method="filter_due", label=_("due for inspection"))
    sector = filters.CharFilter(label=_("sector"))
    credit_code = filters.CharFilter(label=_("unified social credit code"))

    class Meta:
        model = Place
        fields = ["kind", "risk_level", "authority", "status", "is_key_unit", "sector", "credit_code"]

    def filter_flag(self, queryset, name, value):
        return queryset.with_flag(value.strip()) if value.strip() else queryset

    def filter_within(self, queryset, name, value):
        region = Region.objects.filter(code=value.strip()).only("path").first()
        if region is None:
            return queryset.none()
        if street_path(region.path) == region.path:
            return queryset.filter(street=region)  # the same places, read from the (street, id) index
        return queryset.filter(region__path__startswith=region.path)

    def filter_due(self, queryset, name, value):
        if value is None:
            return queryset
        due = queryset.due_for_inspection()
        return due if value else queryset.exclude(pk__in=due.values("pk"))
