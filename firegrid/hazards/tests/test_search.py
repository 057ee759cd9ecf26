"""hazards.search: the list's search finds the same cases whether it is written as ORs or (PostgreSQL,
terms of three characters or more) as a union of one indexed lookup per field; scoped, as the list."""

import pytest

from firegrid.hazards import search
from firegrid.hazards.models import HazardCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(world, make_case):
    shop, hotel, school = world.shop_a, world.hotel_b, world.school_a
    shop.name = "桥河50%_便利店"  # LIKE's wildcards in a name must be matched as characters
    shop.save()
    return {
        "door": make_case(shop, description="后门被货物堵塞"),
        "extinguisher": make_case(hotel, description="灭火器压力不足 Low Pressure"),
        "address": make_case(description="电动车楼道充电", lat=28.05, lng=106.05, address="桥河路12号楼道"),
        "reference": make_case(school, description="疏散指示灯损坏", external_ref="12345-ABC"),
        "notice": make_case(school, description="消防通道占用"),
    }


@pytest.fixture
def noticed(found):
    case = found["notice"]
    HazardCase.objects.filter(pk=case.pk).update(notice_number="綦消通字〔2026〕第0007号")
    return case


TERMS = [
    "堵塞",  # two characters: the ORs on either database
    "货物堵塞",
    "LOW PRESSURE",  # any case
    "low pressure",
    "桥河路",  # the address
    "便利店",  # the place's name
    "50%_",  # wildcards as characters
    "12345-ABC",  # a channel reference, whole
    "12345",  # … and not a fragment of it
    "綦消通字〔2026〕第0007号",  # a notice number, whole
    "没有这个词",
    "  灭火器  ",  # stripped
]


def codes(queryset):
    return sorted(queryset.values_list("tracking_code", flat=True))


@pytest.mark.parametrize("places_listed", [search.PLACES_LISTED, 0])  # by the places' ids, or a join
@pytest.mark.parametrize("term", TERMS)
def test_the_union_finds_what_the_ors_find(world, found, noticed, term, places_listed, monkeypatch):
    monkeypatch.setattr(search, "PLACES_LISTED", places_listed)
    everything = HazardCase.objects.all()
    ors = everything.filter(search.matching_q(term.strip()))
    union = everything.filter(pk__in=search.matching_ids(term.strip()))
    assert codes(union) == codes(ors)
    assert codes(search.search(everything, term)) == codes(ors)


def test_each_field_is_searched(world, found, noticed):
    def hit(term):
        return set(codes(search.search(HazardCase.objects.all(), term)))

    assert hit("货物堵塞") == {found["door"].tracking_code}
    assert hit("low pressure") == {found["extinguisher"].tracking_code}
    assert hit("桥河路12") == {found["address"].tracking_code}
    assert hit("50%_便利") == {found["door"].tracking_code}
    assert hit("12345-ABC") == {found["reference"].tracking_code}
    assert hit("12345") == set()
    assert hit("綦消通字〔2026〕第0007号") == {noticed.tracking_code}
    code = found["address"].tracking_code
    assert hit(code.lower()) == {code}  # a tracking code, any case
    assert hit("   ") == set(codes(HazardCase.objects.all()))


def test_the_search_stays_in_the_users_scope(world, found, client):
    """The union is of every case in the district; the list narrows it to what the user may see."""
    client.force_login(world.street2_officer)
    page = client.get("/hazards/", {"q": "货物堵塞"}).content.decode()
    assert found["door"].tracking_code not in page
    client.force_login(world.street_officer)
    page = client.get("/hazards/", {"q": "货物堵塞"}).content.decode()
    assert found["door"].tracking_code in page


@pytest.fixture
def many(world, make_case):
    """35 cases that say 灭火器 (two pages of the list), among others that do not."""
    hits = [make_case(world.shop_a, description=f"灭火器第{n}号压力不足") for n in range(35)]
    for n in range(5):
        make_case(world.hotel_b, description=f"通道堵塞{n}")
    return hits


def listed_pages(client):
    pages, page = [], 1
    while True:
        response = client.get("/hazards/", {"q": "灭火器", "page": page})
        assert response.status_code == 200
        pages.append([case.tracking_code for case in response.context["cases"]])
        paginator = response.context["paginator"]
        if not response.context["page_obj"].has_next():
            return pages, paginator
        page += 1


@pytest.mark.parametrize("dense", [1, 10**6], ids=["pages by the ORs", "pages by the union"])
def test_the_union_searched_list_pages_through_the_same_cases(world, many, client, monkeypatch, dense):
    """Counted by the union, paged by the ORs (many matches) or by the union (few): the same cases in
    the same order as the ORs alone give, on either database (the union forced on SQLite too)."""
    client.force_login(world.street_officer)
    monkeypatch.setattr(search, "by_union", lambda db, value: len(value.strip()) >= search.TRIGRAM)
    monkeypatch.setattr(search, "DENSE", dense)
    pages, paginator = listed_pages(client)
    assert isinstance(paginator, search.SearchPaginator) and paginator.dense_list is not None
    assert (paginator.object_list is paginator.dense_list) is (dense == 1)
    if dense != 1:  # the page read by the matches' ids, not with the union in its WHERE
        assert "LIKE" not in str(paginator.object_list.query).upper()
    assert sorted(paginator.matched) == sorted(
        HazardCase.objects.restrict(world.street_officer, "view")
        .filter(search.matching_q("灭火器"))
        .values_list("pk", flat=True)
    )
    expected = list(
        HazardCase.objects.restrict(world.street_officer, "view")
        .filter(search.matching_q("灭火器"))
        .order_by("-created_at", "-id")
        .values_list("tracking_code", flat=True)
    )
    assert len(expected) == 35 and paginator.count == 35
    assert [len(p) for p in pages] == [30, 5]
    assert [code for page in pages for code in page] == expected


def test_a_two_character_search_is_not_paged_by_the_union(world, many, client, monkeypatch):
    client.force_login(world.street_officer)
    monkeypatch.setattr(search, "by_union", lambda db, value: len(value.strip()) >= search.TRIGRAM)
    response = client.get("/hazards/", {"q": "灭火"})
    assert response.context["paginator"].dense_list is None
    assert response.context["paginator"].count == 35
