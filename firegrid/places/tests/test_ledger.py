"""Excel ledgers: template, all-or-nothing import with row/column errors, scoped and filtered export."""

import io
import random
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from firegrid.core.models import AuditEvent
from firegrid.core.validators import credit_code_check_char
from firegrid.places import ledger
from firegrid.places.actions import save_place
from firegrid.places.models import Place, PlaceGradeEvent

IMPORT = "/places/ledger/import/"
API_IMPORT = "/api/v1/places/import/"


def credit_code(first17="91500222MA61ABCDE"):
    return first17 + credit_code_check_char(first17)


def bad_check_digit(code):
    wrong = "0" if code[-1] != "0" else "1"
    return code[:-1] + wrong


def shop(**overrides):
    """A valid row in grid A."""
    return {
        "name": "新建便利店",
        "kind": "shop",
        "address": "桥河路1号",
        "lat": 28.05,
        "lng": 106.03,
    } | overrides


def xlsx(rows, *, columns=None, headers=True):
    """An xlsx like the template: Chinese titles, field keys, then one row per dict."""
    columns = columns or [c.key for c in ledger.COLUMNS]
    wb = Workbook()
    ws = wb.active
    if headers:
        ws.append([ledger.COLUMN_BY_KEY[k].zh for k in columns])
        ws.append(columns)
    for row in rows:
        ws.append([row.get(k) for k in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(data, name="places.xlsx"):
    return SimpleUploadedFile(name, data, content_type=ledger.XLSX_TYPE)


def login(client, user):
    client.force_login(user)
    return client


def post_page(client, user, data, **extra):
    login(client, user)
    return client.post(IMPORT, {"file": upload(data), **extra})


def post_api(api_client, user, data, **extra):
    api_client.force_authenticate(user)
    return api_client.post(API_IMPORT, {"file": upload(data), **extra}, format="multipart")


def counts():
    return Place.objects.count(), PlaceGradeEvent.objects.count(), AuditEvent.objects.count()


def sheet_rows(response):
    body = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    keys = rows[1]
    return [dict(zip(keys, r)) for r in rows[2:]]  # a row ends at its last value


# ---- template ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_template_opens_with_kind_validation_and_notes(client, world):
    login(client, world.grid_worker_a)
    response = client.get(reverse("place-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == ledger.XLSX_TYPE
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [ledger.DATA_SHEET, ledger.NOTES_SHEET]
    ws = wb[ledger.DATA_SHEET]
    assert [c.value for c in ws[1]][:5] == ["名称", "类型", "地址", "纬度", "经度"]
    assert [c.value for c in ws[2]] == [c.key for c in ledger.COLUMNS]
    assert "Longitude" in ws["E1"].comment.text
    (kind_rule,) = [dv for dv in ws.data_validations.dataValidation if "B3" in str(dv.sqref)]
    assert kind_rule.type == "list"
    assert kind_rule.formula1.startswith(f"'{ledger.NOTES_SHEET}'!$C$")
    # the dropdown's range holds exactly the kinds
    notes = wb[ledger.NOTES_SHEET]
    first, last = (int(part.split("$")[-1]) for part in kind_rule.formula1.split("!")[1].split(":"))
    assert [notes.cell(row=r, column=2).value for r in range(first, last + 1)] == [
        code for code, _zh, _en in ledger.kind_rows()
    ]
    assert ws["A3"].value.startswith(ledger.EXAMPLE_MARK)


@pytest.mark.django_db
def test_filled_in_template_imports_and_skips_the_example(client, world):
    login(client, world.street_officer)
    wb = load_workbook(io.BytesIO(client.get(reverse("place-template")).content))
    ws = wb[ledger.DATA_SHEET]
    ws.append([shop().get(c.key) for c in ledger.COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    response = client.post(IMPORT, {"file": upload(out.getvalue())})
    assert response.status_code == 200, response.context.get("errors_shown") or response.context.get(
        "file_error"
    )
    assert response.context["result"].skipped == 1
    assert list(Place.objects.filter(name__startswith="新建").values_list("region__code", flat=True)) == [
        "T5010101"
    ]
    assert not Place.objects.filter(name__startswith=ledger.EXAMPLE_MARK).exists()


# ---- import: good files ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_valid_file_creates_graded_places_in_their_grids(client, world):
    rows = [
        shop(
            credit_code=credit_code(),
            responsible_phone=13800000000,
            building_area="１２０",
            has_fire_control_room="否",
        ),
        {
            "name": "河滨大酒店",
            "kind": "Hotel/guesthouse",
            "address": "河滨路 8 号",
            "lat": 28.05,
            "lng": 106.15,
            "rooms": 60,
        },  # kind by its label; 50+ rooms → key unit
        {
            "name": "沙溪市场",
            "kind": "mall_market",
            "address": "沙溪路3号",
            "lat": 28.05,
            "lng": 106.55,
            "area_underground": 600,
            "built_year": 1999,
        },
    ]
    before = counts()
    response = post_page(client, world.district_admin, xlsx(rows))
    assert response.status_code == 200, response.context.get("errors_shown")
    assert "Imported 3 places." in response.content.decode()
    assert Place.objects.count() == before[0] + 3

    new = {p.name: p for p in Place.objects.filter(name__in=["新建便利店", "河滨大酒店", "沙溪市场"])}
    assert {n: p.region.code for n, p in new.items()} == {
        "新建便利店": "T5010101",
        "河滨大酒店": "T5010102",
        "沙溪市场": "T5020101",
    }
    assert all(p.ruleset_id and p.graded_at for p in new.values())
    hotel = new["河滨大酒店"]
    assert hotel.is_key_unit and hotel.authority == "detachment"
    assert "key-hotel-50-rooms" in [r["id"] for r in hotel.grade_reasons]
    mall = new["沙溪市场"]
    assert mall.risk_level == "high" and "large_mall" in mall.flag_list and mall.sector == "commerce"
    shop_ = new["新建便利店"]
    assert (shop_.building_area, shop_.responsible_phone, shop_.credit_code) == (
        120,
        "13800000000",
        credit_code(),
    )
    assert shop_.address_key == "桥河路1号"
    for place in new.values():
        assert place.grade_events.get().cause == "created"
        event = AuditEvent.objects.get(object_id=str(place.pk), action="create", content_type__model="place")
        assert (event.actor, event.source) == (world.district_admin, "page")


@pytest.mark.django_db
def test_bulk_import_records_the_same_as_save_place(api_client, world):
    attrs = {"kind": "hotel", "lat": 28.05, "lng": 106.05, "rooms": 60, "building_area": 900}
    response = post_api(
        api_client, world.district_admin, xlsx([{"name": "导入旅馆", "address": "一号路", **attrs}])
    )
    assert response.status_code == 201, response.json()
    imported = Place.objects.get(name="导入旅馆")
    saved = save_place(Place(name="保存旅馆", address="二号路", **attrs), actor=world.district_admin)
    fields = [
        "region_id",
        "sector",
        "risk_level",
        "authority",
        "is_key_unit",
        "inspections_per_year",
        "flags",
        "grade_reasons",
        "ruleset_id",
        "next_inspection_due",
    ]
    saved.refresh_from_db()
    assert [getattr(imported, f) for f in fields] == [getattr(saved, f) for f in fields]
    assert imported.grade_events.get().new == saved.grade_events.get().new
    ev_imported, ev_saved = (
        AuditEvent.objects.get(object_id=str(p.pk), content_type__model="place") for p in (imported, saved)
    )
    assert set(ev_imported.changes) == set(ev_saved.changes)
    assert ev_imported.source == "api" and ev_imported.actor == world.district_admin


@pytest.mark.django_db
def test_dry_run_checks_and_writes_nothing(client, world):
    before = counts()
    response = post_page(client, world.district_admin, xlsx([shop()]), check="1")
    assert response.status_code == 200
    assert response.context["result"].dry_run and response.context["result"].rows == 1
    assert counts() == before


# ---- import: one bad row writes nothing --------------------------------------------------------------

BAD_ROWS = [
    (
        "bad-check-digit",
        {"credit_code": bad_check_digit(credit_code())},
        "统一社会信用代码 credit_code",
        "check character",
    ),
    ("negative-area", {"building_area": -5}, "建筑面积(㎡) building_area", "cannot be negative"),
    (
        "negative-underground",
        {"area_underground": "-1"},
        "地下面积(㎡) area_underground",
        "cannot be negative",
    ),
    ("unknown-kind", {"kind": "spaceport"}, "类型 kind", "Unknown kind"),
    ("outside-district", {"lat": 39.9, "lng": 116.4}, "经度 lng", "outside every grid"),
    ("swapped", {"lat": 106.05, "lng": 28.05}, "纬度 lat", "between -90 and 90"),
    ("not-a-number", {"lat": "北纬28度"}, "纬度 lat", "not a number"),
    ("missing-name", {"name": None}, "名称 name", "required"),
    ("missing-address", {"address": "  "}, "地址 address", "required"),
    ("fractional-floors", {"floors_above": 2.5}, "地上层数 floors_above", "whole number"),
    ("year-range", {"built_year": 3000}, "建成年份 built_year", "2100"),
    (
        "bad-use",
        {"kind": "self_built_house", "self_built_uses": "homestay, casino"},
        "自建房用途 self_built_uses",
        "casino",
    ),
    ("use-on-a-shop", {"self_built_uses": "rental"}, "自建房用途 self_built_uses", "Only a self-built house"),
    ("bad-yes-no", {"has_fire_control_room": "maybe"}, "消防控制室 has_fire_control_room", "是"),
    ("too-long", {"name": "长" * 201}, "名称 name", "at most 200"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "bad", "column", "fragment"), BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_one_bad_row_writes_nothing_and_names_row_and_column(client, world, case, bad, column, fragment):
    rows = [
        shop(name="好店一", address="好路1号"),
        shop(name="坏店", address="坏路2号") | bad,
        shop(name="好店二", address="好路3号", lng=106.15),
    ]
    before = counts()
    response = post_page(client, world.district_admin, xlsx(rows))
    assert response.status_code == 400
    assert counts() == before
    errors = [e.as_dict() for e in response.context["result"].errors]
    assert len(errors) == 1, errors
    assert errors[0]["row"] == 4  # two header rows, then the second data row
    assert errors[0]["column"] == column
    assert fragment in errors[0]["message"]
    page = response.content.decode()
    assert "Nothing was written" in page and column in page


@pytest.mark.django_db
def test_every_error_of_every_row_is_reported(client, world):
    rows = [
        shop(kind="spaceport", building_area=-1),
        shop(address="另一地址"),
        shop(address="第三地址", lat=1, lng=1, credit_code="123"),
    ]
    response = post_page(client, world.district_admin, xlsx(rows))
    got = [(e.row, e.column) for e in response.context["result"].errors]
    assert got == [
        (3, "类型 kind"),
        (3, "建筑面积(㎡) building_area"),
        (5, "经度 lng"),
        (5, "统一社会信用代码 credit_code"),
    ] or got == [
        (3, "类型 kind"),
        (3, "建筑面积(㎡) building_area"),
        (5, "统一社会信用代码 credit_code"),
        (5, "经度 lng"),
    ]
    assert not Place.objects.filter(address__in=["另一地址", "桥河路1号"]).exists()


@pytest.mark.django_db
def test_street_officer_cannot_import_into_another_street(client, world):
    rows = [shop(), shop(name="沙溪新店", address="沙溪路9号", lat=28.05, lng=106.55)]
    before = counts()
    response = post_page(client, world.street_officer, xlsx(rows))
    assert response.status_code == 400 and counts() == before
    (error,) = response.context["result"].errors
    assert (error.row, error.column) == (4, "经度 lng")
    assert "outside your jurisdiction" in error.message and "沙溪一网格" in error.message


@pytest.mark.django_db
def test_duplicates_inside_the_file(client, world):
    code = credit_code()
    rows = [
        shop(credit_code=code),
        shop(name="同码店", address="别处5号", credit_code=code.lower()),
        shop(name="同址店", address=" 桥河路 1 号 "),
    ]
    response = post_page(client, world.district_admin, xlsx(rows))
    assert response.status_code == 400
    errors = [e.as_dict() for e in response.context["result"].errors]
    assert errors == [
        {"row": 4, "column": "统一社会信用代码 credit_code", "message": "Same credit code as row 3."},
        {"row": 5, "column": "地址 address", "message": "Same address as row 3."},
    ]
    assert not Place.objects.filter(name__in=["新建便利店", "同码店", "同址店"]).exists()


@pytest.mark.django_db
def test_duplicate_of_an_existing_credit_code(client, world):
    existing = save_place(
        Place(name="老店", kind="shop", address="老路1号", lat=28.05, lng=106.05, credit_code=credit_code())
    )
    rows = [shop(name="好店", address="好路1号"), shop(credit_code=credit_code().lower())]
    before = counts()
    response = post_page(client, world.district_admin, xlsx(rows))
    assert response.status_code == 400 and counts() == before
    (error,) = response.context["result"].errors
    assert (error.row, error.column) == (4, "统一社会信用代码 credit_code")
    assert existing.code in error.message


@pytest.mark.django_db
def test_duplicate_of_an_existing_address_with_other_spacing_and_full_width_digits(client, world):
    existing = save_place(
        Place(name="老店", kind="shop", address="古南街道 桥河路12号", lat=28.05, lng=106.05)
    )
    rows = [shop(name="好店", address="好路1号"), shop(address="古南街道桥河路１２号")]
    before = counts()
    response = post_page(client, world.district_admin, xlsx(rows))
    assert response.status_code == 400 and counts() == before
    (error,) = response.context["result"].errors
    assert (error.row, error.column) == (4, "地址 address")
    assert existing.code in error.message


# ---- import: files that are not ledgers --------------------------------------------------------------


def _truncated_xlsx():
    data = xlsx([shop()])
    return data[: len(data) // 2]


def _docx_like_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue()


def _no_header():
    wb = Workbook()
    wb.active.append(["foo", "bar", "baz"])
    wb.active.append([1, 2, 3])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


BAD_FILES = [
    ("renamed-exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(500), "program"),
    ("random-bytes", random.Random(7).randbytes(4096), "not an Excel"),
    ("csv", "名称,类型,地址,纬度,经度\n便利店,shop,桥河路1号,28.05,106.05\n".encode(), "CSV"),
    ("empty", b"", "empty"),
    ("truncated-zip", _truncated_xlsx(), "damaged"),
    ("docx-zip", _docx_like_zip(), "not an Excel"),
    ("old-xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), ".xls"),
    ("no-header", _no_header(), "No header row"),
    ("header-only", xlsx([]), "no rows"),
    ("missing-column", xlsx([shop()], columns=["name", "kind", "address", "lat"]), "经度 lng"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "data", "fragment"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_file_that_is_not_a_ledger_is_one_clear_error(client, api_client, world, case, data, fragment):
    before = counts()
    response = post_page(client, world.district_admin, data)
    assert response.status_code == 400
    assert fragment in response.context["file_error"]
    assert "Nothing was written." in response.content.decode()
    api = post_api(api_client, world.district_admin, data)
    assert api.status_code == 400
    (error,) = api.json()["errors"]
    assert error["row"] is None and fragment in error["message"]
    assert counts() == before


@pytest.mark.django_db
def test_size_and_row_caps(client, world, monkeypatch):
    monkeypatch.setattr(ledger.reading, "MAX_ROWS", 2)
    response = post_page(client, world.district_admin, xlsx([shop(address=f"路{i}号") for i in range(3)]))
    assert response.status_code == 400 and "more than 2 rows" in response.context["file_error"]
    monkeypatch.setattr(ledger.reading, "MAX_UPLOAD_BYTES", 1000)
    response = client.post(IMPORT, {"file": upload(xlsx([shop()]))})
    assert response.status_code == 400 and "larger than" in response.context["file_error"]
    assert not Place.objects.filter(name="新建便利店").exists()


# ---- import: who may ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_grid_worker_may_not_import(client, api_client, world):
    login(client, world.grid_worker_a)
    assert client.get(IMPORT).status_code == 404
    assert client.post(IMPORT, {"file": upload(xlsx([shop()]))}).status_code == 404
    assert post_api(api_client, world.grid_worker_a, xlsx([shop()])).status_code == 403
    assert not Place.objects.filter(name="新建便利店").exists()
    # the ledger page offers no import button to them
    page = client.get(reverse("place-ledger")).content.decode()
    assert IMPORT not in page and reverse("place-export") in page


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(client, api_client, world):
    assert client.get(IMPORT).status_code == 302
    assert client.get(reverse("place-export")).status_code == 302
    assert client.get(reverse("place-template")).status_code == 302
    assert api_client.post(API_IMPORT, {"file": upload(xlsx([shop()]))}, format="multipart").status_code in (
        401,
        403,
    )


@pytest.mark.django_db
def test_import_page_shows_the_form(client, world):
    login(client, world.street_officer)
    page = client.get(IMPORT).content.decode()
    assert 'type="file"' in page and reverse("place-template") in page


# ---- import: API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_import_errors_are_a_400_with_row_and_column(api_client, world):
    rows = [shop(), shop(name="远店", address="远路1号", lat=39.9, lng=116.4)]
    before = counts()
    response = post_api(api_client, world.street_officer, xlsx(rows))
    assert response.status_code == 400 and counts() == before
    (error,) = response.json()["errors"]
    assert error["row"] == 4 and error["column"] == "经度 lng" and "outside every grid" in error["message"]


@pytest.mark.django_db
def test_api_import_creates_and_lists_codes(api_client, world):
    response = post_api(
        api_client, world.street_officer, xlsx([shop(), shop(name="二店", address="二路2号")])
    )
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 2 and body["rows"] == 2
    assert {p["code"] for p in body["places"]} == set(
        Place.objects.filter(name__in=["新建便利店", "二店"]).values_list("code", flat=True)
    )
    assert post_api(api_client, world.street_officer, xlsx([]), dry_run="1").status_code == 400
    api_client.force_authenticate(world.street_officer)
    assert api_client.post(API_IMPORT, {}, format="multipart").status_code == 400


# ---- export ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_is_scoped_to_the_grid_worker(client, world):
    login(client, world.grid_worker_a)
    response = client.get(reverse("place-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == ledger.XLSX_TYPE
    names = {r["name"] for r in sheet_rows(response)}
    assert "桥河便利店" in names
    assert "河滨旅馆" not in names and "沙溪超市" not in names


@pytest.mark.django_db
def test_export_honours_filters_and_search(client, api_client, world):
    login(client, world.district_admin)
    rows = sheet_rows(client.get(reverse("place-export"), {"kind": "shop"}))
    assert sorted(r["name"] for r in rows) == ["桥河便利店", "沙溪超市"]
    shop_a = next(r for r in rows if r["name"] == "桥河便利店")
    assert shop_a["code"] == world.shop_a.code and shop_a["region_code"] == "T5010101"
    assert shop_a["risk_level"] and shop_a["authority"] and shop_a["is_key_unit"] in ("是", "否")
    rows = sheet_rows(client.get(reverse("place-export"), {"search": "桥河"}))
    assert sorted(r["name"] for r in rows) == ["桥河便利店", "桥河小学"]
    rows = sheet_rows(client.get(reverse("place-export"), {"within": "T5010102"}))
    assert [r["name"] for r in rows] == ["河滨旅馆"]
    assert client.get(reverse("place-export"), {"kind": "spaceport"}).status_code == 400

    api_client.force_authenticate(world.grid_worker_a)
    response = api_client.get("/api/v1/places/export/", {"kind": "shop"})
    assert response.status_code == 200
    assert [r["name"] for r in sheet_rows(response)] == ["桥河便利店"]
    assert api_client.get("/api/v1/places/export/", {"risk_level": "purple"}).status_code == 400


@pytest.mark.django_db
def test_police_export_sees_only_supervised_places(client, world):
    login(client, world.police_officer)
    names = {r["name"] for r in sheet_rows(client.get(reverse("place-export")))}
    assert names == set(Place.objects.restrict(world.police_officer).values_list("name", flat=True))
    assert "桥河便利店" not in names


@pytest.mark.django_db
def test_export_writes_text_never_formulas(client, world):
    save_place(Place(name='=HYPERLINK("http://x")', kind="shop", address="公式路1号", lat=28.05, lng=106.05))
    login(client, world.district_admin)
    body = b"".join(client.get(reverse("place-export"), {"search": "公式路"}).streaming_content)
    ws = load_workbook(io.BytesIO(body)).worksheets[0]
    assert ws["A3"].value == '=HYPERLINK("http://x")' and ws["A3"].data_type == "s"


@pytest.mark.django_db
def test_export_round_trips_through_import(client, world):
    login(client, world.district_admin)
    world.shop_a.credit_code = credit_code()
    world.shop_a.self_built_uses = []
    world.shop_a.has_fire_control_room = True
    save_place(world.shop_a)
    body = b"".join(client.get(reverse("place-export")).streaming_content)
    grades = {
        p.name: (p.region_id, p.risk_level, p.authority, p.is_key_unit, p.flags) for p in Place.objects.all()
    }

    # into the same district: the only errors are the duplicates
    response = client.post(IMPORT, {"file": upload(body), "check": "1"})
    errors = response.context["result"].errors
    assert errors and all("already registered" in e.message for e in errors)

    # into an empty district: every row is valid, and the places come back with the same grades
    Place.objects.all().delete()
    response = client.post(IMPORT, {"file": upload(body)})
    assert response.status_code == 200, response.context["result"].errors
    assert len(response.context["result"].created) == len(grades)
    assert {
        p.name: (p.region_id, p.risk_level, p.authority, p.is_key_unit, p.flags) for p in Place.objects.all()
    } == grades
    assert Place.objects.get(name="桥河便利店").has_fire_control_room is True
