"""The annual assessment: right figures on hand-built data, PDF and xlsx render them, scoped."""

import datetime
import io
import re
import shutil
import subprocess

import openpyxl
import pytest
from django.utils import timezone

from firegrid.dashboard import assessment
from firegrid.dashboard.assessment import assess
from firegrid.hazards import reports, tally
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.org.testing import make_place

YEAR = timezone.localdate().year


def _at(month, day=10, year=YEAR):
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


@pytest.fixture
def cases(world):
    evac = HazardCategory.objects.get(code="evacuation")
    other = HazardCategory.objects.exclude(code="evacuation").order_by("code").first()

    def report(place, category, when):
        case = reports.report(
            description="隐患", category=category, place=place, source=Source.PUBLIC, channel=Channel.WEB
        )
        HazardCase.objects.filter(pk=case.pk).update(created_at=when)
        tally.rebuild()  # update() bypasses the case tally
        return case

    report(world.shop_a, evac, _at(1))  # winter
    report(world.mall_a, evac, _at(4))  # spring
    report(world.hotel_b, evac, _at(4, 20))  # spring
    report(world.school_a, other, _at(7))  # summer
    report(world.shop_s2, evac, _at(10))  # autumn, street 2
    report(world.shop_a, evac, _at(5, year=YEAR - 1))  # last year
    return {"evac": evac, "other": other}


def test_places_by_kind_and_grade(world):
    data = assessment.places_section(world.district_admin, world.street)
    assert data["total"] == 4  # shop, hotel, mall, school of street 1
    kinds = {k["kind"]: k for k in data["kinds"]}
    assert set(kinds) == {"shop", "hotel", "mall_market", "school"}
    assert sum(data["by_risk"].values()) == 4
    assert kinds["mall_market"]["by_risk"][world.mall_a.risk_level] == 1


def test_hazards_by_category_and_season(world, cases):
    data = assessment.hazards_section(world.district_admin, world.district, YEAR)
    assert data["total"] == 5 and data["previous_total"] == 1
    assert data["by_season"] == {"spring": 2, "summer": 1, "autumn": 1, "winter": 1}
    assert data["by_month"][3] == 2 and data["by_month_previous"][4] == 1
    evac = next(c for c in data["categories"] if c["code"] == "evacuation")
    assert (evac["count"], evac["previous"], evac["change_pct"]) == (4, 1, 300.0)
    assert evac["by_season"] == {"spring": 2, "summer": 0, "autumn": 1, "winter": 1}


def test_seasons_by_month():
    assert [assessment.SEASON_OF_MONTH[m] for m in (1, 2, 3, 5, 6, 8, 9, 11, 12)] == [
        "winter",
        "winter",
        "spring",
        "spring",
        "summer",
        "summer",
        "autumn",
        "autumn",
        "winter",
    ]


def test_units_priorities_tourism_and_fire_history(world, cases, monkeypatch):
    monkeypatch.setattr(assessment, "_FIRE_SOURCES", [])  # as before the tasks app registered its fires
    world.street.is_ancient_town = True
    world.street.save()
    make_place("老街民宿", "self_built_house", 28.06, 106.06, self_built_uses=["homestay"], occupants=8)
    report = assess(world.district_admin, world.district, YEAR)
    rows = {r["code"]: r for r in report["units"]["rows"]}
    assert rows[world.street.code]["hazards_year"] == 4 and rows[world.street2.code]["hazards_year"] == 1
    assert rows[world.street.code]["places"] == 5
    assert report["tourism"]["ancient_towns"] == [world.street.name]
    assert report["tourism"]["homestays_total"] == 1
    assert report["fires"] == {"available": False, "rows": []}
    rules = {p["rule"] for p in report["priorities"]}
    assert {"ancient_towns", "season", "fire_data"} <= rules


def test_a_fire_source_plugs_in(world, monkeypatch):
    monkeypatch.setattr(assessment, "_FIRE_SOURCES", [])
    assessment.register_fire_source(
        lambda user, region, year: [
            {"date": f"{year}-02-01", "region": region.name, "place": "x", "cause": "电气"}
        ]
    )
    report = assess(world.district_admin, world.street, YEAR)
    assert report["fires"]["available"] and report["fires"]["rows"][0]["cause"] == "电气"
    assert "fire_data" not in {p["rule"] for p in report["priorities"]}


def test_grid_hotspots(world, cases, monkeypatch):
    monkeypatch.setattr(assessment, "GRID_OPEN_MIN", 2)
    report = assess(world.street_officer, world.street, YEAR)
    assert [g["code"] for g in report["grid_hotspots"]] == [world.grid_a.code]
    assert report["grid_hotspots"][0]["open"] == 4  # shop (this year and last), mall, school


def test_pdf_names_the_street_and_its_figures(world, cases, client, monkeypatch):
    monkeypatch.setattr(assessment, "_FIRE_SOURCES", [])  # as before the tasks app registered its fires
    client.force_login(world.street_officer)
    r = client.get(f"/reports/assessment/{YEAR}.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=r.content, capture_output=True, check=True
    ).stdout.decode()
    assert world.street.name in text
    assert world.community.name in text  # the regions below, by name
    assert re.search(r"Places in use\s+4\b", text) and re.search(r"Hazards reported this year\s+4\b", text)
    assert "No fire records yet" in text
    assert world.street2.name not in text


def test_xlsx_has_charts_and_the_numbers(world, cases, client):
    client.force_login(world.district_admin)
    r = client.get(f"/reports/assessment/{YEAR}.xlsx", {"region": world.street.code})
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    kinds = wb["Places by kind and grade"]
    assert len(kinds._charts) == 1
    totals = {row[0]: row[-1] for row in kinds.iter_rows(min_row=2, values_only=True)}
    assert sum(totals.values()) == 4
    seasons = wb["Hazards by season"]
    assert len(seasons._charts) == 2
    counts = [row[1] for row in seasons.iter_rows(min_row=2, max_row=5, values_only=True)]
    assert counts == [2, 1, 0, 1]  # street 1: spring 2, summer 1, autumn 0 (that one is street 2), winter 1
    assert wb["Hazards by category"]._charts


def test_scoping(world, cases, client):
    client.force_login(world.street2_officer)
    report = assess(world.street2_officer, world.street2, YEAR)
    assert report["hazards"]["total"] == 1 and report["places"]["total"] == 1
    r = client.get(f"/reports/assessment/{YEAR}.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    text = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c)
    assert world.street.name not in text and world.community.name not in text
    assert client.get(f"/reports/assessment/{YEAR}.pdf", {"region": world.street.code}).status_code == 403
    client.force_login(world.grid_worker_a)
    assert client.get(f"/reports/assessment/{YEAR}.xlsx", {"region": world.grid_b.code}).status_code == 403
    client.force_login(world.nobody)
    assert client.get(f"/reports/assessment/{YEAR}.xlsx").status_code == 403
    assert client.get("/reports/").status_code == 403
    client.logout()
    assert client.get(f"/reports/assessment/{YEAR}.pdf").status_code == 302


def test_index_lists_the_downloads(world, client):
    client.force_login(world.street_officer)
    page = client.get("/reports/").content.decode()
    assert f"/reports/assessment/{YEAR}.pdf?region={world.street.code}" in page
    assert "/reports/ledgers/staff.xlsx" in page and "/places/ledger/export.xlsx" in page
    assert "/reports/exchange/import/" in page
    client.force_login(world.grid_worker_a)
    page = client.get("/reports/").content.decode()
    assert "/reports/exchange/" not in page and "/reports/ledgers/regions.xlsx" in page
