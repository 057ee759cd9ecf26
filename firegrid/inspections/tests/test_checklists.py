"""Shipped inspection checklists: they validate, cite real GB 35181 elements, and reach every place."""

import copy
import json
import re
from datetime import date

import pytest

from firegrid.inspections.checklists import (
    CHECKLIST_DIR,
    ChecklistError,
    lists_for,
    load_checklist,
    shipped_checklists,
    validate_checklist,
)
from firegrid.inspections.major_hazard import element_ids, load_edition
from firegrid.places.choices import PlaceKind

SHIPPED = shipped_checklists()
BY_CODE = {d["code"]: d for d in SHIPPED}
EDITION = load_edition()
ELEMENT_EVIDENCE = {e["id"]: e["evidence"] for e in EDITION["direct"] + EDITION["comprehensive"]}
SEED_PREFIXES = ("菜园坝街道2023年消防工作要点 ", "綦江区基层消防治理实施方案 ")
REQUIRED = {
    "general": None,
    "high_rise": {"high_rise_residential", "high_rise_public"},
    "self_built": {"self_built_house"},
    "mall_market": {"mall_market"},
    "childcare": {"childcare"},
    "relic_building": {"relic_building"},
}


def items(document):
    return [item for section in document["sections"] for item in section["items"]]


def minimal():
    return {
        "code": "demo",
        "version": "2026.1",
        "effective_from": "2026-01-01",
        "title": {"zh-hans": "示例", "en": "Demo"},
        "place_kinds": ["shop"],
        "sections": [
            {
                "code": "evacuation",
                "title": {"zh-hans": "安全疏散", "en": "Evacuation"},
                "items": [
                    {
                        "code": "EV-01",
                        "text": {"zh-hans": "安全出口畅通", "en": "Exits clear"},
                        "basis": "GB 35181-2017 7.3.3",
                        "evidence": "V",
                        "gb35181": ["7.3.3"],
                        "critical": True,
                    },
                    {
                        "code": "EV-02",
                        "text": {"zh-hans": "应急照明完好", "en": "Emergency lighting works"},
                        "basis": "GB 35181-2017 7.3.6",
                        "evidence": "V",
                        "gb35181": ["7.3.6"],
                        "critical": False,
                    },
                ],
            }
        ],
    }


# --- the shipped lists -------------------------------------------------------------------------


def test_every_file_in_the_folder_is_shipped():
    assert len(SHIPPED) == len(list(CHECKLIST_DIR.glob("*.json"))) >= len(REQUIRED)


