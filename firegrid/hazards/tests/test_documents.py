"""The rectification notice (PDF) and the hazard ledger (xlsx): content, scope and privacy."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from firegrid.hazards import actions, notice
from firegrid.hazards.ledger import REPORTER_COLUMNS
from firegrid.hazards.models import HazardCase

pytestmark = pytest.mark.django_db
REPORTER = {"reporter_name": "王举报", "reporter_phone": "13912345678"}


def url(name, *args):
    return reverse(f"hazards:{name}", args=args)


@pytest.fixture
def ordered(world, make_case):
    case = make_case(description="安全出口被杂物堵塞", **REPORTER)
    actions.confirm(case, actor=world.grid_worker_a)
    actions.order(case, actor=world.grid_worker_a, responsible_party="桥河便利店张老板")
    case.refresh_from_db()
    return case


def pdf_text(tmp_path, content):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(content)
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout


# ---- the notice ------------------------------------------------------------------------------


def test_notice_pdf_of_an_ordered_case(client, world, ordered, tmp_path):
    client.force_login(world.grid_worker_a)
    response = client.get(url("notice", ordered.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(tmp_path, response.content)
    compact = text.replace(" ", "").replace("\n", "")
    assert ordered.notice_number in text
    assert "桥河便利店" in compact  # the place's name
    assert "责令限期改正通知书" in compact
    assert "古南街道消防工作站" in compact  # the street's work station issues it
    assert "安全出口被杂物堵塞" in compact
    assert ordered.deadline.isoformat() in text
    assert ordered.tracking_code in text


def test_notice_cites_clauses_and_points_at_the_tracking_page(world, ordered, settings):
    settings.PUBLIC_BASE_URL = "https://firegrid.example.org"
    HazardCase.objects.filter(pk=ordered.pk).update(clauses=["7.3.3"], severity="major")
    ordered.refresh_from_db()
    context = notice.notice_context(ordered)
    assert context["tracking_url"] == f"https://firegrid.example.org/track/{ordered.tracking_code}/"
    assert context["qr"].startswith("data:image/svg+xml;base64,")
    assert context["unit"] == world.station
    assert [c for c, _text in context["clauses"]] == ["7.3.3"] and context["clauses"][0][1]
    html = notice.notice_html(ordered)
    assert "GB 35181-2017 7.3.3" in html and "桥河便利店张老板" in html


def test_no_notice_before_the_order(client, world, make_case):
    case = make_case()
    client.force_login(world.grid_worker_a)
    response = client.get(url("notice", case.pk))
    assert response.status_code == 404
    assert "has not been ordered to be rectified" in response.content.decode()
    page = client.get(url("detail", case.pk)).content.decode()
    assert url("notice", case.pk) not in page


def test_notice_is_scoped(client, world, ordered):
    client.force_login(world.grid_worker_b)
    assert client.get(url("notice", ordered.pk)).status_code == 404
    client.force_login(world.unit_owner)  # served on the owner: they may print it too
    assert client.get(url("notice", ordered.pk)).status_code == 200


# ---- the ledger ------------------------------------------------------------------------------


def ledger(client, user, query=""):
    client.force_login(user)
    response = client.get(url("ledger") + query)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith('attachment; filename="hazards-')
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    keys = list(rows[1])
    return rows[0], keys, [dict(zip(keys, row, strict=True)) for row in rows[2:]]


@pytest.fixture
def three(world, make_case, ordered):
    return {
        "a": ordered,
        "b": make_case(world.hotel_b, description="河滨旅馆灭火器过期", **REPORTER),
        "s2": make_case(world.shop_s2, description="沙溪超市电线私拉乱接"),
    }


def test_ledger_is_scoped_and_hides_reporters_from_a_grid_worker(client, world, three):
    titles, keys, rows = ledger(client, world.grid_worker_a)
    assert titles[0] == "编号" and keys[0] == "tracking_code"
    assert [r["tracking_code"] for r in rows] == [three["a"].tracking_code]
    for column in REPORTER_COLUMNS:
        assert column.key not in keys
    row = rows[0]
    assert row["status"] == "Rectification ordered" and row["place"] == "桥河便利店"
    assert row["grid"] == "桥河一网格" and row["street"] == "古南街道"
    assert row["notice_number"] == three["a"].notice_number
    assert row["deadline"].date() == three["a"].deadline
    assert row["source"] == "Public report" and row["channel"] == "Website"
    assert "13912345678" not in str(rows)


def test_ledger_for_the_street_officer_has_the_reporter(client, world, three):
    _titles, keys, rows = ledger(client, world.street_officer)
    assert {r["tracking_code"] for r in rows} == {three["a"].tracking_code, three["b"].tracking_code}
    assert "reporter_phone" in keys
    assert {r["reporter_phone"] for r in rows} == {"13912345678"}
    _titles, keys, rows = ledger(client, world.police_officer)
    assert [r["tracking_code"] for r in rows] == [three["b"].tracking_code] and "reporter_name" not in keys
    _titles, _keys, rows = ledger(client, world.street2_officer)
    assert [r["tracking_code"] for r in rows] == [three["s2"].tracking_code]
    _titles, _keys, rows = ledger(client, world.nobody)
    assert rows == []


def test_ledger_follows_the_list_filters(client, world, three):
    _t, _k, rows = ledger(client, world.district_admin, "?status=ordered")
    assert [r["tracking_code"] for r in rows] == [three["a"].tracking_code]
    _t, _k, rows = ledger(client, world.district_admin, f"?region={world.street2.code}")
    assert [r["tracking_code"] for r in rows] == [three["s2"].tracking_code]
    client.force_login(world.district_admin)
    response = client.get(url("ledger") + "?status=bogus")
    assert response.status_code == 400 and b"status" in response.content


def test_ledger_never_writes_a_formula(client, world, make_case):
    make_case(description='=HYPERLINK("http://evil")')
    _t, _k, rows = ledger(client, world.grid_worker_a)
    assert rows[0]["description"] == '=HYPERLINK("http://evil")'
