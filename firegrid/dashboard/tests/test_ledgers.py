"""Registry ledgers: each opens, holds the user's scoped rows of the chosen region, nothing else."""

import io

import openpyxl
import pytest

from firegrid.dashboard.ledgers import LEDGERS
from firegrid.iot.testing import make_device


def _book(client, name, **params):
    r = client.get(f"/reports/ledgers/{name}.xlsx", params)
    assert r.status_code == 200, r.content[:300]
    return openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))


def _column(ws, key):
    keys = [c.value for c in ws[2]]
    return [row[keys.index(key)] for row in ws.iter_rows(min_row=3, values_only=True)]


@pytest.mark.parametrize("name", list(LEDGERS))
def test_every_ledger_opens_with_titles_and_keys(world, client, name):
    client.force_login(world.district_admin)
    wb = _book(client, name)
    for ws in wb:
        assert ws.max_row >= 2 and ws["A1"].value and ws["A2"].value


def test_regions_units_areas_staff_of_a_street(world, client):
    client.force_login(world.street_officer)
    codes = _column(_book(client, "regions").active, "code")
    assert world.street.code in codes and world.grid_b.code in codes and world.street2.code not in codes
    units = _book(client, "units")
    names = _column(units.worksheets[0], "name")
    assert world.station.name in names and world.station2.name not in names and world.office.name not in names
    assert "李专管员" in _column(units.worksheets[1], "name")
    areas = _book(client, "areas").active
    rows = dict(zip(_column(areas, "name"), _column(areas, "manager"), strict=True))
    assert rows == {"桥河小区": "张管理员", "河滨小区": None}
    staff = _book(client, "staff")
    users = _column(staff.worksheets[0], "username")
    assert "grid_worker_a" in users and "street2_officer" not in users and "district_admin" not in users
    # enforcement qualifications and training certificates (grid workers are trained to patrol)
    assert sorted(_column(staff.worksheets[1], "username")) == [
        "grid_worker_a",
        "grid_worker_b",
        "street_officer",
    ]


def test_a_grid_worker_and_the_region_parameter(world, client):
    client.force_login(world.grid_worker_a)
    codes = _column(_book(client, "regions").active, "code")
    assert codes == [world.grid_a.code]
    assert client.get("/reports/ledgers/regions.xlsx", {"region": world.grid_b.code}).status_code == 403
    client.force_login(world.district_admin)
    codes = _column(_book(client, "regions", region=world.street2.code).active, "code")
    assert world.street2.code in codes and world.street.code not in codes


def test_inspections_and_devices(world, client):
    from firegrid.inspections.models import Inspection

    inspection = Inspection.objects.create(
        place=world.shop_a, kind="patrol", inspected_on=world.shop_a.created_at.date()
    )
    Inspection.objects.create(place=world.shop_s2, kind="patrol", inspected_on=inspection.inspected_on)
    make_device("smoke_detector", place=world.shop_a)
    make_device("smoke_detector", place=world.shop_s2)
    client.force_login(world.street2_officer)
    year = inspection.inspected_on.year
    assert _column(_book(client, "inspections", year=year).active, "place") == [world.shop_s2.name]
    devices = _book(client, "devices", year=year)
    assert _column(devices.worksheets[0], "place") == [world.shop_s2.name]


def test_unknown_ledger_and_nobody(world, client):
    client.force_login(world.district_admin)
    assert client.get("/reports/ledgers/secrets.xlsx").status_code == 404
    client.force_login(world.nobody)
    assert client.get("/reports/ledgers/regions.xlsx").status_code == 403
