"""Server-rendered pages of the organisation registry: rendering per persona, scoping, forms, htmx."""

import datetime
import re

import pytest
from django.urls import reverse

from firegrid.core.models import AuditEvent
from firegrid.core.roles import Role
from firegrid.org.models import FireManager, OrgMember, Qualification, Region, RoleAssignment, User

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, *args):
    return reverse(name, args=args)


def body(response):
    return response.content.decode()


def private_pages(w):
    """Every private page with an object that the street officer of 古南街道 may see."""
    return [
        url("home"),
        url("region-list"),
        url("region-detail", w.street.pk),
        url("region-children", w.street.pk),
        url("region-create"),
        url("region-edit", w.community.pk),
        url("region-delete", w.grid_b.pk),
        url("region-history", w.community.pk),
        url("compliance"),
        url("compliance-street", w.street.pk),
        url("unit-list"),
        url("unit-detail", w.station.pk),
        url("unit-create"),
        url("unit-edit", w.station.pk),
        url("unit-delete", w.team.pk),
        url("unit-history", w.station.pk),
        url("member-add", w.station.pk),
        url("staff-list"),
        url("staff-detail", w.grid_worker_a.pk),
        url("staff-create"),
        url("staff-edit", w.grid_worker_a.pk),
        url("staff-history", w.grid_worker_a.pk),
        url("role-add", w.grid_worker_a.pk),
        url("qualification-add", w.grid_worker_a.pk),
        url("area-list"),
        url("area-detail", w.area_a.pk),
        url("area-create"),
        url("area-edit", w.area_a.pk),
        url("area-delete", w.area_b.pk),
        url("area-history", w.area_a.pk),
        url("area-card", w.area_a.pk),
        url("manager-create", w.area_b.pk),
        url("manager-list"),
        url("manager-detail", w.manager_a.pk),
        url("manager-edit", w.manager_a.pk),
        url("manager-delete", w.manager_a.pk),
        url("manager-history", w.manager_a.pk),
    ]


# ---- access -------------------------------------------------------------------------------

def test_anonymous_users_are_sent_to_login_from_every_private_page(client, world):
    login = reverse("login")
    for page in private_pages(world):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(login), page


def test_street_officer_opens_every_page(client, world):
    client.force_login(world.street_officer)
    for page in private_pages(world):
        if page.endswith("card.pdf"):
            continue  # covered in test_cards
        response = client.get(page)
        assert response.status_code == 200, page


@pytest.mark.parametrize(
    "persona",
    ["district_admin", "street_officer", "street2_officer", "grid_worker_a", "police_officer", "dept_staff",
     "unit_owner", "nobody"],
)
def test_lists_and_home_render_for_every_persona(client, world, persona):
    client.force_login(getattr(world, persona))
    for name in ["home", "region-list", "unit-list", "staff-list", "area-list", "manager-list", "compliance"]:
        response = client.get(url(name))
        assert response.status_code == 200, (persona, name)
        assert 'name="viewport"' in body(response)


