"""The fire manager's display card: a real PDF with the name, and a QR code to the public page."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from firegrid.org.cards import manager_card_html, public_url


def card_url(area):
    return reverse("area-card", args=[area.pk])


def test_card_html_points_the_qr_code_at_the_public_page(world, settings):
    settings.PUBLIC_BASE_URL = "https://fire.example.org"
    url = public_url(world.manager_a)
    assert url == f"https://fire.example.org/p/manager/{world.manager_a.public_token}/"
    html = manager_card_html(world.manager_a)
    assert "消防管理员公示牌" in html and "张管理员" in html and "13800000001" in html
    assert "桥河小区" in html and "桥河社区" in html
    assert 'src="data:image/svg+xml;base64,' in html


def test_card_is_a_pdf_with_the_managers_name(client, world, tmp_path):
    client.force_login(world.grid_worker_a)
    response = client.get(card_url(world.area_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "张管理员" in text
    assert "13800000001" in text
    assert "消防管理员公示牌" in text


def test_card_is_scoped_like_other_details(client, world):
    client.force_login(world.grid_worker_a)
    assert client.get(card_url(world.area_b)).status_code == 404  # grid B
    assert client.get(card_url(world.area_s2)).status_code == 404  # other street
    client.force_login(world.street_officer)
    assert client.get(card_url(world.area_b)).status_code == 404  # in scope, but has no manager yet
    client.logout()
    response = client.get(card_url(world.area_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_public_page_behind_the_qr_code_needs_no_login_and_shows_little(client, world):
    response = client.get(reverse("portal-manager", args=[world.manager_a.public_token]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "张管理员" in text and "13800000001" in text and "桥河小区" in text
    assert "T5010101" not in text and "桥河一网格" not in text and "noindex" in text
    assert client.get(reverse("portal-manager", args=["no-such-token"])).status_code == 404
