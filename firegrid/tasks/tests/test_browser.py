"""A street officer reports progress on a task from a phone, in Debian's Chromium (Playwright)."""

import pytest

from firegrid.org.testing import build_world
from firegrid.org.tests.test_browser import assert_fits_phone, log_in
from firegrid.tasks.models import KeyTask
from firegrid.tasks.tests.conftest import make_task

pytestmark = pytest.mark.browser


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def test_street_officer_reports_progress_on_the_phone(live_server, live_world, phone_page, tmp_path):
    w = live_world
    task = make_task(w, co=[w.committee], title="老旧小区消防设施改造")
    make_task(w, region=w.street2, lead=w.station2, title="沙溪社区微型消防站建设")
    page = phone_page
    log_in(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/tasks/")
    assert_fits_phone(page)
    assert "沙溪社区微型消防站建设" not in page.content()
    with page.expect_navigation():
        page.locator(f"tr.task-row[data-id='{task.pk}'] a").click()
    assert page.url.endswith(f"/tasks/{task.pk}/")
    assert_fits_phone(page)
    form = page.locator("#report-form")
    assert form.locator("select[name=unit]").input_value() == str(w.station.pk)  # the officer's own unit
    form.locator("input[name=percent]").fill("45")
    form.locator("textarea[name=note]").fill("完成桥河小区消防管网改造")
    png = tmp_path / "site.png"
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 30, 30)).save(png)
    form.locator("input[name=evidence]").set_input_files(str(png))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#progress").inner_text() == "45%"
    assert "完成桥河小区消防管网改造" in page.locator("#reports").inner_text()
    assert_fits_phone(page)
    page.screenshot(path=str(tmp_path / "task-reported.png"), full_page=True)
    for path in ("/tasks/review/", "/tasks/scores/", f"/tasks/units/{w.station.pk}/"):
        page.goto(f"{live_server.url}{path}")
        assert_fits_phone(page)
    # the database only once the browser is idle: the live server shares SQLite's connection
    task = KeyTask.objects.get(pk=task.pk)
    assert task.progress_pct == 45 and task.reports.get().evidence.count() == 1
