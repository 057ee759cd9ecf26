"""Place registry pages: scoping per persona, filters, forms that grade, the grading rules editor."""

import json

import pytest
from django.urls import reverse

from firegrid.places.actions import read_rules_file
from firegrid.places.models import GradingRuleSet, Place, PlaceGradeEvent

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(name, args=args)


def body(response):
    return response.content.decode()


def listed(response):
    """Names of the places in a list page's table."""
    return {p.name for p in response.context["places"]}


ALL = {"shop_a", "mall_a", "school_a", "hotel_b", "shop_s2"}
VISIBLE = {
    "district_admin": ALL,
    "street_officer": {"shop_a", "mall_a", "school_a", "hotel_b"},
    "street2_officer": {"shop_s2"},
    "grid_worker_a": {"shop_a", "mall_a", "school_a"},
    "grid_worker_b": {"hotel_b"},
    "police_officer": {"hotel_b"},  # police-supervised places of its area only
    "dept_staff": {"school_a"},  # the education sector
    "unit_owner": {"shop_a"},  # own places
    "nobody": set(),
}


@pytest.mark.parametrize("persona", VISIBLE)
def test_list_and_detail_are_scoped_per_persona(client, world, persona):
    client.force_login(getattr(world, persona))
    response = client.get(url("place-list"))
    assert response.status_code == 200
    assert listed(response) == {getattr(world, name).name for name in VISIBLE[persona]}
    for name in ALL:
        place = getattr(world, name)
        expected = 200 if name in VISIBLE[persona] else 404
        assert client.get(url("place-detail", place.pk)).status_code == expected, (persona, name)
        assert client.get(url("place-history", place.pk)).status_code == expected, (persona, name)


def test_anonymous_users_are_sent_to_login(client, world):
    for page in [url("place-list"), url("place-detail", world.shop_a.pk), url("place-create"),
                 url("place-edit", world.shop_a.pk), url("place-history", world.shop_a.pk),
                 url("place-sign", world.shop_a.pk), url("ruleset-active"), url("ruleset-edit")]:
        response = client.get(page)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], page


def test_list_shows_badge_authority_grid_and_flag_labels(client, world):
    client.force_login(world.street_officer)
    html = body(client.get(url("place-list")))
    assert 'class="badge badge-orange">High (orange)' in html  # the mall
    assert "Police station" in html and "桥河二网格" in html
    assert "Large mall/market" in html and "Key control" in html  # flag labels, not codes
    assert "large_mall" not in html.split("<table")[1]
    assert url("place-create") in html
    # the ledger links appear only once their pages exist
    assert "Export xlsx" not in html or url("place-export") in html


def test_flag_labels_follow_the_language(world):
    from django.test import Client

    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(world.street_officer)
    assert "大型商场市场" in body(client.get(url("place-list")))


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"kind": "mall_market"}, {"mall_a"}),
        ({"risk_level": "high"}, {"mall_a"}),
        ({"risk_level": "low"}, {"shop_a", "school_a", "hotel_b"}),
        ({"authority": "police_station"}, {"hotel_b"}),
        ({"flag": "nine_small"}, {"shop_a", "hotel_b"}),
        ({"is_key_unit": "true"}, {"mall_a"}),
        ({"within": "T5010102"}, {"hotel_b"}),
        ({"within": "T501"}, {"shop_a", "mall_a", "school_a", "hotel_b"}),
        ({"within": "T502"}, set()),  # outside the street officer's scope
        ({"q": "便利"}, {"shop_a"}),
        ({"q": "古南商场地址"}, {"mall_a"}),
        ({"sector": "education"}, {"school_a"}),
    ],
)
def test_filters(client, world, query, expected):
    client.force_login(world.street_officer)
    response = client.get(url("place-list"), query)
    assert response.status_code == 200
    assert listed(response) == {getattr(world, name).name for name in expected}, query


def test_search_finds_credit_code_and_place_code(client, world):
    Place.objects.filter(pk=world.school_a.pk).update(credit_code="91500110MA5U5N7X2C")
    client.force_login(world.street_officer)
    assert listed(client.get(url("place-list"), {"q": "91500110ma5u5n7x2c"})) == {world.school_a.name}
    assert listed(client.get(url("place-list"), {"q": world.hotel_b.code.lower()})) == {world.hotel_b.name}


