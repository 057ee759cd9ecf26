"""One cell's raw value (as openpyxl reads it) → the Place field value, or a Problem saying why not."""

import datetime
import re
import unicodedata

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from firegrid.places.choices import PlaceKind, SelfBuiltUse
from firegrid.places.ledger.columns import AREA_FIELDS, NO, NOTES_SHEET, YES


def _fold(value):
    """NFKC (full-width digits and punctuation become ASCII), trimmed, case-folded, no inner spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).casefold()


class Problem(Exception):
    """One cell's value cannot be used; the message says why."""


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    return str(value).strip()


def _number(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool | datetime.date | datetime.time | datetime.timedelta):
        raise Problem(_("Enter a number."))
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise Problem(
                _("“%(value)s” is not a number (write digits only, without units).")
                % {"value": str(value)[:40]}
            ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Problem(_("Enter a number."))
    return number


def _integer(value):
    number = _number(value)
    if number is None:
        return None
    if not number.is_integer():
        raise Problem(_("Enter a whole number."))
    if number < 0:
        raise Problem(_("This cannot be negative."))
    return int(number)


def _choice_lookup(choices):
    """Code or label, in any of the site's languages, → code."""
    lookup = {}
    for code, label in choices.choices:
        lookup[_fold(code)] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                lookup.setdefault(_fold(str(label)), code)
        with translation.override(None):
            lookup.setdefault(_fold(str(label)), code)
    return lookup


BOOL_WORDS = {
    **dict.fromkeys(["是", "有", "y", "yes", "true", "1", "√", "✓"], True),
    **dict.fromkeys(["否", "无", "没有", "n", "no", "false", "0", "×", "✗"], False),
}


class RowReader:
    """Turns the raw cells of one row into Place field values, raising Problem per cell."""

    def __init__(self):
        self.kinds = _choice_lookup(PlaceKind)
        self.uses = _choice_lookup(SelfBuiltUse)

    def read(self, column, raw):
        kind = column.type
        if kind == "text":
            return _text(raw)
        if kind == "number":
            number = _number(raw)
            if number is not None and number < 0 and column.key in AREA_FIELDS:
                raise Problem(_("An area or height cannot be negative."))
            return number
        if kind == "integer":
            return _integer(raw)
        if kind == "kind":
            text = _text(raw)
            if not text:
                return ""
            code = self.kinds.get(_fold(text))
            if code is None:
                raise Problem(
                    _("Unknown kind “%(kind)s”: use a kind code or name from the sheet %(sheet)s.")
                    % {"kind": text[:60], "sheet": NOTES_SHEET}
                )
            return code
        if kind == "uses":
            text = unicodedata.normalize("NFKC", _text(raw))
            uses, unknown = [], []
            for token in re.split(r"[,;、\s/|]+", text):
                if not token:
                    continue
                code = self.uses.get(_fold(token))
                if code is None:
                    unknown.append(token)
                elif code not in uses:
                    uses.append(code)
            if unknown:
                raise Problem(
                    _("Unknown self-built use(s) %(uses)s: choose from %(choices)s.")
                    % {"uses": ", ".join(unknown)[:80], "choices": ", ".join(SelfBuiltUse.values)}
                )
            return uses
        if kind == "bool":
            if raw is None or raw == "":
                return False
            if isinstance(raw, bool):
                return raw
            answer = BOOL_WORDS.get(_fold(_text(raw)))
            if answer is None:
                raise Problem(_("Write 是 or 否 (yes or no)."))
            return answer
        raise AssertionError(kind)
