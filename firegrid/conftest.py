import pathlib
import sqlite3
from urllib.parse import quote

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


def pytest_configure(config):
    """On SQLite the live server's threads share the test database's one in-memory connection
    (pytest-django passes it along): two requests at once on it can deadlock inside sqlite3 (a query
    calling one of Django's Python SQL functions waits for the GIL that a thread waiting for the
    connection holds — the map page's parallel layer requests hung a CI run). There the live server
    answers one request at a time (Django's WSGIServer closes each connection); PostgreSQL keeps the
    threaded server, each thread with its own connection."""
    import os

    if "postgres" in os.environ.get("DATABASE_URL", ""):
        return
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneAtATimeServer(WSGIServer):
        # requests run in the live server's own thread, which already uses the overridden connection
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = OneAtATimeServer


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


# The test database as a URL another process (an ingest, a sweep killed half-way) can open. PostgreSQL:
# the test database by URL (tests use transactional_db so their rows are committed). SQLite: the in-memory
# test database cannot be shared with another process, so it is copied into a file (sqlite3 backup) and the
# test's connection is pointed at that file; the in-memory database is kept open and put back after.
@pytest.fixture
def shared_db(transactional_db, tmp_path):
    """The test database as a URL another process can open (see the module docstring)."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        yield "postgres://{}:{}@{}:{}/{}".format(
            quote(settings_dict["USER"] or "", safe=""),
            quote(settings_dict["PASSWORD"] or "", safe=""),
            settings_dict["HOST"] or "127.0.0.1",
            settings_dict["PORT"] or 5432,
            settings_dict["NAME"],
        )
        return
    if connection.vendor != "sqlite":
        pytest.skip(f"no subprocess set-up for {connection.vendor}")
    path = tmp_path / "ingest.sqlite3"
    connection.ensure_connection()
    memory = connection.connection
    if connection.is_in_memory_db():
        target = sqlite3.connect(path)
        memory.backup(target)
        target.close()
    else:  # a file test database already: share it as it is
        path = pathlib.Path(settings_dict["NAME"])
        memory = None
    old_name = settings_dict["NAME"]
    if memory is not None:
        connection.connection = None  # the in-memory database stays open in `memory`
        settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        if memory is not None:
            connection.close()
            settings_dict["NAME"] = old_name
            connection.connection = memory


@pytest.fixture
def shared_cache(settings, tmp_path, request):
    """Django's default cache on a private redis-server for this test (as production with REDIS_URL),
    emptied first; gives the RedisServer (stop() and start() it to simulate an outage)."""
    from django.core.cache import cache

    from firegrid.ops.testing import RedisServer, redis_or_skip

    redis_or_skip()
    server = RedisServer(tmp_path).start()
    request.addfinalizer(server.stop)
    settings.CACHES = {
        "default": {
            "BACKEND": "firegrid.core.cache.TolerantRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "firegrid-test",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    cache.clear()
    return server
