"""The API's orjson renderer writes the bytes DRF's JSONRenderer writes: over hand-written values of
every type DRF's encoder knows, and over the real answers of the map layers and API lists."""

import collections
import datetime
import decimal
import ipaddress
import random
import types
import uuid
import zoneinfo

import pytest
from django.db import models
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from firegrid.core.renderers import FastJSONRenderer, orjson_render
from firegrid.hazards import actions, reports
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCase, HazardCategory
from firegrid.iot.testing import make_device
from firegrid.org.models import Region

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Colour(models.TextChoices):
    RED = "red", "Red"


class Level(models.IntegerChoices):
    HIGH = 3, "High"


class Word(str):
    def __str__(self):
        return "not what json writes"


class Count(int):
    pass


class Ratio(float):
    pass


class Backwards(dict):
    """json reads a dict subclass through items()."""

    def items(self):
        return reversed(list(super().items()))


class Pair(collections.namedtuple("Pair", "a b")):
    pass


class Array:
    """Looks like a numpy array: DRF's encoder calls tolist()."""

    def tolist(self):
        return [1, 2.5, None]


def moved():
    ordered = collections.OrderedDict([("a", 1), ("b", 2), ("c", 3)])
    ordered.move_to_end("a")  # the dict's own storage keeps a first; json writes b, c, a
    return ordered


def values():
    """Fresh values each call (a generator is read once)."""
    aware = datetime.datetime(2026, 11, 27, 4, 5, 6, 123456, tzinfo=datetime.UTC)
    return {
        "nested": {"a": [1, {"b": [True, False, None, {"c": "d"}]}], "empty": {}, "list": []},
        "unicode": "消防 网格 — ünïcode",
        "separators": "line\u2028paragraph\u2029end",
        "emoji": "🔥🧯👩‍🚒",
        "controls": "".join(chr(i) for i in range(32)) + '\x7f"\\/',
        "text that looks like numbers": ["fire-exit", "0.00001", "1e-7", "2e-05 m", "x:10.00001", "9e-5"],
        "uuid with e-": uuid.UUID("0badc0de-0000-4e00-8e0e-00000000003e"),
        "floats": [0.1, 1e16, 1e15, 123456789.123, -0.0, 0.0, 1.5e300, 1e22, 0.0001, 2.5, -7.25],
        "ints": [0, -1, 2**31, 2**63 - 1, -(2**63), 2**64 - 1],
        "bools": [True, False],
        "none": None,
        "aware": aware,
        "aware utc no micro": aware.replace(microsecond=0),
        "aware +08:00": aware.astimezone(SHANGHAI),
        "naive": aware.replace(tzinfo=None),
        "naive no micro": datetime.datetime(2026, 1, 2, 3, 4, 5),
        "date": datetime.date(2026, 11, 27),
        "time": datetime.time(4, 5, 6, 789000),
        "time no micro": datetime.time(23, 59),
        "timedelta": datetime.timedelta(days=1, seconds=3, microseconds=500),
        "decimals": [decimal.Decimal("1.10"), decimal.Decimal("1E+2"), decimal.Decimal("-0.5")],
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "lazy": gettext_lazy("Log in again to continue."),
        "tuple": (1, "two", (3.5,)),
        "set": {"only"},
        "frozenset": frozenset({7}),
        "bytes": b"raw",
        "ip": [ipaddress.ip_address("10.0.0.1"), ipaddress.ip_network("fd00::/8")],
        "return dict": ReturnDict({"z": 1, "a": 2}, serializer=None),
        "return list": ReturnList([{"k": "v"}, 2], serializer=None),
        "ordered": collections.OrderedDict([("z", 1), ("y", 2)]),
        "moved to end": moved(),
        "choices": [Colour.RED, Level.HIGH],
        "safe": mark_safe("<b>ok</b>"),
        "subclasses": [Word("word"), Count(5), Ratio(0.5), Pair(1, 2), Backwards(x=1, y=2)],
        "array-like": Array(),
        "mapping": types.MappingProxyType({"m": 1}),
        "keys view": {"k1": 1}.keys(),
    }


def drf(data, **kw):
    return JSONRenderer().render(data, **kw)


def fast(data, **kw):
    return FastJSONRenderer().render(data, **kw)


def test_settings_put_it_first():
    assert api_settings.DEFAULT_RENDERER_CLASSES[0] is FastJSONRenderer
    assert FastJSONRenderer.media_type == JSONRenderer.media_type and FastJSONRenderer.format == "json"
    # as configured: UNICODE_JSON, COMPACT_JSON, STRICT_JSON
    assert not FastJSONRenderer.ensure_ascii and FastJSONRenderer.compact and FastJSONRenderer.strict


