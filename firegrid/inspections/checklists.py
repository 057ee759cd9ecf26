"""Inspection checklists: versioned data, one JSON document per list, validated here.

A document names the place kinds (empty = every kind) and place flags it applies to, and holds
sections of items. Each item cites its basis (a clause of a norm or a seed clause), whether that
wording was seen ("V") or recalled ("R"), the GB 35181 elements a failure of the item may
evidence, and whether a failure calls for a re-inspection ("critical").

Pure Python on purpose: the models store these documents as versions; this module knows only the
documents, so a district's edited version is checked by the same code as the shipped one.
"""

import copy
import json
import re
from datetime import date
from functools import cache
from pathlib import Path

from firegrid.inspections.major_hazard import DeterminationError, element_ids, load_edition
from firegrid.places.choices import PlaceKind

CHECKLIST_DIR = Path(__file__).resolve().parent / "data" / "checklists"
DEFAULT_EDITION = "GB 35181-2017"
LANGUAGES = ("zh-hans", "en")
EVIDENCE = ("V", "R")

DOCUMENT_KEYS = {"code", "version", "effective_from", "title", "place_kinds", "sections"}
DOCUMENT_OPTIONAL = {"flags", "effective_to", "gb35181_edition", "sources", "notes"}
SECTION_KEYS = {"code", "title", "items"}
ITEM_KEYS = {"code", "text", "basis", "evidence", "gb35181", "critical"}
ITEM_OPTIONAL = {"see_also", "notes"}

CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ITEM_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*-\d{2,3}$")


class ChecklistError(ValueError):
    pass


def _fail(where, message):
    raise ChecklistError(f"{where}: {message}")


def _check_keys(obj, where, required, optional=frozenset()):
    if not isinstance(obj, dict):
        _fail(where, "must be an object")
    missing = sorted(required - obj.keys())
    if missing:
        _fail(where, f"missing {', '.join(repr(k) for k in missing)}")
    unknown = sorted(obj.keys() - required - optional)
    if unknown:
        _fail(where, f"unknown key(s) {', '.join(repr(k) for k in unknown)}")


def _check_text(value, where):
    if not isinstance(value, dict):
        _fail(where, "must map languages to text")
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            _fail(where, f"missing {lang!r} text")
    unknown = sorted(value.keys() - set(LANGUAGES))
    if unknown:
        _fail(where, f"unknown language(s) {', '.join(repr(k) for k in unknown)}")


