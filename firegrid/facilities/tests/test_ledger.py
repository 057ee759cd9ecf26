"""The facility ledger in Excel: all-or-nothing import with errors by row and column, scoped export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from firegrid.facilities import ledger
from firegrid.facilities.models import Facility

pytestmark = pytest.mark.django_db
HEADER = ["名称", "类型", "状态", "纬度", "经度", "容积(m³)", "管径(mm)"]


def workbook(rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    ws.append(["name", "kind", "status", "lat", "lng", "volume_m3", "pipe_diameter_mm"][: len(header)])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_the_template_round_trips(world):
    data = ledger.build_template()
    rows = ledger.read_rows(io.BytesIO(data))
    assert len(rows) == 1 and rows[0][0] == 3  # the example row, skipped on import
    titles = [c.value for c in load_workbook(io.BytesIO(data)).active[1]]
    assert titles[:3] == ["名称", "类型", "状态"]


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(world):
    upload = workbook(
        [
            ["好消火栓", "市政消火栓", "working", 28.05, 106.05, None, 150],
            ["远处消火栓", "hydrant", "working", 30.5, 110.2, None, 100],  # row 4: outside
            ["负水池", "pool", "working", 28.06, 106.06, -5, None],  # row 5: negative volume
            ["怪东西", "volcano", "", 28.07, 106.07, None, None],  # row 6: unknown kind
            ["坏状态", "hydrant", "exploded", 28.08, 106.08, None, "abc"],  # row 7: status and diameter
            ["", "hydrant", "", 28.08, 106.09, None, None],  # row 8: no name
        ]
    )
    result = ledger.import_facilities(upload, world.street_officer)
    errors = {(e.row, e.column) for e in result.errors}
    assert (4, "纬度 lat") in errors
    assert (5, "容积(m³) volume_m3") in errors
    assert (6, "类型 kind") in errors
    assert (7, "状态 status") in errors and (7, "管径(mm) pipe_diameter_mm") in errors
    assert (8, "名称 name") in errors
    assert all(e.row != 3 for e in result.errors)
    messages = {e.row: e.message for e in result.errors}
    assert "outside" in messages[4] and "negative" in messages[5]
    assert not Facility.objects.exists()


def test_a_row_outside_the_importers_jurisdiction_is_an_error(world):
    upload = workbook([["沙溪消火栓", "hydrant", "working", 28.05, 106.55, None, 100]])
    result = ledger.import_facilities(upload, world.street_officer)
    assert [(e.row, e.column) for e in result.errors] == [(3, "纬度 lat")]
    assert "jurisdiction" in result.errors[0].message
    assert not Facility.objects.exists()


def test_a_clean_file_is_imported_and_duplicates_are_refused(world):
    rows = [
        ["桥河消火栓", "市政消火栓", "", 28.05, 106.05, None, 150],
        ["桥河水池", "消防水池", "损坏", 28.06, 106.06, 600, None],
    ]
    result = ledger.import_facilities(workbook(rows), world.street_officer)
    assert result.ok and len(result.created) == 2
    pool = Facility.objects.get(name="桥河水池")
    assert pool.status == "damaged" and pool.volume_m3 == 600 and pool.region == world.grid_a
    again = ledger.import_facilities(workbook(rows[:1]), world.street_officer)
    assert [(e.row, e.column) for e in again.errors] == [(3, "纬度 lat")]
    assert Facility.objects.count() == 2


def test_a_file_that_is_not_a_workbook(world):
    with pytest.raises(ledger.LedgerFileError):
        ledger.import_facilities(io.BytesIO(b"name,kind\n"), world.street_officer)


def test_pages_and_api(world, client, api_client):
    client.force_login(world.street_officer)
    bad = SimpleUploadedFile("f.xlsx", workbook([["x", "hydrant", "", 30.5, 110.2]]).read())
    response = client.post("/facilities/ledger/import/", {"file": bad})
    assert response.status_code == 400 and "纬度 lat" in response.content.decode()
    assert client.get("/facilities/ledger/template.xlsx").status_code == 200

    api_client.force_authenticate(world.street_officer)
    good = SimpleUploadedFile(
        "f.xlsx", workbook([["桥河消火栓", "hydrant", "", 28.05, 106.05, None, 150]]).read()
    )
    response = api_client.post("/api/v1/facilities/ledger/import/", {"file": good}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 1
    bad = SimpleUploadedFile("f.xlsx", workbook([["x", "hydrant", "", 30.5, 110.2]]).read())
    response = api_client.post("/api/v1/facilities/ledger/import/", {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "row": 3,
        "column": "纬度 lat",
        "message": response.json()["errors"][0]["message"],
    }
    # the grid worker may not import
    api_client.force_authenticate(world.grid_worker_a)
    good.seek(0)
    assert (
        api_client.post("/api/v1/facilities/ledger/import/", {"file": good}, format="multipart").status_code
        == 403
    )
