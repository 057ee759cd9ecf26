"""The case list's search: words of the description, the address or the place's name, or a tracking
code, notice number or channel reference given whole.

Written as one filter with ORs (`matching_q`), PostgreSQL can use none of the indexes: the place's name
is on a joined table, so every case in scope is joined to its place and tested (80–270 ms at 2e5
cases). On PostgreSQL a term of three characters or more (what its trigram indexes can look up) is
searched as the union of one indexed lookup per field instead (`matching_ids`): the same cases, found
through the trigram indexes of the description, address and place name and the b-tree indexes of the
codes (bench/README.md, production load test, round six); on a busy server it takes about half the CPU
of the ORs for a common word and a few per cent for a rare one. Shorter terms give no trigram, so every
row would be read either way: they keep the ORs, and so does SQLite, which has no trigram indexes.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.utils.functional import cached_property

from firegrid.hazards.models import HazardCase
from firegrid.places.models import Place

TRIGRAM = 3  # pg_trgm looks up a LIKE pattern by its three-character pieces
# up to this many places whose name holds the term are looked up by their ids (the planner, left to
# join, reads every case to hash them against a few hundred places)
PLACES_LISTED = 2000
# matches in the user's scope from which a page of them is found faster by the ORs (SearchPaginator)
DENSE = 500


def _code(value):
    return value.upper().replace(" ", "")


def matching_q(value):
    """The cases that match `value`, as one condition (a case without a place matches on the rest)."""
    return (
        Q(description__icontains=value)
        | Q(tracking_code=_code(value))
        | Q(notice_number=value)
        | Q(external_ref=value)
        | Q(address__icontains=value)
        | Q(place__name__icontains=value)
    )


def _place_lookup(value):
    """The cases at a place whose name holds `value`: by the places' ids when there are at most
    PLACES_LISTED of them (one index probe each), else by a join."""
    named = Place.objects.filter(name__icontains=value).values_list("pk", flat=True)
    places = list(named[: PLACES_LISTED + 1])
    if len(places) <= PLACES_LISTED:
        return Q(place_id__in=places)
    return Q(place__name__icontains=value)


def matching_ids(value):
    """The ids of the cases that match `value`: the union of one lookup per field, each on its index."""
    cases = HazardCase.objects.order_by()
    lookups = [
        Q(description__icontains=value),
        Q(address__icontains=value),
        Q(tracking_code=_code(value)),
        Q(notice_number=value),
        Q(external_ref=value),
        _place_lookup(value),
    ]
    first, *rest = (cases.filter(lookup).values("pk") for lookup in lookups)
    return first.union(*rest)


def by_union(db, value):
    """Whether a search for `value` on the database `db` is the union of indexed lookups."""
    return connections[db].vendor == "postgresql" and len(value.strip()) >= TRIGRAM


def search(queryset, value, ors=False):
    """`queryset` narrowed to the cases matching `value` (stripped; an empty term narrows nothing), as
    the union of indexed lookups where that is the faster way (`by_union`), or as ORs (`ors`)."""
    value = value.strip()
    if not value:
        return queryset
    if not ors and by_union(queryset.db, value):
        return queryset.filter(pk__in=matching_ids(value))
    return queryset.filter(matching_q(value))


class SearchPaginator(Paginator):
    """The pages of a list searched by the union. The union is run once, for the ids of the matches in
    scope (`matched`: its cost follows the number of matches, a few milliseconds for a rare word, ~20 ms
    for one in 5 % of 2e5 cases, whose ~10,000 ids take a few ms more to read), which count them. Below
    DENSE matches a page is read by those ids (`by_ids`: a few primary-key probes); from DENSE on, from
    `dense_list` — the same cases found by the ORs — which walks the cases newest first and stops at the
    page (~15 ms for that common word). Read with the union in its WHERE, a page joined every case in
    scope to it (~110 ms)."""

    def __init__(self, object_list, per_page, *, dense_list=None, by_ids=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.dense_list = dense_list
        self.by_ids = by_ids

    @cached_property
    def matched(self):
        return list(self.object_list.values_list("pk", flat=True).order_by())

    @cached_property
    def count(self):
        if self.dense_list is None:
            return Paginator.count.func(self)
        return len(self.matched)

    def page(self, number):
        if self.dense_list is not None:
            self.object_list = self.dense_list if self.count >= DENSE else self.by_ids(self.matched)
        return super().page(number)
