"""A member of the public reports a hazard from a phone (Debian's Chromium through Playwright)."""

import os

import pytest
from django.core.cache import cache
from PIL import Image

from firegrid.hazards.choices import Channel
from firegrid.hazards.models import Attachment, HazardCase
from firegrid.org.testing import build_world

pytestmark = pytest.mark.browser
SCREENSHOT_DIR = os.environ.get("FIREGRID_SCREENSHOTS")  # set to keep screenshots for a look


def shot(page, name):
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}.png"), full_page=True)


def assert_fits_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide on a 390px phone"


@pytest.fixture
def live_world(transactional_db, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    return build_world()


def test_public_reports_a_hazard_from_a_place_code_on_the_phone(
    live_server, live_world, phone_page, tmp_path
):
    page = phone_page
    shop = live_world.shop_a
    photo = tmp_path / "exit.jpg"
    Image.new("RGB", (120, 90), (200, 50, 40)).save(photo, format="JPEG")

    page.goto(f"{live_server.url}/q/{shop.code}/")
    page.click(f"a[href^='/report/?place={shop.code}']")
    page.wait_for_url("**/report/?place=*")
    assert shop.name in page.content()
    assert_fits_phone(page)
    shot(page, "public-report-form")

    page.locator("input[name=category][value=living_in_workplace]").check()
    page.fill("textarea[name=description]", "店铺后面有人住宿，安全出口被货物堵住。")
    page.set_input_files("input[name=photos]", str(photo))
    page.check("input[name=anonymous]")
    assert not page.locator("#contact-fields").is_visible()  # anonymous hides the contact fields
    honeypot = page.locator("input[name=website]").bounding_box()
    assert honeypot is None or honeypot["x"] + honeypot["width"] <= 0  # the honeypot is off screen
    with page.expect_navigation():
        page.click("button.report-submit")
    page.wait_for_url("**/track/*/?new=1")

    case = HazardCase.objects.get()
    assert case.channel == Channel.PLACE_CODE and case.place_id == shop.pk and case.anonymous
    assert page.locator("#tracking-code").inner_text().strip() == case.tracking_code
    assert page.locator(".tracking-new").is_visible()
    photo_row = Attachment.objects.get(case=case)
    image = page.locator(f"img[src$='/photo/{photo_row.pk}/']")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert_fits_phone(page)
    shot(page, "public-track")


def test_report_form_without_a_place_fits_the_phone(live_server, live_world, phone_page):
    page = phone_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 28.05, "longitude": 106.05, "accuracy": 15})
    page.goto(f"{live_server.url}/report/")
    assert_fits_phone(page)
    page.click("#use-location")
    page.wait_for_function("() => document.querySelector('input[name=lat]').value !== ''")
    assert page.locator("input[name=lat]").input_value() == "28.050000"
    assert page.locator("input[name=lng]").input_value() == "106.050000"
    assert_fits_phone(page)


def geotagged_camera_photo(lat, lng):
    """A 3000×2250 camera JPEG of ~6 MB (noise does not compress) with the GPS position in its EXIF."""
    import io

    from firegrid.hazards.tests.test_public_report import gps_exif

    image = Image.frombytes("RGB", (3000, 2250), os.urandom(3000 * 2250 * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=gps_exif(lat, lng))
    return {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def test_the_public_form_shrinks_a_big_photo_keeps_its_location_and_suggests_the_category(
    live_server, live_world, phone_page, settings
):
    settings.UPLOAD_MAX_BYTES = 3 * 1024 * 1024  # the camera file alone would be refused
    photo = geotagged_camera_photo(28.05, 106.05)  # at the shop of grid A
    assert len(photo["buffer"]) > settings.UPLOAD_MAX_BYTES
    page = phone_page
    page.goto(f"{live_server.url}/report/")
    page.set_input_files("input[name=photos]", photo)
    # the location is read from the EXIF on the phone, before the canvas drops it
    page.wait_for_function("() => document.querySelector('input[name=lat]').value !== ''")
    assert page.locator("input[name=lat]").input_value() == "28.05"
    assert page.locator("input[name=lng]").input_value() == "106.05"
    page.wait_for_function("() => /KB/.test(document.getElementById('photo-status').textContent)")
    sizes = page.evaluate("() => Array.from(document.querySelector('input[name=photos]').files, f => f.size)")
    assert len(sizes) == 1 and sizes[0] < settings.UPLOAD_MAX_BYTES
    # no place code: the nearest registered place (the shop, a "three-in-one" risk) suggests the category
    page.wait_for_function("() => document.querySelector('input[value=living_in_workplace]').checked")
    assert live_world.shop_a.name in page.locator("#category-suggestion").inner_text()
    assert page.locator("input[value=living_in_workplace] ~ span .suggested-here").count() == 1
    assert_fits_phone(page)
    shot(page, "public-report-resized")

    page.fill("textarea[name=description]", "店铺里住人，后门被货物堵住。")
    page.check("input[name=anonymous]")
    is_post = lambda r: r.method == "POST" and r.url.endswith("/report/")  # noqa: E731
    with page.expect_request(is_post) as posted, page.expect_navigation():
        page.click("button.report-submit")
    page.wait_for_url("**/track/*/?new=1")
    sent = int(posted.value.all_headers()["content-length"])  # what went over the network
    assert sent < 2 * 1024 * 1024

    case = HazardCase.objects.get()
    assert (case.lat, case.lng) == (28.05, 106.05) and case.category.code == "living_in_workplace"
    stored = Attachment.objects.get(case=case)
    assert (stored.width, stored.height) == (1600, 1200)  # the phone's size (the server alone keeps 2560)
    with Image.open(stored.file.path) as image:
        assert not image.getexif()  # and no EXIF stored


def test_a_photo_the_phone_cannot_read_is_sent_as_it_is(live_server, live_world, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/report/?place={live_world.shop_a.code}")
    not_a_photo = {"name": "scan.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\x00 not a photo"}
    page.set_input_files("input[name=photos]", not_a_photo)
    page.wait_for_function("() => /KB/.test(document.getElementById('photo-status').textContent)")
    assert page.evaluate("() => document.querySelector('input[name=photos]').files[0].name") == "scan.jpg"
    page.locator("input[name=category][value=living_in_workplace]").check()
    page.fill("textarea[name=description]", "店铺后门被货物堵住。")
    with page.expect_navigation():
        page.click("button.report-submit")
    assert "scan.jpg" in page.locator(".field-photos .errorlist").inner_text()  # the server's answer
    assert not HazardCase.objects.exists()


def test_the_staff_report_form_shrinks_photos_too(live_server, live_world, phone_page):
    from firegrid.org.tests.test_browser import log_in

    photo = geotagged_camera_photo(28.05, 106.05)
    page = phone_page
    log_in(page, live_server.url, "street_officer")
    page.goto(f"{live_server.url}/hazards/new/")
    page.set_input_files("input[name=photos]", photo)
    page.wait_for_function("() => document.querySelector('input[name=photos]').files[0].size < 1500000")
    name, width = page.evaluate(
        """() => { const f = document.querySelector('input[name=photos]').files[0];
                   return createImageBitmap(f).then(b => [f.name, Math.max(b.width, b.height)]); }"""
    )
    assert name == "IMG_2041.jpg" and width == 1600
    assert page.locator("input[name=lat]").input_value() == "28.05"  # read from the EXIF first