@pytest.mark.parametrize("path", sorted(CHECKLIST_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_shipped_list_validates(path):
    document = load_checklist(path)
    assert document["code"] == path.stem
    assert validate_checklist(copy.deepcopy(document)) == document


@pytest.mark.parametrize(("code", "kinds"), REQUIRED.items())
def test_each_list_the_issue_asks_for_exists(code, kinds):
    assert code in BY_CODE
    if kinds is not None:
        assert kinds <= set(BY_CODE[code]["place_kinds"])


def test_the_general_list_applies_to_every_kind_and_covers_the_issue_topics():
    general = BY_CODE["general"]
    assert general["place_kinds"] == [] and general.get("flags", []) == []
    sections = {s["code"] for s in general["sections"]}
    assert {
        "evacuation",
        "fire_facilities",
        "fire_electricity",
        "fire_separation",
        "windows_billboards",
        "duty_training",
    } <= sections
    assert 30 <= len(items(general)) <= 50


@pytest.mark.parametrize("document", SHIPPED, ids=lambda d: d["code"])
def test_item_codes_are_unique_within_a_list(document):
    codes = [item["code"] for item in items(document)]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("document", SHIPPED, ids=lambda d: d["code"])
def test_every_gb35181_reference_exists(document):
    known = element_ids(EDITION)
    for item in items(document):
        assert set(item["gb35181"]) <= known, item["code"]


@pytest.mark.parametrize("document", SHIPPED, ids=lambda d: d["code"])
def test_seen_evidence_rests_on_a_seed_or_a_seen_gb35181_element(document):
    for item in items(document):
        basis = item["basis"]
        if basis.startswith(SEED_PREFIXES):
            assert item["evidence"] == "V", item["code"]
            assert re.search(r" [0-9一二三四五六七八九十]", basis), item["code"]  # names the clause
        elif basis.startswith("GB 35181-2017 "):
            element = basis.removeprefix("GB 35181-2017 ")
            assert item["evidence"] == ELEMENT_EVIDENCE[element], item["code"]
            assert element in item["gb35181"], item["code"]
        else:
            assert item["evidence"] == "R", item["code"]


@pytest.mark.parametrize("document", SHIPPED, ids=lambda d: d["code"])
def test_texts_are_bilingual_and_chinese_is_chinese(document):
    for item in items(document):
        assert re.search(r"[\u4e00-\u9fff]", item["text"]["zh-hans"]), item["code"]
        assert not re.search(r"[\u4e00-\u9fff]", item["text"]["en"]), item["code"]


def test_seed_topics_are_covered():
    text = json.dumps(SHIPPED, ensure_ascii=False)
    for phrase in ("电动自行车", "铁栅栏", "广告牌", "自知、自查、自改", "超过10人", "24小时值班"):
        assert phrase in text, phrase
    high_rise = {s["code"] for s in BY_CODE["high_rise"]["sections"]}
    assert {"fire_access", "water_supply", "electrical", "smart_monitoring"} <= high_rise
    mall_elements = {e for item in items(BY_CODE["mall_market"]) for e in item["gb35181"]}
    assert {"6.5", "6.6", "7.3.5"} <= mall_elements
    assert "6.9" in {e for item in items(BY_CODE["childcare"]) for e in item["gb35181"]}


# --- which lists a place gets ------------------------------------------------------------------


@pytest.mark.parametrize("kind", PlaceKind.values)
def test_every_place_kind_gets_the_general_list_first(kind):
    found = lists_for(kind)
    assert found and found[0]["code"] == "general"


def test_high_rise_residential_gets_general_and_high_rise():
    assert [d["code"] for d in lists_for("high_rise_residential")] == ["general", "high_rise"]


def test_a_mall_with_the_high_rise_flag_also_gets_the_high_rise_list():
    codes = [d["code"] for d in lists_for("mall_market", ["high_rise"])]
    assert codes == ["general", "high_rise", "mall_market"]


def test_self_built_house_gets_the_self_built_list():
    assert [d["code"] for d in lists_for("self_built_house", flags=["licence_check"])] == [
        "general",
        "self_built",
    ]


def test_a_shop_gets_only_the_general_list():
    assert [d["code"] for d in lists_for("shop", ["nine_small"])] == ["general"]


def test_an_unknown_kind_is_refused():
    with pytest.raises(ChecklistError, match="unknown place kind 'castle'"):
        lists_for("castle")


def test_lists_for_picks_the_version_in_force_on_the_date():
    old = minimal()
    new = copy.deepcopy(old)
    new.update(version="2027.1", effective_from="2027-01-01")
    new["sections"][0]["items"].pop()
    on_2026 = lists_for("shop", on=date(2026, 6, 1), documents=[old, new])
    on_2027 = lists_for("shop", on=date(2027, 6, 1), documents=[old, new])
    assert [d["version"] for d in on_2026] == ["2026.1"]
    assert [d["version"] for d in on_2027] == ["2027.1"]
    assert lists_for("shop", on=date(2025, 1, 1), documents=[old, new]) == []
    assert [d["version"] for d in lists_for("shop", documents=[old, new])] == ["2027.1"]


def test_shipped_checklists_are_copies():
    first = shipped_checklists()
    first[0]["title"]["en"] = "changed"
    assert shipped_checklists()[0]["title"]["en"] != "changed"


# --- bad documents -----------------------------------------------------------------------------


def test_the_minimal_document_is_valid():
    assert validate_checklist(minimal())["code"] == "demo"


def test_duplicate_item_code():
    document = minimal()
    document["sections"][0]["items"][1]["code"] = "EV-01"
    with pytest.raises(
        ChecklistError, match=r"sections\[evacuation\]\.items\[1\]\.code: duplicate item code 'EV-01'"
    ):
        validate_checklist(document)


def test_duplicate_item_code_across_sections():
    document = minimal()
    second = copy.deepcopy(document["sections"][0])
    second["code"] = "other"
    document["sections"].append(second)
    with pytest.raises(ChecklistError, match="duplicate item code 'EV-01'"):
        validate_checklist(document)


def test_unknown_gb35181_element():
    document = minimal()
    document["sections"][0]["items"][0]["gb35181"] = ["7.3.99"]
    with pytest.raises(
        ChecklistError, match=r"items\[EV-01\]\.gb35181: unknown GB 35181-2017 element\(s\) 7\.3\.99"
    ):
        validate_checklist(document)


def test_unknown_place_kind():
    document = minimal()
    document["place_kinds"] = ["shop", "castle"]
    with pytest.raises(ChecklistError, match=r"place_kinds: unknown place kind\(s\) 'castle'"):
        validate_checklist(document)


def test_missing_title():
    document = minimal()
    del document["title"]
    with pytest.raises(ChecklistError, match="checklist 'demo': missing 'title'"):
        validate_checklist(document)


def test_title_without_english():
    document = minimal()
    document["title"] = {"zh-hans": "示例"}
    with pytest.raises(ChecklistError, match=r"checklist 'demo'\.title: missing 'en' text"):
        validate_checklist(document)


def test_missing_item_text_is_named():
    document = minimal()
    del document["sections"][0]["items"][1]["text"]
    with pytest.raises(ChecklistError, match=r"sections\[evacuation\]\.items\[1\]: missing 'text'"):
        validate_checklist(document)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("evidence", "X", "evidence: 'X' must be 'V' or 'R'"),
        ("critical", "yes", "critical: must be true or false"),
        ("basis", " ", "basis: must name the clause"),
        ("code", "ev1", "must look like 'EV-01'"),
        ("gb35181", "7.3.3", "gb35181: must be a list of strings"),
        ("colour", "red", "unknown key\\(s\\) 'colour'"),
    ],
)
def test_bad_item_fields(field, value, message):
    document = minimal()
    document["sections"][0]["items"][0][field] = value
    with pytest.raises(ChecklistError, match=message):
        validate_checklist(document)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("effective_from", "2026-13-01", "effective_from: '2026-13-01' is not a date"),
        ("gb35181_edition", "GB 35181-1999", "unknown GB 35181 edition"),
        ("sections", [], "sections: must be a non-empty list"),
        ("flags", ["High Rise"], "is not a flag code"),
        ("code", "Demo List", "must be lower-case"),
    ],
)
def test_bad_document_fields(field, value, message):
    document = minimal()
    document[field] = value
    with pytest.raises(ChecklistError, match=message):
        validate_checklist(document)


def test_duplicate_section_code():
    document = minimal()
    document["sections"].append(copy.deepcopy(document["sections"][0]))
    document["sections"][1]["items"][0]["code"] = "EV-03"
    document["sections"][1]["items"][1]["code"] = "EV-04"
    with pytest.raises(ChecklistError, match=r"sections\[1\]\.code: duplicate section code 'evacuation'"):
        validate_checklist(document)


def test_load_checklist_names_the_file(tmp_path):
    document = minimal()
    document["sections"][0]["items"][0]["gb35181"] = ["9.9"]
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"^demo\.json: .*unknown GB 35181-2017 element\(s\) 9\.9"):
        load_checklist(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"^demo\.json: not JSON"):
        load_checklist(path)