def test_every_type_byte_for_byte():
    with translation.override("zh-hans"):
        expected = drf(values())
        assert fast(values()) == expected
        assert orjson_render(values(), JSONEncoder()) == expected  # orjson wrote it, no fallback
    # spot checks of what DRF writes
    assert b'"aware":"2026-11-27T04:05:06.123456Z"' in expected
    assert b'"aware +08:00":"2026-11-27T12:05:06.123456+08:00"' in expected
    assert b'"moved to end":{"b":2,"c":3,"a":1}' in expected
    assert b'"separators":"line\\u2028paragraph\\u2029end"' in expected
    assert b"Pair" not in expected and b'"subclasses":["word",5,0.5,[1,2],{"y":2,"x":1}]' in expected
    assert "消防".encode() in expected and "🔥".encode() in expected


@pytest.mark.parametrize(
    "value",
    [
        0.1,
        1e16,
        -0.0,
        123456789.123,
        2**63 - 1,
        "U+2028 \u2028",
        [None, None],
        {"a": None, "b": 1.5},
        (None, decimal.Decimal("2.5")),  # not equal when read back: searched for NaN, none found
        ReturnList([ReturnDict({"a": None}, serializer=None)], serializer=None),
        datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        [None, 0.0, -0.0, 1e-4, -1e-4, 1e-3],
        [decimal.Decimal("0.0001"), decimal.Decimal("0")],
    ],
)
def test_scalars_and_nulls_take_the_orjson_path(value):
    assert orjson_render(value, JSONEncoder()) == drf(value)


def test_random_floats():
    rng = random.Random(12)
    floats = [rng.uniform(-1, 1) * 10 ** rng.randint(-12, 24) for _ in range(3000)]
    floats += [round(rng.uniform(-180, 180), rng.randint(0, 9)) for _ in range(3000)]
    floats += [5e-324, 1.7976931348623157e308, 1e-4, 9.99e-5, -1e-5, 1e-7, 2.5e-5, 1.234e-10]
    for f in floats:
        assert fast([f]) == drf([f]), f
        assert fast(f) == drf(f), f
    assert fast(floats) == drf(floats)
    taken = sum(orjson_render([f], JSONEncoder()) is not None for f in floats)
    assert taken > 4000  # the tiny ones (|f| < 1e-4) are left to DRF, the others written by orjson


@pytest.mark.parametrize(
    "value",
    [
        1e-7,  # orjson writes 1e-7, Python 1e-07
        1e-5,  # orjson 0.00001, Python 1e-05
        {"k": [2.5e-5]},
        2**64,  # beyond 64 bits
        -(2**63) - 1,
        10**30,
        {1: "a", 2.5: "b", False: "c", None: "d"},  # keys json turns into strings
        {Word("w"): 1},
        {"text": ":1e-5,"},  # looks like a tiny float: DRF renders it, the same bytes
        {"a": None, "f": 1e-5},  # a null: the data is searched, for tiny floats too
        [None, (Ratio(-2e-6),)],
        [decimal.Decimal("0.00001")],  # DRF's encoder makes it 1e-05
        [None, decimal.Decimal("-1E-7")],
    ],
)
def test_what_orjson_cannot_write_goes_to_drf(value):
    assert orjson_render(value, JSONEncoder()) is None
    assert fast(value) == drf(value)


def test_deep_nesting_and_generators_go_to_drf():
    deep = []
    for _ in range(300):
        deep = [deep]
    assert orjson_render(deep, JSONEncoder()) is None
    assert fast(deep) == drf(deep)
    assert orjson_render({"g": (i for i in range(3))}, JSONEncoder()) is None
    assert fast({"g": (i for i in range(3))}) == drf({"g": (i for i in range(3))}) == b'{"g":[0,1,2]}'


def test_indent_and_other_settings_render_as_drf():
    data = values()
    for media_type in ("application/json; indent=4", "application/json; indent=0"):
        assert fast(values(), accepted_media_type=media_type) == drf(data, accepted_media_type=media_type)
    assert fast(values(), renderer_context={"indent": 2}) == drf(values(), renderer_context={"indent": 2})

    class Ascii(FastJSONRenderer):
        ensure_ascii = True

    class AsciiDRF(JSONRenderer):
        ensure_ascii = True

    class Spaced(FastJSONRenderer):
        compact = False

    class SpacedDRF(JSONRenderer):
        compact = False

    assert Ascii().render(values()) == AsciiDRF().render(values())
    assert Spaced().render(values()) == SpacedDRF().render(values())
    assert b"\\u6d88" in Ascii().render(values()) and b'{"nested": {' in Spaced().render(values())
    assert fast(None) == drf(None) == b""