def _check_date(value, where):
    if not isinstance(value, str):
        _fail(where, "must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(where, f"{value!r} is not a date YYYY-MM-DD")


def _check_string_list(value, where):
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        _fail(where, "must be a list of strings")
    duplicates = sorted({v for v in value if value.count(v) > 1})
    if duplicates:
        _fail(where, f"duplicate {', '.join(repr(d) for d in duplicates)}")


def validate_checklist(document):
    """Check a checklist document; raise ChecklistError naming the bad place. Returns the document."""
    named = document.get("code") if isinstance(document, dict) else None
    _check_keys(document, f"checklist {named!r}" if named else "checklist", DOCUMENT_KEYS, DOCUMENT_OPTIONAL)
    code = document["code"]
    if not isinstance(code, str) or not CODE_RE.match(code):
        _fail("checklist.code", f"{code!r} must be lower-case letters, digits and '_'")
    where = f"checklist {code!r}"
    if not isinstance(document["version"], str) or not document["version"].strip():
        _fail(f"{where}.version", "must be a non-empty string")
    start = _check_date(document["effective_from"], f"{where}.effective_from")
    if document.get("effective_to") is not None:
        end = _check_date(document["effective_to"], f"{where}.effective_to")
        if end < start:
            _fail(f"{where}.effective_to", "is before effective_from")
    _check_text(document["title"], f"{where}.title")

    kinds = document["place_kinds"]
    _check_string_list(kinds, f"{where}.place_kinds")
    unknown_kinds = sorted(set(kinds) - set(PlaceKind.values))
    if unknown_kinds:
        _fail(f"{where}.place_kinds", f"unknown place kind(s) {', '.join(repr(k) for k in unknown_kinds)}")
    flags = document.get("flags", [])
    _check_string_list(flags, f"{where}.flags")
    bad_flags = [f for f in flags if not CODE_RE.match(f)]
    if bad_flags:
        _fail(f"{where}.flags", f"{bad_flags[0]!r} is not a flag code")
    for key in ("sources",):
        if key in document:
            _check_string_list(document[key], f"{where}.{key}")
    if "notes" in document and not isinstance(document["notes"], str):
        _fail(f"{where}.notes", "must be a string")

    edition = document.get("gb35181_edition", DEFAULT_EDITION)
    try:
        known_elements = element_ids(load_edition(edition))
    except DeterminationError:
        _fail(f"{where}.gb35181_edition", f"unknown GB 35181 edition {edition!r}")

    sections = document["sections"]
    if not isinstance(sections, list) or not sections:
        _fail(f"{where}.sections", "must be a non-empty list")
    section_codes, item_codes = set(), set()
    for index, section in enumerate(sections):
        swhere = f"{where}.sections[{index}]"
        _check_keys(section, swhere, SECTION_KEYS)
        scode = section["code"]
        if not isinstance(scode, str) or not CODE_RE.match(scode):
            _fail(f"{swhere}.code", f"{scode!r} must be lower-case letters, digits and '_'")
        if scode in section_codes:
            _fail(f"{swhere}.code", f"duplicate section code {scode!r}")
        section_codes.add(scode)
        swhere = f"{where}.sections[{scode}]"
        _check_text(section["title"], f"{swhere}.title")
        items = section["items"]
        if not isinstance(items, list) or not items:
            _fail(f"{swhere}.items", "must be a non-empty list")
        for position, item in enumerate(items):
            iwhere = f"{swhere}.items[{position}]"
            _check_keys(item, iwhere, ITEM_KEYS, ITEM_OPTIONAL)
            icode = item["code"]
            if not isinstance(icode, str) or not ITEM_CODE_RE.match(icode):
                _fail(f"{iwhere}.code", f"{icode!r} must look like 'EV-01'")
            if icode in item_codes:
                _fail(f"{iwhere}.code", f"duplicate item code {icode!r}")
            item_codes.add(icode)
            iwhere = f"{swhere}.items[{icode}]"
            _check_text(item["text"], f"{iwhere}.text")
            if not isinstance(item["basis"], str) or not item["basis"].strip():
                _fail(f"{iwhere}.basis", "must name the clause the item rests on")
            if item["evidence"] not in EVIDENCE:
                _fail(f"{iwhere}.evidence", f"{item['evidence']!r} must be 'V' or 'R'")
            _check_string_list(item["gb35181"], f"{iwhere}.gb35181")
            unknown = sorted(set(item["gb35181"]) - known_elements)
            if unknown:
                _fail(f"{iwhere}.gb35181", f"unknown {edition} element(s) {', '.join(unknown)}")
            if not isinstance(item["critical"], bool):
                _fail(f"{iwhere}.critical", "must be true or false")
            if "see_also" in item:
                _check_string_list(item["see_also"], f"{iwhere}.see_also")
    return document


def load_checklist(path):
    """Read and validate one checklist file; errors name the file."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistError(f"{path.name}: cannot read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ChecklistError(f"{path.name}: not JSON: {exc}") from exc
    try:
        return validate_checklist(document)
    except ChecklistError as exc:
        raise ChecklistError(f"{path.name}: {exc}") from None


@cache
def _shipped(directory):
    documents = [load_checklist(path) for path in sorted(Path(directory).glob("*.json"))]
    seen = {}
    for document in documents:
        key = (document["code"], document["version"])
        if key in seen:
            raise ChecklistError(f"checklist {key[0]!r} version {key[1]!r} is shipped twice")
        seen[key] = document
    return tuple(documents)


def shipped_checklists(directory=CHECKLIST_DIR):
    """Every checklist document shipped in the folder (copies: callers may change them)."""
    return [copy.deepcopy(d) for d in _shipped(str(directory))]


def applies_to(document, kind, flags=()):
    kinds = document["place_kinds"]
    list_flags = document.get("flags", [])
    if not kinds and not list_flags:
        return True
    return kind in kinds or bool(set(list_flags) & set(flags))


def _current(documents, on):
    """One version per code: the latest in force on the date (or the latest at all)."""
    chosen = {}
    for document in documents:
        start = date.fromisoformat(document["effective_from"])
        end = document.get("effective_to")
        if on is not None and (start > on or (end and date.fromisoformat(end) < on)):
            continue
        best = chosen.get(document["code"])
        if best is None or start > date.fromisoformat(best["effective_from"]):
            chosen[document["code"]] = document
    return chosen


def lists_for(kind, flags=(), *, on=None, documents=None):
    """The checklists that apply to a place: every-kind lists first, then the special ones by code.

    flags: the place's flags (e.g. "high_rise"); on: the inspection date, to pick the version in
    force (None: the latest version of each list).
    """
    if kind not in PlaceKind.values:
        raise ChecklistError(f"unknown place kind {kind!r}")
    if isinstance(flags, str):
        flags = [flags]
    documents = shipped_checklists() if documents is None else documents
    chosen = [d for d in _current(documents, on).values() if applies_to(d, kind, flags)]
    return sorted(chosen, key=lambda d: (bool(d["place_kinds"] or d.get("flags")), d["code"]))
