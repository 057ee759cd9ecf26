"""Chinese is the default UI language and every string has a translation."""

import pathlib
import re

from django.conf import settings
from django.test import Client
from django.utils import translation

PO = pathlib.Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text):
    for block in text.split("\n\n"):
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        msgid = "".join(re.findall(r'^msgid(?:_plural)? "(.*)"$|^"(.*)"$', block, re.M)[0])
        strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"', block, re.M)
        yield block, msgid, strs


def test_zh_hans_catalogue_is_complete():
    text = PO.read_text(encoding="utf-8")
    missing, fuzzy = [], []
    for block, msgid, strs in list(_entries(text))[1:]:  # the first entry is the header
        ids = re.findall(r'^msgid "(.*)"', block, re.M)
        continuation = re.search(r'^msgstr(?:\[\d\])? ""\n"', block, re.M)
        if any(s == "" for s in strs) and not continuation:
            missing.append(ids[0] if ids else msgid)
        if "#, fuzzy" in block:
            fuzzy.append(ids[0] if ids else msgid)
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:10]}"
    assert not fuzzy, f"fuzzy translations: {fuzzy[:10]}"


def test_default_language_is_chinese_and_english_switches():
    client = Client()  # no Accept-Language: what a fresh browser without a preference gets
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override("zh-hans"):
        assert translation.gettext("Grid") == "网格"
    with translation.override("en"):
        assert translation.gettext("Grid") == "Grid"
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'lang="zh-hans"' in page.content.decode()
    english = client.get("/accounts/login/", headers={"Accept-Language": "en"})
    assert 'lang="en"' in english.content.decode()  # a browser asking for English gets it
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert 'lang="en"' in client.get("/accounts/login/").content.decode()
