"""Filters of hazard case lists: the staff list page and its xlsx ledger share one FilterSet."""

import django_filters as filters
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.fastwidgets import FastCodeInput, FastSelect
from firegrid.hazards import search
from firegrid.hazards.choices import CaseStatus, Channel, Level, Severity, Source
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region

REGION_SUGGESTIONS = 300


# open / closed / overdue: the three questions a list of cases is asked most
STATE_CHOICES = [("open", _("Open")), ("closed", _("Closed or rejected")), ("overdue", _("Overdue"))]


class HazardCaseFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_search", label=_("Search"))
    state = filters.ChoiceFilter(
        choices=STATE_CHOICES,
        method="filter_state",
        label=_("Open or closed"),
        empty_label=_("Any"),
        widget=FastSelect,
    )
    status = filters.ChoiceFilter(
        choices=CaseStatus.choices, label=_("Status"), empty_label=_("Any"), widget=FastSelect
    )
    severity = filters.ChoiceFilter(
        choices=Severity.choices, label=_("Severity"), empty_label=_("Any"), widget=FastSelect
    )
    level = filters.ChoiceFilter(
        choices=Level.choices, label=_("Held at"), empty_label=_("Any"), widget=FastSelect
    )
    category = filters.ModelChoiceFilter(
        queryset=HazardCategory.objects.all(),
        to_field_name="code",
        label=_("Category"),
        empty_label=_("Any"),
        widget=FastSelect,
    )
    source = filters.ChoiceFilter(
        choices=Source.choices, label=_("Source"), empty_label=_("Any"), widget=FastSelect
    )
    channel = filters.ChoiceFilter(
        choices=Channel.choices, label=_("Channel"), empty_label=_("Any"), widget=FastSelect
    )
    region = filters.CharFilter(method="filter_region", label=_("Region code"), widget=FastCodeInput)

    class Meta:
        model = HazardCase
        fields = ["q", "state", "status", "severity", "level", "category", "source", "channel", "region"]

    search_ors = False  # the search as ORs, not as the union (hazards.search)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.form.fields["region"].widget
        user = getattr(self.request, "user", None)
        if user is not None:
            # the widest regions first: a district admin gets streets, a grid worker their grid
            regions = Region.objects.restrict(user).order_by(Length("path"), "path")[:REGION_SUGGESTIONS]
            # rows, not model instances, and each level's name translated once (up to 300 suggestions)
            levels = {value: str(label) for value, label in RegionLevel.choices}
            widget.choices = [
                (code, f"{name} ({levels.get(level, level)})")
                for code, name, level in regions.values_list("code", "name", "level")
            ]
        widget.attrs["placeholder"] = "T501"
        self.form.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Tracking code, notice number or words of the description")}
        )

    def filter_queryset_by_ors(self, queryset):
        """`queryset` narrowed by this bound filter set's values, its search written as ORs (for the
        pages of a dense search, hazards.search.SearchPaginator), without building the form again."""
        self.search_ors = True
        try:
            return self.filter_queryset(queryset)
        finally:
            self.search_ors = False

    def filter_search(self, queryset, name, value):
        return search.search(queryset, value, ors=self.search_ors)

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "closed":
            return queryset.closed()
        if value == "overdue":
            return queryset.overdue(timezone.now())
        return queryset

    def filter_region(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        region = Region.objects.filter(code=value).only("path").first()
        return queryset.filter(region__path__startswith=region.path) if region else queryset.none()

    @property
    def active_count(self):
        """How many filters besides the search box are set (the filter panel opens when any is)."""
        data = self.form.data if self.is_bound else {}
        return sum(1 for name in self.filters if name != "q" and data.get(name) not in (None, ""))