def test_base_layout(client, world):
    client.force_login(world.street_officer)
    page = body(client.get(url("home"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "hx-headers='{\"X-CSRFToken\": \"" in page
    assert "/static/vendor/htmx-2.0.11/htmx.min.js" in page
    assert "/static/vendor/pico-2.1.1/pico.red.min.css" in page
    assert url("region-list") in page and url("compliance") in page and "/api/v1/docs/" in page
    assert 'action="/i18n/setlang/"' in page
    assert f'action="{reverse("logout")}" method="post"' in page
    assert "/admin/" not in page  # not a staff user
    assert "<strong>street_officer</strong>" in page and "Street/town fire officer" in page


def test_grid_worker_sees_only_grid_a(client, world):
    w = world
    w.manager_b = FireManager.objects.create(area=w.area_b, name="孙管理员", phone="13800000002")
    client.force_login(w.grid_worker_a)
    for page in [url("area-detail", w.area_a.pk), url("manager-detail", w.manager_a.pk),
                 url("unit-detail", w.micro_a.pk), url("region-detail", w.grid_a.pk)]:
        assert client.get(page).status_code == 200, page
    for page in [url("area-detail", w.area_b.pk), url("area-history", w.area_b.pk),
                 url("area-card", w.area_b.pk), url("manager-detail", w.manager_b.pk),
                 url("unit-detail", w.micro_b.pk),
                 url("region-detail", w.grid_b.pk), url("region-detail", w.street2.pk),
                 url("unit-detail", w.station2.pk), url("area-detail", w.area_s2.pk),
                 url("compliance-street", w.street.pk), url("staff-detail", w.street2_officer.pk)]:
        assert client.get(page).status_code == 404, page
    areas = body(client.get(url("area-list")))
    assert "桥河小区" in areas and "河滨小区" not in areas and "沙溪小区" not in areas


def test_street2_officer_gets_404_on_the_other_street(client, world):
    w = world
    client.force_login(w.street2_officer)
    for page in [url("region-detail", w.street.pk), url("region-edit", w.community.pk),
                 url("unit-detail", w.station.pk), url("unit-edit", w.station.pk),
                 url("area-detail", w.area_a.pk), url("manager-detail", w.manager_a.pk),
                 url("staff-detail", w.grid_worker_a.pk), url("compliance-street", w.street.pk),
                 url("member-add", w.station.pk), url("role-add", w.grid_worker_a.pk),
                 url("manager-create", w.area_b.pk)]:
        assert client.get(page).status_code == 404, page
    compliance = body(client.get(url("compliance")))
    assert "文龙街道" in compliance and "古南街道" not in compliance


def test_edit_pages_are_404_for_grid_workers_and_show_no_edit_buttons(client, world):
    w = world
    client.force_login(w.grid_worker_a)
    for page in [url("region-edit", w.grid_a.pk), url("region-delete", w.grid_a.pk), url("region-create"),
                 url("unit-edit", w.micro_a.pk), url("unit-create"), url("area-edit", w.area_a.pk),
                 url("area-create"), url("manager-edit", w.manager_a.pk), url("staff-create"),
                 url("staff-edit", w.grid_worker_a.pk), url("member-add", w.micro_a.pk),
                 url("role-add", w.grid_worker_a.pk), url("manager-delete", w.manager_a.pk)]:
        assert client.get(page).status_code == 404, page
    post = client.post(url("area-edit", w.area_a.pk), {"name": "x"})
    assert post.status_code == 404
    detail = body(client.get(url("area-detail", w.area_a.pk)))
    assert url("area-edit", w.area_a.pk) not in detail
    assert url("area-history", w.area_a.pk) in detail


@pytest.mark.parametrize("persona", ["police_officer", "dept_staff", "unit_owner"])
def test_non_writers_cannot_create(client, world, persona):
    client.force_login(getattr(world, persona))
    for name in ["region-create", "unit-create", "area-create", "staff-create"]:
        assert client.get(url(name)).status_code == 404, name


# ---- regions ------------------------------------------------------------------------------

def test_region_tree_starts_at_the_topmost_visible_regions(client, world):
    client.force_login(world.street_officer)
    page = body(client.get(url("region-list")))
    assert "古南街道" in page and "测试区" not in page and "文龙街道" not in page
    assert f'hx-get="{url("region-children", world.street.pk)}"' in page
    children = client.get(url("region-children", world.street.pk), **HTMX)
    assert "桥河社区" in body(children) and "石佛村" in body(children)
    assert "<html" not in body(children)


def test_region_detail_draws_the_boundary_and_links_compliance(client, world):
    client.force_login(world.district_admin)
    page = body(client.get(url("region-detail", world.street.pk)))
    assert '<svg class="boundary"' in page and 'class="shape-main" d="M' in page
    assert page.count('class="shape-child"') == 2  # 桥河社区, 石佛村
    assert url("compliance-street", world.street.pk) in page
    assert "T501" in page


def test_street_officer_creates_a_region_in_the_street(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("region-create"), {
        "level": "grid", "code": "T5010103", "name": "桥河三网格", "parent": "T50101",
        "boundary": '{"type": "Polygon", "coordinates": [[[106.0, 28.1], [106.1, 28.1], [106.1, 28.2], '
                    '[106.0, 28.1]]]}',
    })
    region = Region.objects.get(code="T5010103")
    assert response.status_code == 302 and response["Location"] == url("region-detail", region.pk)
    assert region.path == "/T500/T501/T50101/T5010103/"


def test_street_officer_cannot_create_a_region_in_another_street(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("region-create"), {"level": "community", "code": "T50299", "name": "外社区",
                                                  "parent": "T502"})
    assert response.status_code == 200
    assert "No region with this code in your jurisdiction." in body(response)
    assert not Region.objects.filter(code="T50299").exists()
    # nor a new district outside every street
    response = client.post(url("region-create"), {"level": "district", "code": "T900", "name": "外区"})
    assert response.status_code == 200 and not Region.objects.filter(code="T900").exists()


def test_model_clean_errors_show_on_the_region_form(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("region-create"), {"level": "grid", "code": "T5019", "name": "错层",
                                                  "parent": "T501", "boundary": '{"type": "Point"}'})
    assert response.status_code == 200
    page = body(response)
    assert "The parent of a" in page or "的上级" in page
    assert "Polygon" in page


def test_street_officer_edits_own_street_without_touching_its_parent(client, world):
    client.force_login(world.street_officer)
    form = client.get(url("region-edit", world.street.pk))
    assert form.status_code == 200 and "disabled" in body(form)
    response = client.post(url("region-edit", world.street.pk), {
        "kind": "street", "code": "T501", "name": "古南街道（新）", "population": "12000",
    })
    assert response.status_code == 302, body(response)
    world.street.refresh_from_db()
    assert world.street.name == "古南街道（新）" and world.street.parent == world.district


def test_history_lists_an_edit_made_through_the_page(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("area-edit", world.area_a.pk), {
        "kind": "compound", "name": "桥河新小区", "region": "T5010101", "households": "300",
    })
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_id=str(world.area_a.pk), action="update").latest("at")
    assert event.actor == world.street_officer and event.source == "page"
    page = body(client.get(url("area-history", world.area_a.pk)))
    assert "桥河新小区" in page and "桥河小区" in page and "street_officer" in page
    client.post(url("area-edit", world.area_a.pk), {"kind": "villager_group", "name": "桥河新小区",
                                                   "region": "T5010102"})
    page = body(client.get(url("area-history", world.area_a.pk), HTTP_ACCEPT_LANGUAGE="en"))
    assert "桥河一网格 → 桥河二网格" in page  # related objects by name, not id
    assert "Residential compound → Villager group" in page  # choices by label


def test_region_delete_is_refused_while_units_depend_on_it(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("region-delete", world.grid_a.pk))
    assert response.status_code == 302
    assert Region.objects.filter(pk=world.grid_a.pk).exists()
    empty = Region.objects.create(code="T5010199", name="空网格", level="grid", parent=world.community)
    assert client.post(url("region-delete", empty.pk)).status_code == 302
    assert not Region.objects.filter(pk=empty.pk).exists()


# ---- org units ----------------------------------------------------------------------------

def test_unit_list_filters_and_search(client, world):
    client.force_login(world.district_admin)
    page = body(client.get(url("unit-list"), {"kind": "micro_station"}))
    assert "桥河小区微型消防站" in page and "古南街道消防工作站" not in page
    page = body(client.get(url("unit-list"), {"region": "T502"}))
    assert "文龙街道消防工作站" in page and "古南街道消防工作站" not in page
    page = body(client.get(url("unit-list"), {"q": "派出所"}))
    assert "古南派出所" in page and "区教委" not in page


def test_unit_form_shows_the_fields_of_the_chosen_kind(client, world):
    client.force_login(world.street_officer)
    page = body(client.get(url("unit-create"), {"kind": "micro_station"}))
    assert 'name="owner_kind"' in page and 'name="duty_phone"' in page and 'name="team_type"' not in page
    page = body(client.get(url("unit-create"), {"kind": "fire_team"}, **HTMX))
    assert 'name="team_type"' in page and 'name="owner_kind"' not in page
    page = body(client.get(url("unit-create"), {"kind": "department"}))
    assert 'name="sectors"' in page


def test_street_officer_creates_a_micro_station_but_not_in_another_street(client, world):
    client.force_login(world.street_officer)
    data = {"kind": "micro_station", "name": "石佛村微型消防站", "region": "T50102", "is_active": "on",
            "owner_kind": "community", "duty_phone": "023-1234"}
    response = client.post(url("unit-create"), data)
    assert response.status_code == 302, body(response)
    data |= {"name": "沙溪微站", "region": "T5020101"}
    response = client.post(url("unit-create"), data)
    assert response.status_code == 200
    assert "No region with this code in your jurisdiction." in body(response)
    data |= {"region": "T5010101", "owner_kind": "compound", "residential_area": str(world.area_s2.pk)}
    response = client.post(url("unit-create"), data)
    assert response.status_code == 200 and "errorlist" in body(response)


def test_unit_model_rules_show_as_form_errors(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("unit-create"), {"kind": "fire_team", "name": "队", "region": "T501",
                                                "is_active": "on"})
    assert response.status_code == 200
    assert "full-time or volunteer" in body(response) or "errorlist" in body(response)
    response = client.post(url("unit-create"), {"kind": "work_station", "name": "第二站", "region": "T501",
                                                "is_active": "on"})
    assert response.status_code == 200 and "already has an active" in body(response)


def test_members_are_added_edited_and_removed_in_place(client, world):
    client.force_login(world.street_officer)
    new_member = {"member-name": "陈专管员", "member-position": "officer", "member-full_time": "on"}
    add = client.post(url("member-add", world.station.pk), new_member, **HTMX)
    assert add.status_code == 200
    assert 'id="members"' in body(add) and "陈专管员" in body(add) and "<html" not in body(add)
    member = OrgMember.objects.get(name="陈专管员")
    edit_form = client.get(url("member-edit", world.station.pk, member.pk), **HTMX)
    assert f'name="edit-{member.pk}-name"' in body(edit_form)
    save = client.post(url("member-edit", world.station.pk, member.pk),
                       {f"edit-{member.pk}-name": "陈站长", f"edit-{member.pk}-position": "director"}, **HTMX)
    assert "陈站长" in body(save)
    invalid = client.post(url("member-add", world.station.pk), {"member-name": ""}, **HTMX)
    assert invalid.status_code == 200 and "errorlist" in body(invalid)
    remove = client.post(url("member-delete", world.station.pk, member.pk), **HTMX)
    assert remove.status_code == 200 and "陈站长" not in body(remove)
    assert not OrgMember.objects.filter(pk=member.pk).exists()
    # without htmx the same post redirects back to the unit
    again = client.post(url("member-add", world.station.pk),
                        {"member-name": "吴", "member-position": "member"})
    assert again.status_code == 302 and again["Location"] == url("unit-detail", world.station.pk)


def test_members_of_another_street_cannot_be_touched(client, world):
    client.force_login(world.street2_officer)
    member = world.station.members.first()
    assert client.post(url("member-delete", world.station.pk, member.pk), **HTMX).status_code == 404
    assert client.post(url("member-delete", world.station2.pk, member.pk), **HTMX).status_code == 404
    assert OrgMember.objects.filter(pk=member.pk).exists()


# ---- staff --------------------------------------------------------------------------------

def test_street_officer_creates_staff_in_own_units_only(client, world):
    client.force_login(world.street_officer)
    data = {"username": "new_worker", "full_name": "新网格员", "org_unit": str(world.group.pk),
            "password1": "a-long-enough-Pass-42", "password2": "a-long-enough-Pass-42"}
    response = client.post(url("staff-create"), data)
    assert response.status_code == 302, body(response)
    person = User.objects.get(username="new_worker")
    assert person.check_password("a-long-enough-Pass-42")
    assert not person.is_staff and not person.is_superuser
    elsewhere = data | {"username": "other", "org_unit": str(world.station2.pk)}
    response = client.post(url("staff-create"), elsewhere)
    assert response.status_code == 200 and not User.objects.filter(username="other").exists()
    response = client.post(url("staff-create"), data | {"username": "weak", "password1": "123",
                                                        "password2": "123"})
    assert response.status_code == 200 and not User.objects.filter(username="weak").exists()


def test_inspector_role_without_qualification_is_a_form_error(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("role-add", world.grid_worker_a.pk),
                           {"role-role": "inspector", "role-region": "T501",
                            "role-starts_on": datetime.date.today().isoformat()}, **HTMX)
    assert response.status_code == 200
    assert "no valid enforcement qualification" in body(response) or "执法资格" in body(response)
    assert not RoleAssignment.objects.filter(user=world.grid_worker_a, role=Role.INSPECTOR).exists()
    # without htmx: the same error on a page, still not a 500
    response = client.post(url("role-add", world.grid_worker_a.pk),
                           {"role-role": "inspector", "role-region": "T501",
                            "role-starts_on": datetime.date.today().isoformat()})
    assert response.status_code == 200 and "errorlist" in body(response)


def test_qualification_then_inspector_role_then_removal(client, world):
    client.force_login(world.street_officer)
    person = world.grid_worker_a
    today = datetime.date.today()
    response = client.post(url("qualification-add", person.pk), {
        "qualification-kind": "enforcement", "qualification-certificate_no": "ZF-1",
        "qualification-passed_on": (today - datetime.timedelta(days=1)).isoformat(),
        "qualification-expires_on": (today + datetime.timedelta(days=365)).isoformat(),
    }, **HTMX)
    assert response.status_code == 200 and "ZF-1" in body(response)
    bad = client.post(url("qualification-add", person.pk), {
        "qualification-kind": "training", "qualification-passed_on": today.isoformat(),
        "qualification-expires_on": (today - datetime.timedelta(days=3)).isoformat(),
    }, **HTMX)
    assert bad.status_code == 200 and "errorlist" in body(bad)
    response = client.post(url("role-add", person.pk), {"role-role": "inspector", "role-region": "T50101",
                                                         "role-starts_on": today.isoformat()}, **HTMX)
    assert response.status_code == 200 and "errorlist" not in body(response)
    assignment = RoleAssignment.objects.get(user=person, role=Role.INSPECTOR)
    duplicate = client.post(url("role-add", person.pk), {"role-role": "inspector", "role-region": "T50101",
                                                          "role-starts_on": today.isoformat()}, **HTMX)
    assert duplicate.status_code == 200 and "errorlist" in body(duplicate)
    removed = client.post(url("role-delete", person.pk, assignment.pk), **HTMX)
    assert removed.status_code == 200 and not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    qualification = Qualification.objects.get(user=person, certificate_no="ZF-1")
    client.post(url("qualification-delete", person.pk, qualification.pk), **HTMX)
    assert not Qualification.objects.filter(pk=qualification.pk).exists()


def test_role_outside_the_users_street_is_a_form_error(client, world):
    client.force_login(world.district_admin)
    response = client.post(url("role-add", world.grid_worker_a.pk),
                           {"role-role": "grid_worker", "role-region": "T5020101",
                            "role-starts_on": datetime.date.today().isoformat()}, **HTMX)
    assert response.status_code == 200
    assert "cannot be assigned outside it" in body(response) or "errorlist" in body(response)


def test_street_officer_cannot_hand_out_district_roles(client, world):
    client.force_login(world.street_officer)
    page = body(client.get(url("staff-detail", world.grid_worker_a.pk)))
    assert 'value="district_admin"' not in page and 'value="inspector"' in page
    response = client.post(url("role-add", world.grid_worker_a.pk),
                           {"role-role": "district_admin", "role-region": "T500",
                            "role-starts_on": datetime.date.today().isoformat()}, **HTMX)
    assert response.status_code == 200 and "errorlist" in body(response)
    assert not RoleAssignment.objects.filter(user=world.grid_worker_a, role="district_admin").exists()


def test_staff_detail_does_not_replace_the_signed_in_user(client, world):
    client.force_login(world.street_officer)
    page = body(client.get(url("staff-detail", world.grid_worker_a.pk)))
    assert "grid_worker_a" in page
    assert '<span class="nav-user">\n            <strong>street_officer</strong>' in page


# ---- areas, managers, public page ----------------------------------------------------------

def test_area_and_manager_forms(client, world):
    client.force_login(world.street_officer)
    response = client.post(url("area-create"),
                           {"kind": "villager_group", "name": "石佛一组", "region": "T50102"})
    assert response.status_code == 302, body(response)
    response = client.post(url("area-create"), {"kind": "compound", "name": "外小区", "region": "T5020101"})
    assert response.status_code == 200 and "No region with this code in your jurisdiction." in body(response)
    response = client.post(url("area-create"), {"kind": "compound", "name": "街道小区", "region": "T501"})
    assert response.status_code == 200  # a compound lies in a community or grid
    response = client.post(url("manager-create", world.area_b.pk),
                           {"name": "孙管理员", "phone": "13800000002"})
    assert response.status_code == 302
    manager = FireManager.objects.get(area=world.area_b)
    assert response["Location"] == url("manager-detail", manager.pk)
    assert client.get(url("manager-create", world.area_b.pk)).status_code == 404  # it has one now


# ---- compliance ---------------------------------------------------------------------------

def test_compliance_table_and_street_gaps(client, world):
    client.force_login(world.district_admin)
    page = body(client.get(url("compliance")))
    assert "古南街道" in page and "文龙街道" in page and "badge-red" in page
    street = body(client.get(url("compliance-street", world.street.pk)))
    assert "石佛村" in street  # no fire work group there
    assert "河滨小区" in street  # no fire manager
    assert client.get(url("compliance-street", world.community.pk)).status_code == 404  # not a street


def test_compliance_is_empty_for_a_grid_worker(client, world):
    client.force_login(world.grid_worker_a)
    page = body(client.get(url("compliance")))
    assert "古南街道" not in page


# ---- login ---------------------------------------------------------------------------------

def test_login_and_locked_out_pages(client, world, settings):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and 'name="password"' in body(page)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "grid_worker_a", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "grid_worker_a", "password": "wrong"})
    assert locked.status_code == 429
    assert "locked" in body(locked).lower() or "锁定" in body(locked)


def test_vendored_assets_and_stylesheet_are_served_from_static():
    from django.contrib.staticfiles import finders

    for path in ["vendor/htmx-2.0.11/htmx.min.js", "vendor/pico-2.1.1/pico.red.min.css", "css/firegrid.css"]:
        assert finders.find(path), path


def test_kind_switch_keeps_what_was_typed(client, world):
    client.force_login(world.street_officer)
    switch = {"kind": "micro_station", "name": "改名"}
    page = body(client.get(url("unit-edit", world.team.pk), switch, **HTMX))
    assert 'value="改名"' in page and 'name="owner_kind"' in page and 'name="team_type"' not in page
    active = re.search(r'<input[^>]*name="is_active"[^>]*>', page).group(0)
    assert "checked" not in active  # unticked before the switch, still unticked
    page = body(client.get(url("unit-edit", world.team.pk), {"kind": "fire_team", "is_active": "on"}, **HTMX))
    assert "checked" in re.search(r'<input[^>]*name="is_active"[^>]*>', page).group(0)