def test_due_filter(client, world):
    import datetime

    from firegrid.places.actions import mark_inspected

    mark_inspected(world.shop_a, datetime.date.today())
    client.force_login(world.grid_worker_a)
    assert listed(client.get(url("place-list"), {"due": "true"})) == {world.mall_a.name, world.school_a.name}
    assert listed(client.get(url("place-list"), {"due": "false"})) == {world.shop_a.name}


def test_detail_shows_grade_reasons_history_and_code(client, world):
    client.force_login(world.street_officer)
    mall = world.mall_a
    html = body(client.get(url("place-detail", mall.pk)))
    assert "Rules that decided it" in html
    assert "Mall/market with building area ≥ 1000 m² is a key unit" in html  # title in English
    assert "key-mall-1000" in html and "公通字〔2001〕97号" in html
    assert "Fire rescue detachment" in html and "Key control" in html
    assert "Registered" in html  # the grade event of its creation
    assert url("place-history", mall.pk) in html
    assert url("place-sign", mall.pk) in html
    assert url("place-qr-svg", mall.code) in html and url("place-qr-png", mall.code) in html
    assert url("place-public", mall.code) in html
    assert url("place-edit", mall.pk) in html


def test_detail_shows_people_owners_and_attributes(client, world):
    Place.objects.filter(pk=world.shop_a.pk).update(
        responsible_person="钱老板", responsible_phone="13900000001", manager_name="孙店长",
        manager_phone="13900000002",
    )
    client.force_login(world.grid_worker_a)
    html = body(client.get(url("place-detail", world.shop_a.pk)))
    for text in ["钱老板", "13900000001", "孙店长", "13900000002", "unit_owner", "Building area (m²)"]:
        assert text in html
    assert url("place-edit", world.shop_a.pk) not in html  # grid workers do not edit places


def test_grade_change_history_shows_old_and_new(client, world):
    client.force_login(world.street_officer)
    hotel = world.hotel_b
    form = place_data(hotel, rooms=60)
    response = client.post(url("place-edit", hotel.pk), form)
    assert response.status_code == 302, response.context["form"].errors
    html = body(client.get(url("place-detail", hotel.pk)))
    assert "Attributes changed" in html
    assert "Police station → Fire rescue detachment" in html
    assert "Low (blue) → High (orange)" in html


# ---- forms ----------------------------------------------------------------------------------

def place_data(place=None, **changes):
    data = {
        "name": "新登记网吧", "kind": "internet_cafe", "status": "active", "credit_code": "",
        "address": "桥河路1号", "lat": "28.03", "lng": "106.03", "residential_area": "",
        "responsible_person": "", "responsible_phone": "", "manager_name": "", "manager_phone": "",
        "public_commitment": "",
    }
    if place is not None:
        for name in list(data):
            value = getattr(place, name)
            data[name] = "" if value is None else (value.pk if hasattr(value, "pk") else value)
        for name in ["building_area", "area_above_ground", "area_underground", "height_m", "floors_above",
                     "floors_below", "built_year", "rooms", "beds", "children", "boarding_beds",
                     "staff_count", "occupants", "households"]:
            value = getattr(place, name)
            if value is not None:
                data[name] = value
    data.update(changes)
    return data


def test_create_grades_the_place_and_shows_the_deciding_rule(client, world):
    client.force_login(world.street_officer)
    assert client.get(url("place-create")).status_code == 200
    response = client.post(url("place-create"), place_data(building_area=250))
    assert response.status_code == 302, response.context["form"].errors
    place = Place.objects.get(name="新登记网吧")
    assert place.region == world.grid_a and place.sector == "culture_tourism"
    assert place.is_key_unit and place.authority == "detachment"
    assert PlaceGradeEvent.objects.filter(place=place, cause="created").exists()
    page = client.get(response["Location"])
    html = body(page)
    assert "Graded High (orange), supervised by Fire rescue detachment" in html
    assert "Public entertainment venue ≥ 200 m² is a key unit" in html


def test_coordinates_outside_the_district_are_a_form_error(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("place-create"), place_data(lat="30.5", lng="110.1"))
    assert response.status_code == 200
    assert "outside every grid of the district" in body(response)
    assert not Place.objects.filter(name="新登记网吧").exists()


