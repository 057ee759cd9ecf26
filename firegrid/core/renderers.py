"""The API's JSON through orjson, byte for byte what DRF's JSONRenderer writes for the same data.

DRF renders with the standard library's json (compact separators, raw UTF-8, strict: NaN and infinities
refused) and its encoder's `default` for what json cannot write (dates and times, Decimal, UUID, lazy
strings, QuerySets, sets, generators...); then it escapes U+2028 and U+2029. orjson writes the same
bytes about ten times faster, except where the two differ, which is checked here:

- datetimes, dates and times are passed to DRF's encoder (OPT_PASSTHROUGH_DATETIME), dataclasses too
  (DRF refuses them, orjson would write them);
- subclasses of str, int, float, dict, list and tuple are turned into what Python's json writes for
  them (OPT_PASSTHROUGH_SUBCLASS: json reads a dict subclass through its items(), so an OrderedDict
  whose order was changed by move_to_end keeps that order);
- orjson writes NaN and infinities as null: when the output holds a null, the data is searched for
  such floats (cheaply first: the output read back equals the data when there are none);
- floats between -1e-4 and 1e-4 are written 0.00001 and 1e-7 by orjson, 1e-05 and 1e-07 by Python:
  output with a number written so (or text that looks like one) is rendered by DRF;
- integers beyond 64 bits, keys that are not plain str, nesting deeper than 254, one-shot iterators,
  an indent (browsable API, `Accept: application/json; indent=4`), ASCII-only or spaced output
  (UNICODE_JSON / COMPACT_JSON off): rendered by DRF, which also raises what DRF raises.

One difference is left: orjson writes an Enum that mixes in no str, int or float (its value), where
json refuses it (TypeError); models.TextChoices and IntegerChoices are written the same by both.

FastJsonResponse does the same for Django's JsonResponse with ensure_ascii=False (the field app's
today list): DjangoJSONEncoder's default, json's ", " and ": " separators, no U+2028 escaping.
"""

import math
import re

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from rest_framework.renderers import JSONRenderer

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS
# a number with four zeros after the point or a negative exponent, at the start or after [ : , or space
TINY_FLOAT = re.compile(rb"(?:^|[\[:, ])-?(?:0\.0000|[0-9]+(?:\.[0-9]+)?e-)")
# orjson's OPT_INDENT_2 writes ": " between key and value as json does; its line breaks (never inside a
# string: JSON escapes them there) and indents become json's ", " after a comma, nothing elsewhere
BREAK_AFTER_COMMA = re.compile(rb",\n *")
BREAK = re.compile(rb"\n *")
LINE_SEPARATOR = "\u2028".encode()
PARAGRAPH_SEPARATOR = "\u2029".encode()


class Refused(Exception):
    """Raised inside orjson's default: let DRF render this data."""


def all_finite(value):
    """False when a NaN or infinite float is inside value's dicts, lists and tuples (other objects are
    not entered: orjson hands them to `default`, which checks what it returns)."""
    stack = [value]
    pop, extend = stack.pop, stack.extend
    isfinite = math.isfinite
    while stack:
        item = pop()
        kind = type(item)
        if kind is str or kind is int or item is None or kind is bool:
            continue
        if isinstance(item, float):
            if not isfinite(item):
                return False
        elif isinstance(item, dict):
            extend(item.values())
        elif isinstance(item, (list, tuple)):
            extend(item)
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
        if type(value) is not str and not all_finite(value):
            raise Refused
        return value

    return default


def orjson_dumps(data, encoder, spaced=False):
    """What json.dumps(data, cls=type(encoder), ensure_ascii=False) writes, as UTF-8, with the separators
    "," and ":" (or json's default ", " and ": " when `spaced`), written by orjson with `encoder.default`
    for what JSON has no type for; None when json must write it (see the module's docstring)."""
    option = OPTIONS | orjson.OPT_INDENT_2 if spaced else OPTIONS
    try:
        ret = orjson.dumps(data, default=json_default(encoder), option=option)
    except (orjson.JSONEncodeError, Refused):
        return None
    if b"null" in ret and not _null_is_none(ret, data):
        return None  # a NaN or infinity: json raises (allow_nan=False) or writes NaN
    if (b"0.0000" in ret or b"e-" in ret) and TINY_FLOAT.search(ret):
        return None
    if spaced:
        ret = BREAK.sub(b"", BREAK_AFTER_COMMA.sub(b", ", ret))
    return ret


def orjson_render(data, encoder):
    """The bytes DRF's JSONRenderer writes for `data` when compact, in UTF-8 (COMPACT_JSON and
    UNICODE_JSON on), with the `encoder` of its class; None when DRF must render it."""
    ret = orjson_dumps(data, encoder)
    if ret is None:
        return None
    # as DRF: fully escaped, so the JSON is a strict JavaScript subset
    return ret.replace(LINE_SEPARATOR, b"\\u2028").replace(PARAGRAPH_SEPARATOR, b"\\u2029")


def _null_is_none(ret, data):
    """True when every null orjson wrote stands for None, not for a NaN or an infinity."""
    try:
        same = orjson.loads(ret) == data  # a NaN or infinity would have come back as None
    except Exception:  # noqa: BLE001 - an object of the data may refuse the comparison
        same = False
    return same or all_finite(data)


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


class FastJsonResponse(JsonResponse):
    """Django's JsonResponse(data, json_dumps_params={"ensure_ascii": False}) with DjangoJSONEncoder,
    byte for byte, written by orjson (Django's own json when orjson's bytes would differ)."""

    def __init__(self, data, **kwargs):
        body = orjson_dumps(data, DjangoJSONEncoder(), spaced=True) if isinstance(data, dict) else None
        if body is None:
            super().__init__(data, json_dumps_params={"ensure_ascii": False}, **kwargs)
        else:
            kwargs.setdefault("content_type", "application/json")
            HttpResponse.__init__(self, content=body, **kwargs)
