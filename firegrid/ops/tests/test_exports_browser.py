"""Export in the background in Debian's Chromium under the strict CSP: the button on the places list,
the progress page polling over htmx, then the download link and the file, built by a real worker."""

import io
import re

import openpyxl
import pytest

from firegrid.ops.models import Export
from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def test_export_in_the_background_shows_progress_then_the_download(
    live_server, live_world, celery_worker, phone_page, tmp_path
):
    page = phone_page
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    log_in(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/places/?kind=shop")

    page.click("form.background-export button[type=submit]")
    page.wait_for_url(re.compile(r"/exports/[0-9a-f-]{36}/$"))
    export = Export.objects.get()
    assert page.url.endswith(f"/exports/{export.pk}/")
    assert export.params == {"kind": ["shop"]}  # the list's filters went along
    assert page.locator("#export-status progress").count() == 1

    link = page.wait_for_selector("#export-status a.export-download", timeout=30_000)  # htmx polled
    assert page.locator("#export-status progress").get_attribute("value") == "1"
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("places-")
    path = tmp_path / "export.xlsx"
    download.save_as(path)
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    names = [row[0] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
    assert names == ["桥河便利店"]

    page.goto(f"{live_server.url}/exports/")
    assert page.locator(f"a[href='/exports/{export.pk}/download/']").count() == 1
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    page.screenshot(path=str(tmp_path / "exports.png"), full_page=True)


def test_the_ledger_page_sends_its_filter_form_along(live_server, live_world, celery_worker, phone_page):
    page = phone_page
    log_in(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/places/ledger/")
    page.fill("#export-form input[name=search]", "桥河")
    page.click("form.background-export[data-export-from=export-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/exports/[0-9a-f-]{36}/$"))
    page.wait_for_selector("#export-status a.export-download", timeout=30_000)
    export = Export.objects.get()
    assert export.params["search"] == ["桥河"]  # with the form's other fields, as its GET download sends them
    assert (export.status, export.done) == ("done", 2)  # 桥河便利店, 桥河小学
