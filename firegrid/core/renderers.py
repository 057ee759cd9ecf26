"""The API's JSON through orjson, byte for byte what DRF's JSONRenderer writes for the same data.

DRF renders with the standard library's json (compact separators, raw UTF-8, strict: NaN and infinities
refused) and its encoder's `default` for what json cannot write (dates and times, Decimal, UUID, lazy
strings, QuerySets, sets, generators...); then it escapes U+2028 and U+2029. orjson writes the same
bytes, ~20 times faster (the checks below included: a street's 560 KB hazard layer 6.9 -> 1.1 ms),
except where the two differ, which is checked here:

- datetimes, dates and times are passed to DRF's encoder (OPT_PASSTHROUGH_DATETIME), dataclasses too
  (DRF refuses them, orjson would write them);
- subclasses of str, int, float, dict, list and tuple are turned into what Python's json writes for
  them (OPT_PASSTHROUGH_SUBCLASS: json reads a dict subclass through its items(), so an OrderedDict
  whose order was changed by move_to_end keeps that order);
- orjson writes NaN and infinities as null, and floats between -1e-4 and 1e-4 as 0.00001 and 1e-7
  where Python writes 1e-05 and 1e-07: when the output holds a null, the data is searched for such
  floats, else the output for numbers written so (or text that looks like one); found: DRF renders;
- integers beyond 64 bits, keys that are not plain str, nesting deeper than 254, one-shot iterators,
  an indent (browsable API, `Accept: application/json; indent=4`), ASCII-only or spaced output
  (UNICODE_JSON / COMPACT_JSON off): rendered by DRF, which also raises what DRF raises.

One difference is left: orjson writes an Enum that mixes in no str, int or float (its value), where
json refuses it (TypeError); models.TextChoices and IntegerChoices are written the same by both.
"""

import math
import re

import orjson
from rest_framework.renderers import JSONRenderer

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS
# Python writes floats below 1e-4 as 1e-05, orjson as 0.00001 or 1e-7: output holding "0.0000" or
# "e-" where a number may start (the output's start, after [ : , or a space) is left to json. Literal
# searches first (a regular expression that has to try every byte position costs more than orjson)
ZEROS, EXPONENT = re.compile(rb"0\.0000"), re.compile(rb"e-")
BEFORE_ZEROS = re.compile(rb"[\[:, ]-?\Z")
BEFORE_EXPONENT = re.compile(rb"[\[:, ]-?[0-9]+(?:\.[0-9]+)?\Z")  # a float's mantissa has <= 17 digits
TINY = 1e-4
NULL = re.compile(rb"null")
SCALARS = frozenset({str, int, bool, type(None)})
SEPARATORS = re.compile(rb"\xe2\x80[\xa8\xa9]")  # U+2028 and U+2029 in UTF-8
LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class Refused(Exception):
    """Raised inside orjson's default: let DRF render this data."""


def plain_floats(value):
    """True when every float inside value's dicts, lists and tuples is written alike by orjson and
    json: finite, and 0 or at least 1e-4 in size (other objects are not entered: orjson hands them to
    `default`, which checks what it returns)."""
    stack = [value]
    pop, push, isfinite = stack.pop, stack.append, math.isfinite
    while stack:
        item = pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            children = (item,)
        for child in children:
            kind = type(child)
            if kind in SCALARS:
                continue
            if kind is float or isinstance(child, float):
                if not isfinite(child) or (child and -TINY < child < TINY):
                    return False
            elif isinstance(child, (dict, list, tuple)):
                push(child)
    return True


def json_default(encoder):
    """orjson's `default`: what Python's json writes for subclasses of its types, else DRF's
    encoder.default, whose answer must hold no NaN or infinity (orjson would write null)."""
    drf_default = encoder.default

    def default(obj):
        # the order of Python's json encoder: str, int, float, list and tuple, dict, then default
        if isinstance(obj, str):
            return str.__str__(obj)
        if isinstance(obj, int):
            return int.__int__(obj)
        if isinstance(obj, float):
            return float.__float__(obj)
        if isinstance(obj, list):
            return list.copy(obj)
        if isinstance(obj, tuple):
            return list(tuple.__iter__(obj))
        if isinstance(obj, dict):
            return dict(obj.items())
        if hasattr(obj, "__next__"):
            raise Refused  # a generator read here could not be read again by DRF
        value = drf_default(obj)
        if type(value) is not str and not plain_floats(value):
            raise Refused
        return value

    return default


def orjson_render(data, encoder):
    """The bytes DRF's JSONRenderer writes for `data` when compact and in UTF-8 (COMPACT_JSON and
    UNICODE_JSON on), written by orjson with `encoder.default` (the renderer's encoder) for what JSON
    has no type for; None when DRF must render it (see the module's docstring)."""
    try:
        ret = orjson.dumps(data, default=json_default(encoder), option=OPTIONS)
    except (orjson.JSONEncodeError, Refused):
        return None
    if NULL.search(ret):  # maybe a NaN or infinity (DRF raises, STRICT_JSON, or writes NaN): look
        if not plain_floats(data):
            return None
    elif _tiny_float(ret):
        return None
    if SEPARATORS.search(ret):  # as DRF: fully escaped, so the JSON is a strict JavaScript subset
        ret = ret.replace(LINE_SEPARATOR, b"\\u2028").replace(PARAGRAPH_SEPARATOR, b"\\u2029")
    return ret


def _tiny_float(ret):
    """True when the output may hold a float that orjson writes otherwise than json (|x| < 1e-4)."""
    for hint, before in ((ZEROS, BEFORE_ZEROS), (EXPONENT, BEFORE_EXPONENT)):
        for found in hint.finditer(ret):
            end = found.start()
            # the 32 bytes before the hint hold the start of the number it belongs to, if any
            window = ret[end - 32 : end] if end > 32 else b"[" + ret[:end]
            if before.search(window):
                return True
    return False


class FastJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer (same media type, format and bytes) rendering with orjson."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if (
            not self.ensure_ascii
            and self.compact
            and self.get_indent(accepted_media_type, renderer_context) is None
        ):
            ret = orjson_render(data, self.encoder_class())
            if ret is not None:
                return ret
        return super().render(data, accepted_media_type, renderer_context)
