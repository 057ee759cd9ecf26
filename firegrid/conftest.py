import pytest

from firegrid.org.testing import build_world


@pytest.fixture
def world(db):
    return build_world()


# Test clients ask for English so assertions can name messages in the source language; the
# Chinese default is covered by core/tests/test_i18n.py and the browser tests.
@pytest.fixture
def client():
    from django.test import Client

    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient(headers={"Accept-Language": "en"})


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # argon2 is the production hasher; tests create many users and need not pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    import os
    import pathlib

    if not pathlib.Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
    # body are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(chromium):
    """A fresh phone-sized browser context (iPhone-like 390×844)."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
