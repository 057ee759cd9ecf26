"""The annual fire-risk assessment generated in the background: PDF and xlsx, scoped, owner-only."""

import io

import openpyxl
import pytest

from firegrid.ops import exports
from firegrid.ops.choices import ExportStatus
from firegrid.ops.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False


def test_the_assessment_pdf_is_generated_in_the_background_for_the_officers_street(
    world, client, django_capture_on_commit_callbacks
):
    street = world.street
    client.force_login(world.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/exports/", {"kind": "assessment.pdf", "query": f"region={street.code}&year=2026"}
        )
    assert response.status_code == 302
    export = Export.objects.get(user=world.street_officer)
    assert export.status == ExportStatus.DONE, export.error
    assert export.done == export.total == 2
    download = client.get(f"/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert f"assessment-{street.code}-2026-" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_assessment_xlsx_opens_and_is_of_the_chosen_region(
    world, client, django_capture_on_commit_callbacks
):
    street = world.street
    client.force_login(world.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exports/", {"kind": "assessment.xlsx", "query": f"region={street.code}&year=2026"})
    export = Export.objects.get(user=world.street_officer)
    assert export.status == ExportStatus.DONE, export.error
    with export.file.open("rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
    text = " ".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    )
    assert street.name in text
    assert exports.download_name(export).endswith(".xlsx")


def test_an_assessment_of_a_street_outside_the_scope_is_refused_naming_the_region(world, client):
    client.force_login(world.street2_officer)
    response = client.post(
        "/exports/", {"kind": "assessment.pdf", "query": f"region={world.street.code}&year=2026"}
    )
    assert response.status_code == 400
    assert "region" in response.content.decode()
    assert not Export.objects.exists()