NOT_FINITE = [
    float("nan"),
    float("inf"),
    -float("inf"),
    {"a": [1, None, {"b": float("nan")}]},
    (None, float("inf")),
    ReturnList([ReturnDict({"x": float("nan")}, serializer=None)], serializer=None),
    {"d": decimal.Decimal("NaN")},  # DRF's encoder makes it float('nan')
    {"d": decimal.Decimal("-Infinity")},
    {"s": {float("inf")}},
    [Ratio("nan")],
]


@pytest.mark.parametrize("value", NOT_FINITE)
def test_nan_and_infinity_raise_as_drf(value):
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        drf(value)
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        fast(value)


@pytest.mark.parametrize("value", NOT_FINITE)
def test_nan_written_as_drf_when_not_strict(value):
    class Loose(FastJSONRenderer):
        strict = False

    class LooseDRF(JSONRenderer):
        strict = False

    assert Loose().render(value) == LooseDRF().render(value)
    assert b"NaN" in Loose().render(value) or b"Infinity" in Loose().render(value)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (object(), TypeError),
        (range(3), TypeError),  # DRF's encoder cannot make a dict of it and gives up
        ({"when": datetime.time(4, 5, tzinfo=datetime.UTC)}, ValueError),  # aware times refused
        ("lone surrogate \ud800", UnicodeEncodeError),
    ],
)
def test_errors_as_drf(value, error):
    with pytest.raises(error) as drf_error:
        drf(value)
    with pytest.raises(error) as fast_error:
        fast(value)
    assert str(fast_error.value) == str(drf_error.value)


def test_querysets(world):
    data = {"regions": Region.objects.order_by("pk").values("code", "name", "level")}
    expected = drf(data)
    assert fast({"regions": Region.objects.order_by("pk").values("code", "name", "level")}) == expected
    assert orjson_render(data, JSONEncoder()) == expected
    assert world.grid_a.code.encode() in expected


@pytest.fixture
def layers(world):
    category = HazardCategory.objects.get(code="evacuation")
    for place in (world.shop_a, world.mall_a, world.hotel_b, world.shop_s2):
        reports.report(
            description="通道堵塞 \u2028 🔥",
            category=category,
            place=place,
            source=Source.PUBLIC,
            channel=Channel.WEB,
        )
    major = HazardCase.objects.filter(place=world.mall_a).get()
    actions.confirm(major, actor=world.street_officer, severity="major")
    make_device("smoke_detector", place=world.shop_a)
    make_device("electrical_monitor", place=world.hotel_b)
    return major


API_URLS = [
    "/api/v1/map/hazards/",
    "/api/v1/map/grids/",
    "/api/v1/map/grids/?kpi=coverage_pct",
    "/api/v1/map/devices/",
    "/api/v1/places/",
    "/api/v1/places/geojson/",
    "/api/v1/hazards/",
    "/api/v1/regions/",
    "/api/v1/iot/devices/",
    "/api/v1/inspections/",
]


@pytest.mark.parametrize("url", API_URLS)
@pytest.mark.parametrize("persona", ["district_admin", "street_officer"])
def test_real_answers_byte_for_byte(world, layers, api_client, url, persona):
    api_client.force_authenticate(getattr(world, persona))
    for language in ("en", "zh-hans"):
        response = api_client.get(url, headers={"Accept-Language": language})
        assert response.status_code == 200, (url, response.content[:300])
        assert isinstance(response.accepted_renderer, FastJSONRenderer)
        expected = drf(response.data)
        assert response.content == expected, url
        assert orjson_render(response.data, JSONEncoder()) == expected  # written by orjson
        assert response.json()  # and it is JSON


def test_real_details_byte_for_byte(world, layers, api_client):
    api_client.force_authenticate(world.street_officer)
    for url in (
        f"/api/v1/places/{world.mall_a.pk}/",
        f"/api/v1/hazards/{layers.pk}/",
        f"/api/v1/places/{world.mall_a.pk}/grades/",
    ):
        response = api_client.get(url)
        assert response.status_code == 200, url
        assert response.content == drf(response.data), url
        assert orjson_render(response.data, JSONEncoder()) == response.content, url


def test_hazard_layer_holds_what_was_reported(world, layers, api_client):
    api_client.force_authenticate(world.street_officer)
    body = api_client.get("/api/v1/map/hazards/").content
    codes = HazardCase.objects.filter(place__in=[world.shop_a, world.mall_a, world.hotel_b])
    for case in codes:
        assert f'"tracking_code":"{case.tracking_code}"'.encode() in body


def test_browsable_api_and_indent_still_drf(world, api_client):
    api_client.force_authenticate(world.street_officer)
    html = api_client.get("/api/v1/regions/", headers={"Accept": "text/html"})
    assert html.status_code == 200 and b"<html" in html.content
    indented = api_client.get("/api/v1/regions/", headers={"Accept": "application/json; indent=2"})
    assert indented.content == drf(indented.data, accepted_media_type="application/json; indent=2")
    assert indented.content.startswith(b'{\n  "')
