"""The place code ("一码"): the public page behind it shows nothing private; QR codes; the A4 sign."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.urls import reverse

from firegrid.places.actions import mark_inspected
from firegrid.places.models import Place
from firegrid.places.signs import place_public_url, place_sign_html

pytestmark = pytest.mark.django_db

PRIVATE = {
    "responsible_person": "钱大宝",
    "responsible_phone": "13911112222",
    "manager_name": "孙小管",
    "manager_phone": "13933334444",
    "credit_code": "91500110MA5U5N7X2C",
}


@pytest.fixture
def shop(world):
    Place.objects.filter(pk=world.shop_a.pk).update(
        **PRIVATE, public_commitment="本店承诺：每日防火巡查，通道畅通。", lat=28.0512345, lng=106.0598765
    )
    world.shop_a.refresh_from_db()
    return world.shop_a


def public(code):
    return reverse("place-public", args=[code])


def test_public_page_shows_the_public_facts(client, shop):
    response = client.get(public(shop.code))
    assert response.status_code == 200
    html = response.content.decode()
    assert shop.name in html and "Shop (门市/商店)" in html and shop.address in html
    assert "Low (blue)" in html and "badge-blue" in html
    assert "本店承诺：每日防火巡查，通道畅通。" in html
    assert "no inspection recorded yet" in html
    for number in ["119", "96119", "12345"]:
        assert f'href="tel:{number}"' in html
    assert "Report a hazard here" in html and "noindex" in html


def test_public_page_shows_nothing_private(client, world, shop):
    html = client.get(public(shop.code)).content.decode()
    for value in PRIVATE.values():
        assert value not in html
    assert world.unit_owner.username not in html  # owner accounts
    assert "28.05" not in html and "106.05" not in html  # coordinates
    assert world.grid_a.name not in html and world.grid_a.code not in html
    assert "place-detail" not in html and f"/places/{shop.pk}/" not in html


def test_public_page_context_holds_only_public_fields(client, shop):
    place = client.get(public(shop.code)).context["place"]
    assert isinstance(place, dict)
    assert not set(place) & {*PRIVATE, "owners", "lat", "lng", "region", "region_id", "grade_reasons"}


def test_public_page_shows_the_last_inspection_and_key_unit(client, world):
    mark_inspected(world.mall_a, datetime.date(2026, 3, 5))
    html = client.get(public(world.mall_a.code)).content.decode()
    assert "2026-03-05" in html and "no inspection recorded yet" not in html
    assert "High (orange)" in html


def test_codes_are_looked_up_case_insensitively_and_unknown_codes_are_404(client, shop):
    assert client.get(public(shop.code.lower())).status_code == 200
    assert client.get(public("ZZZZZZZZZZZZ")).status_code == 404
    assert client.get(public("not-a-code")).status_code == 404
    assert client.get(reverse("place-qr-svg", args=["ZZZZZZZZZZZZ"])).status_code == 404


def test_report_link_appears_only_when_the_portal_has_a_report_form(client, shop, settings):
    from django.urls import NoReverseMatch

    html = client.get(public(shop.code)).content.decode()
    try:
        report = reverse("portal-report")
    except NoReverseMatch:
        assert "?place=" not in html and 'href="tel:96119"' in html
    else:
        assert f"{report}?place={shop.code}" in html


def test_qr_codes_have_the_right_content_types(client, shop, settings):
    settings.PUBLIC_BASE_URL = "https://fire.example.org"
    svg = client.get(reverse("place-qr-svg", args=[shop.code]))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<?xml") or b"<svg" in svg.content[:200]
    png = client.get(reverse("place-qr-png", args=[shop.code]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert "max-age" in png["Cache-Control"]


def test_qr_code_encodes_the_public_page(client, shop, settings):
    from firegrid.core.qr import qr_png, qr_svg

    settings.PUBLIC_BASE_URL = "https://fire.example.org"
    assert place_public_url(shop) == f"https://fire.example.org/q/{shop.code}/"
    # QR encoding is deterministic: the served image is the code of the public URL
    assert client.get(reverse("place-qr-png", args=[shop.code])).content == qr_png(place_public_url(shop))
    assert client.get(reverse("place-qr-svg", args=[shop.code])).content == qr_svg(place_public_url(shop))


def test_sign_html_has_code_qr_and_hotlines(shop, settings):
    settings.PUBLIC_BASE_URL = "https://fire.example.org"
    html = place_sign_html(shop)
    assert "消防安全一码通" in html and shop.name in html
    assert " ".join([shop.code[:4], shop.code[4:8], shop.code[8:]]) in html
    assert f"https://fire.example.org/q/{shop.code}/" in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "96119" in html and "12345" in html and "119" in html
    for value in PRIVATE.values():
        assert value not in html


def test_sign_is_a_pdf_with_name_and_code(client, world, shop, tmp_path):
    client.force_login(world.grid_worker_a)
    response = client.get(reverse("place-sign", args=[shop.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    pdf = tmp_path / "sign.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert shop.name in text and "消防安全一码通" in text
    assert shop.code in "".join(text.split())
    assert "96119" in text


def test_sign_is_scoped_like_details(client, world):
    client.force_login(world.grid_worker_a)
    assert client.get(reverse("place-sign", args=[world.hotel_b.pk])).status_code == 404
    assert client.get(reverse("place-sign", args=[world.shop_s2.pk])).status_code == 404


def test_png_is_a_readable_image(client, shop):
    pil = pytest.importorskip("PIL.Image")
    image = pil.open(io.BytesIO(client.get(reverse("place-qr-png", args=[shop.code])).content))
    assert image.size[0] == image.size[1] and image.size[0] >= 200