def test_street_officer_cannot_create_in_another_street(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("place-create"), place_data(lat="28.05", lng="106.55"))
    assert response.status_code == 200
    assert "outside your jurisdiction" in body(response)
    assert not Place.objects.filter(name="新登记网吧").exists()


def test_street_officer_cannot_move_a_place_out_of_the_street(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("place-edit", world.shop_a.pk), place_data(world.shop_a, lng="106.55"))
    assert response.status_code == 200 and "outside your jurisdiction" in body(response)
    world.shop_a.refresh_from_db()
    assert world.shop_a.region == world.grid_a


def test_model_rules_show_as_form_errors(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("place-create"), place_data(self_built_uses=["homestay"], building_area="-5"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "self_built_uses" in form.errors and "building_area" in form.errors
    bad_code = client.post(url("place-create"), place_data(credit_code="91500110MA5U5N7X2D"))
    assert "credit_code" in bad_code.context["form"].errors


def test_self_built_house_uses_are_checkboxes_and_grade(client, world):
    client.force_login(world.street_officer)
    html = body(client.get(url("place-create")))
    assert 'type="checkbox" name="self_built_uses" value="homestay"' in html
    data = place_data(name="自建民宿", kind="self_built_house", self_built_uses=["homestay", "rental"],
                      occupants="11")
    response = client.post(url("place-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    place = Place.objects.get(name="自建民宿")
    assert place.self_built_uses == ["homestay", "rental"]
    assert "key_control" in place.flag_list and place.inspections_per_year == 2


def test_unit_owner_edits_own_place_but_cannot_create(client, world):
    client.force_login(world.unit_owner)
    assert client.get(url("place-create")).status_code == 404
    assert client.post(url("place-create"), place_data()).status_code == 404
    assert client.get(url("place-edit", world.mall_a.pk)).status_code == 404
    response = client.get(url("place-edit", world.shop_a.pk))
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {
        "responsible_person", "responsible_phone", "manager_name", "manager_phone", "public_commitment"
    }
    response = client.post(url("place-edit", world.shop_a.pk), {
        "responsible_person": "钱老板", "responsible_phone": "13900000001", "manager_name": "",
        "manager_phone": "", "public_commitment": "我们承诺：每日防火巡查。", "building_area": "1",
    })
    assert response.status_code == 302
    world.shop_a.refresh_from_db()
    assert world.shop_a.public_commitment == "我们承诺：每日防火巡查。"
    assert world.shop_a.building_area == 80  # not a field an owner changes
    assert "New place" not in body(client.get(url("place-list")))


@pytest.mark.parametrize("persona", ["grid_worker_a", "police_officer", "dept_staff", "nobody"])
def test_non_writers_cannot_create_or_edit(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url("place-create")).status_code == 404
    for place in [world.shop_a, world.hotel_b, world.school_a]:
        assert client.get(url("place-edit", place.pk)).status_code == 404


def test_edit_through_the_page_is_in_the_history(client, world):
    client.force_login(world.street_officer)
    data = place_data(world.shop_a, name="桥河便利店二号")
    response = client.post(url("place-edit", world.shop_a.pk), data)
    assert response.status_code == 302
    html = body(client.get(url("place-history", world.shop_a.pk)))
    assert "桥河便利店 → 桥河便利店二号" in html and "street_officer" in html


# ---- grading rules --------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["street_officer", "police_officer", "district_admin"])
def test_rules_page_renders_the_rule_table(client, world, persona):
    client.force_login(getattr(world, persona))
    response = client.get(url("ruleset-active"))
    assert response.status_code == 200
    html = body(response)
    assert "qijiang-2026.1" in html and "in force" in html
    assert "key-hotel-50-rooms" in html and "Hotel with ≥ 50 guest rooms is a key unit" in html
    assert "Kind in [Hotel/guesthouse]; Guest rooms ≥ 50" in html
    assert "(Building area (m²) &lt; 300 or Building area (m²) not given)" in html
    assert "Key unit (detachment); risk: High (orange)" in html
    assert "Self-built house in business use" in html  # a flag label
    assert (url("ruleset-edit") in html) == (persona == "district_admin")
    ruleset = GradingRuleSet.active()
    assert client.get(url("ruleset-detail", ruleset.pk)).status_code == 200


@pytest.mark.parametrize("persona", ["grid_worker_a", "unit_owner", "nobody", "dept_staff"])
def test_rules_pages_are_404_outside_scope(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url("ruleset-active")).status_code == 404
    assert client.get(url("ruleset-detail", GradingRuleSet.active().pk)).status_code == 404
    assert client.get(url("ruleset-edit")).status_code == 404


@pytest.mark.parametrize("persona", ["street_officer", "police_officer"])
def test_only_the_district_admin_edits_rules(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url("ruleset-edit")).status_code == 404
    assert client.post(url("ruleset-edit"), {"document": "{}"}).status_code == 404


def edited_rules(rooms=10, version="qijiang-2026.2"):
    document = read_rules_file()
    document["version"] = version
    for rule in document["rules"]:
        if rule["id"] == "key-hotel-50-rooms":
            rule["when"]["all"][1]["gte"] = rooms
    return json.dumps(document, ensure_ascii=False)


def test_district_admin_edits_rules_into_a_new_version_that_regrades(client, world):
    client.force_login(world.district_admin)
    response = client.get(url("ruleset-edit"))
    assert response.status_code == 200
    suggested = json.loads(response.context["form"].initial["document"])
    assert suggested["version"] == "qijiang-2026.2"
    response = client.post(url("ruleset-edit"), {"document": edited_rules(rooms=10)}, follow=True)
    assert response.redirect_chain[-1][0] == url("ruleset-active")
    active = GradingRuleSet.active()
    assert active.version == "qijiang-2026.2" and active.created_by == world.district_admin
    assert "Rules qijiang-2026.2 are in force; 1 place changed grade." in body(response)
    world.hotel_b.refresh_from_db()
    assert world.hotel_b.is_key_unit and world.hotel_b.authority == "detachment"
    assert world.hotel_b.ruleset == active
    assert GradingRuleSet.objects.count() == 2
    html = body(client.get(url("place-detail", world.hotel_b.pk)))
    assert "Rules changed" in html and "qijiang-2026.2" in html


@pytest.mark.parametrize(
    "document, problem",
    [
        ('{"version": "x", ', "This is not valid JSON"),
        (edited_rules(version="qijiang-2026.1"), "Version qijiang-2026.1 exists already"),
        (
            edited_rules(rooms=7).replace('"gte": 7}', '"gte": "seven"}'),
            "rule key-hotel-50-rooms.when.all[1]: 'gte' compares with a number",
        ),
        (edited_rules().replace('"attr": "rooms"', '"attr": "stars"'), "unknown attribute 'stars'"),
        (edited_rules().replace('"evidence": "R"', '"evidence": "maybe"', 1), "'evidence' is V"),
        ('["not", "an", "object"]', "the rule set must be a JSON object"),
    ],
)
def test_bad_rules_are_form_errors_and_create_no_version(client, world, document, problem):
    client.force_login(world.district_admin)
    response = client.post(url("ruleset-edit"), {"document": document})
    assert response.status_code == 200
    assert problem in response.context["form"].errors["document"][0]
    assert GradingRuleSet.objects.count() == 1
    assert GradingRuleSet.active().version == "qijiang-2026.1"


def test_a_too_long_version_is_a_form_error(client, world):
    client.force_login(world.district_admin)
    response = client.post(url("ruleset-edit"), {"document": edited_rules(version="v" * 50)})
    assert response.status_code == 200
    assert "version" in response.context["form"].errors["document"][0]
    assert GradingRuleSet.objects.count() == 1


def test_nav_links(client, world):
    client.force_login(world.street_officer)
    html = body(client.get(url("home")))
    assert url("place-list") in html and url("ruleset-active") in html
    client.force_login(world.grid_worker_a)
    html = body(client.get(url("home")))
    assert url("place-list") in html and url("ruleset-active") not in html


def test_region_suggestions_follow_the_scope(client, world):
    client.force_login(world.grid_worker_a)
    html = body(client.get(url("place-list")))
    assert '<option value="T5010101">' in html and '<option value="T5010102">' not in html
    client.force_login(world.district_admin)
    html = body(client.get(url("place-list")))
    assert html.index('<option value="T501">') < html.index('<option value="T5010101">')  # widest first
