"""Security headers: the Content-Security-Policy (no inline scripts anywhere), the Referrer, Opener and
Permissions policies, the API docs' relaxed style policy, the tile server in img-src, and templates
that keep to the policy."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from firegrid.core.net import csp_source


def directives(header):
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def test_every_page_sends_the_policy_without_unsafe_inline_scripts(client, world):
    for path in ["/accounts/login/", "/report/", "/survey/", f"/q/{world.shop_a.code}/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path  # no 'unsafe-inline', no 'unsafe-eval'
        assert policy["style-src"] == ["'self'"], path
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"] and policy["worker-src"] == ["'self'"]
        assert set(policy["img-src"]) >= {"'self'", "data:", "blob:"}
        assert policy["font-src"] == ["'self'", "data:"]


def test_referrer_opener_and_permissions_policies(client, world):
    client.force_login(world.district_admin)
    response = client.get("/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Permissions-Policy"] == "camera=(self), geolocation=(self), microphone=()"
    # the service worker and the API answer under the same headers
    for path in ["/sw.js", "/api/v1/ping"]:
        response = client.get(path)
        assert "Permissions-Policy" in response and "Content-Security-Policy" in response, path


def test_api_docs_relax_styles_only_and_load_their_script_from_a_url(client, world):
    client.force_login(world.district_admin)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    page = response.content.decode()
    assert "<script>" not in page  # the start-up script is its own request
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    # every other page keeps the strict style policy
    assert directives(client.get("/")["Content-Security-Policy"])["style-src"] == ["'self'"]


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.example.cn/{z}/{x}/{y}.png", "https://tiles.example.cn"),
        ("https://tiles.example.cn:8443/t/{z}/{x}/{y}.png", "https://tiles.example.cn:8443"),
        ("https://t{s}.example.cn/{z}/{x}/{y}.png", "https://*.example.cn"),
        ("https://tiles.{s}.example.cn/{z}/{x}/{y}.png", "https:"),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("", None),
    ],
)
def test_the_tile_server_origin_as_a_policy_source(url, source):
    assert csp_source(url) == source


def test_map_tile_url_adds_its_origin_to_img_src():
    """Settings are read once at start-up: a fresh interpreter with MAP_TILE_URL set."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "firegrid.settings",
        "MAP_TILE_URL": "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == [
        "'self'",
        "data:",
        "blob:",
        "https://*.tile.openstreetmap.org",
    ]


# Templates WeasyPrint renders to PDF: never served to a browser, so the policy does not apply.
PDF_TEMPLATES = {
    "hazards/templates/hazards/notice.html",
    "places/templates/places/sign.html",
    "org/templates/org/cards/fire_manager.html",
    "tasks/templates/tasks/traceback_pdf.html",
    "dashboard/templates/dashboard/reports/assessment_pdf.html",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
# onclick="…" inside a tag, and htmx's hx-on:…="…" (evaluated code); not {% … online=x %} in a tag
HANDLER = re.compile(r"<[a-z][^>]*?(?:\s|hx-)on[a-z]*[:-]*[a-z-]*\s*=\s*[\"']", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)


def test_templates_have_no_inline_scripts_handlers_or_styles():
    root = Path(settings.BASE_DIR)
    offences = []
    for path in sorted(root.rglob("templates/**/*.html")):
        relative = path.relative_to(root).as_posix()
        if relative in PDF_TEMPLATES:
            continue
        text = path.read_text(encoding="utf-8")
        for name, pattern in [
            ("inline script", INLINE_SCRIPT),
            ("event handler", HANDLER),
            ("style attribute", STYLE_ATTRIBUTE),
            ("style element", STYLE_ELEMENT),
        ]:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{relative}:{line}: {name}")
    assert offences == []


def test_the_pattern_finds_what_it_should():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">x()</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert HANDLER.search('<select name="year" onchange="this.form.submit()">')
    assert HANDLER.search("<button\n  class=\"x\" onclick='go()'>")
    assert HANDLER.search('<form hx-on::after-request="this.reset()">')
    assert not HANDLER.search('<p class="one">') and not HANDLER.search('<b data-not-saved="x">')
    assert not HANDLER.search(
        "<p>{% blocktranslate with online=d.online %}{{ online }}{% endblocktranslate %}</p>"
    )
    assert STYLE_ATTRIBUTE.search('<span style="width: 4%">') and STYLE_ELEMENT.search("<style>")
