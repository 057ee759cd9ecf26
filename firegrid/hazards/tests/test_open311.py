"""Open311 GeoReport v2 at /open311/v2/: every resource in JSON and XML, against the spec's field lists."""

import datetime
import io
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from firegrid.hazards.actions import record_event
from firegrid.hazards.choices import CaseStatus, Channel, EventKind, Source
from firegrid.hazards.models import HazardCase, HazardCategory, Open311Client
from firegrid.hazards.reports import report

BASE = "/open311/v2"
FORMATS = ["json", "xml"]
# field lists of http://wiki.open311.org/GeoReport_v2
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}
VALUE_FIELDS = {"key", "name"}
POSTED_FIELDS = {"service_request_id", "token", "service_notice", "account_id"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
TOKEN_FIELDS = {"service_request_id", "token"}
ERROR_FIELDS = {"code", "description"}
INSIDE_A = {"lat": "28.0", "long": "106.0"}  # a point inside grid A
REPORTER = {
    "email": "whistle.blower@example.com",
    "phone": "13912345678",
    "first_name": "Secretus",
    "last_name": "Reporterson",
}  # noqa: E501


# --- helpers: read either format into plain data ------------------------------------------------


def _element(element):
    children = list(element)
    if not children:
        return element.text or ""
    return {child.tag: _element(child) for child in children}


def xml_list(root, item):
    """<root><item>…</item>…</root> as a list of dicts; nested lists stay elements for the caller."""
    return [{child.tag: child for child in node} for node in root.findall(item)]


def parse(response, fmt):
    assert response["Content-Type"].startswith("application/json" if fmt == "json" else "text/xml")
    assert "charset=utf-8" in response["Content-Type"]
    if fmt == "json":
        return json.loads(response.content)
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def as_list(response, fmt, root, item):
    """A list body ([{…}] in JSON, <root><item>…</item></root> in XML) as a list of {field: text}."""
    body = parse(response, fmt)
    if fmt == "json":
        assert isinstance(body, list)
        return body
    assert body.tag == root
    return [{name: _element(el) for name, el in row.items()} for row in xml_list(body, item)]


def errors_of(response, fmt):
    rows = as_list(response, fmt, "errors", "error")
    assert rows, "an error response lists at least one error"
    for row in rows:
        assert set(row) == ERROR_FIELDS
        assert str(row["code"]) == str(response.status_code)
    return [row["description"] for row in rows]


def get(client, path, fmt="json", **params):
    return client.get(f"{BASE}/{path}.{fmt}", params)


def post(client, fmt="json", **data):
    return client.post(f"{BASE}/requests.{fmt}", data)


def public_report(world, **extra):
    fields = {
        "description": "Exit of the shop locked with a chain",
        "category": HazardCategory.objects.get(code="evacuation"),
        "place": world.shop_a,
        "source": Source.PUBLIC,
        "channel": Channel.WEB,
        "reporter_name": "Secretus Reporterson",
        "reporter_phone": REPORTER["phone"],
        "reporter_email": REPORTER["email"],
    }
    fields.update(extra)
    return report(**fields)


@pytest.fixture
def key(world):
    return Open311Client.issue("test app")[1]


@pytest.fixture
def case(world):
    return public_report(world)


@pytest.fixture
def private_case(world):
    return public_report(
        world, description="Private matter in the hotel", place=world.hotel_b, is_public=False
    )


def valid(key, **extra):
    data = {
        "api_key": key,
        "service_code": "fire_lane",
        "description": "Cars parked on the fire lane",
        **INSIDE_A,
    }
    data.update(extra)
    return data


# --- discovery and services ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, world, fmt):
    response = get(client, "discovery", fmt)
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        endpoint = body["endpoints"][0]
        assert {"changeset", "contact", "key_service"} <= set(body)
        formats = endpoint["formats"]
    else:
        assert body.tag == "discovery"
        endpoint = _element(body.find("endpoints/endpoint"))
        formats = [f.text for f in body.findall("endpoints/endpoint/formats/format")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert set(formats) == {"text/xml", "application/json"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_list_active_public_categories(client, world, fmt):
    HazardCategory.objects.filter(code="other").update(is_active=False)
    response = get(client, "services", fmt)
    assert response.status_code == 200
    rows = as_list(response, fmt, "services", "service")
    codes = [row["service_code"] for row in rows]
    expected = list(HazardCategory.objects.filter(is_active=True, public=True).values_list("code", flat=True))
    assert codes == expected
    assert "management" not in codes  # not offered to the public
    assert "other" not in codes  # inactive
    for row in rows:
        assert set(row) == SERVICE_FIELDS
        assert str(row["type"]) == "realtime"
    by_code = {row["service_code"]: row for row in rows}
    true, false = (True, False) if fmt == "json" else ("true", "false")
    assert by_code["e_bike"]["metadata"] == true
    assert by_code["evacuation"]["metadata"] == false
    assert by_code["e_bike"]["service_name"] == "E-bikes parked or charged indoors"
    assert by_code["e_bike"]["group"] == "building"
    assert "e-bike" in by_code["e_bike"]["keywords"]


def test_services_follow_the_language(world):
    from django.test import Client

    rows = json.loads(Client(headers={"Accept-Language": "zh-hans"}).get(f"{BASE}/services.json").content)
    assert {"service_code": "e_bike", "service_name": "电动自行车违规停放充电"}.items() <= next(
        r for r in rows if r["service_code"] == "e_bike"
    ).items()


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition(client, world, fmt):
    response = get(client, "services/e_bike", fmt)
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        assert set(body) == DEFINITION_FIELDS
        attributes = body["attributes"]
        code = body["service_code"]
    else:
        assert body.tag == "service_definition"
        assert {child.tag for child in body} == DEFINITION_FIELDS
        code = body.findtext("service_code")
        attributes = []
        for node in body.findall("attributes/attribute"):
            row = {child.tag: child.text or "" for child in node if child.tag != "values"}
            row["values"] = [_element(value) for value in node.findall("values/value")]
            assert {child.tag for child in node} == ATTRIBUTE_FIELDS
            attributes.append(row)
    assert code == "e_bike"
    (attribute,) = attributes
    assert set(attribute) == ATTRIBUTE_FIELDS
    true = True if fmt == "json" else "true"
    assert attribute["variable"] == true
    assert attribute["required"] == true
    assert attribute["code"] == "where"
    assert attribute["datatype"] == "singlevaluelist"
    assert str(attribute["order"]) == "1"
    assert attribute["description"] == "Where"
    assert attribute["datatype_description"]
    assert all(set(value) == VALUE_FIELDS for value in attribute["values"])
    assert [v["key"] for v in attribute["values"]] == ["stairwell", "hall", "home", "cable"]
    assert attribute["values"][0]["name"] == "Stairwell or corridor"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_unknown_or_private(client, world, fmt):
    for code in ("no_such_service", "management"):
        response = get(client, f"services/{code}", fmt)
        assert response.status_code == 404
        assert code in errors_of(response, fmt)[0]


def test_service_definition_without_attributes(client, world):
    body = json.loads(get(client, "services/evacuation").content)
    assert body == {"service_code": "evacuation", "attributes": []}


# --- POST requests --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_a_reported_case(client, world, key, fmt):
    response = post(client, fmt, **valid(key, **{"attribute[plate]": "渝B12345"}))
    assert response.status_code == 200, response.content
    (row,) = as_list(response, fmt, "service_requests", "request")
    assert set(row) == POSTED_FIELDS
    assert row["account_id"] in (None, "")
    assert row["service_notice"]
    case = HazardCase.objects.get(pk=row["service_request_id"])
    assert case.channel == Channel.OPEN311
    assert case.source == Source.PUBLIC
    assert case.status == CaseStatus.REPORTED
    assert case.category.code == "fire_lane"
    assert case.region == world.grid_a
    assert case.is_public
    assert case.anonymous  # no contact details given
    assert case.attributes == {"plate": "渝B12345"}


def test_post_keeps_contact_details_for_staff(client, world, key):
    response = post(client, **valid(key, address_string="桥河路 1 号", **REPORTER))
    case = HazardCase.objects.get(pk=json.loads(response.content)[0]["service_request_id"])
    assert not case.anonymous
    assert case.reporter_email == REPORTER["email"]
    assert case.reporter_phone == REPORTER["phone"]
    assert case.reporter_name == "Secretus Reporterson"
    assert case.address == "桥河路 1 号"


def test_post_at_a_place_code(client, world, key):
    data = valid(key, address_id=world.shop_a.code.lower())
    del data["lat"], data["long"]
    response = post(client, **data)
    assert response.status_code == 200, response.content
    case = HazardCase.objects.get(pk=json.loads(response.content)[0]["service_request_id"])
    assert case.place == world.shop_a
    assert case.sector == world.shop_a.sector


def test_post_takes_the_channel_of_the_client(client, world):
    _client, hotline_key = Open311Client.issue("12345 platform", channel=Channel.HOTLINE_12345)
    response = post(client, **valid(hotline_key))
    case = HazardCase.objects.get(pk=json.loads(response.content)[0]["service_request_id"])
    assert case.channel == Channel.HOTLINE_12345


def test_post_answers_and_media_url(client, world, key):
    response = post(
        client,
        **valid(
            key,
            service_code="e_bike",
            media_url="https://img.example.org/p.jpg",
            **{"attribute[where]": "hall"},
        ),
    )
    assert response.status_code == 200, response.content
    case = HazardCase.objects.get(pk=json.loads(response.content)[0]["service_request_id"])
    assert case.attributes == {"where": "hall", "media_url": "https://img.example.org/p.jpg"}
    # a client's media_url is kept for staff but not given out: only our own checked photos are
    detail = json.loads(get(client, f"requests/{case.pk}").content)[0]
    assert detail["media_url"] is None


def test_post_validates_every_datatype(client, world, key):
    category = HazardCategory.objects.get(code="other")
    category.attributes = [
        {"code": "floors", "datatype": "number", "required": True, "order": 1, "description_en": "Floors"},
        {"code": "when", "datatype": "datetime", "required": False, "order": 2, "description_en": "Seen at"},
        {
            "code": "what",
            "datatype": "multivaluelist",
            "required": False,
            "order": 3,
            "description_en": "What",
            "values": [{"key": "smoke", "name_en": "Smoke"}, {"key": "smell", "name_en": "Smell"}],
        },
        {
            "code": "note",
            "datatype": "string",
            "variable": False,
            "order": 4,
            "description_en": "Just a note",
        },
    ]
    category.save()
    bad = post(
        client,
        **valid(
            key,
            service_code="other",
            **{
                "attribute[floors]": "many",
                "attribute[when]": "yesterday",
                "attribute[what][]": ["smoke", "fire"],
            },
        ),
    )
    assert bad.status_code == 400
    messages = " | ".join(errors_of(bad, "json"))
    assert "attribute[floors]" in messages and "attribute[when]" in messages and "attribute[what]" in messages
    good = post(
        client,
        **valid(
            key,
            service_code="other",
            **{
                "attribute[floors]": "3",
                "attribute[when]": "2026-11-01T08:00:00Z",
                "attribute[what][]": ["smoke", "smell"],
                "attribute[note]": "ignored",
            },
        ),
    )
    assert good.status_code == 200, good.content
    case = HazardCase.objects.get(pk=json.loads(good.content)[0]["service_request_id"])
    when = datetime.datetime.fromisoformat(case.attributes.pop("when"))
    assert when == datetime.datetime(2026, 11, 1, 8, tzinfo=datetime.UTC)
    assert case.attributes == {"floors": 3, "what": ["smoke", "smell"]}


POST_ERRORS = [
    # (name, changes to a valid request, HTTP status, text the first error names)
    ("no api_key", {"api_key": None}, 403, "api_key"),
    ("empty api_key", {"api_key": ""}, 403, "api_key"),
    ("bad api_key", {"api_key": "not-a-key"}, 403, "api_key"),
    ("unknown service_code", {"service_code": "potholes"}, 404, "potholes"),
    ("private service_code", {"service_code": "management"}, 404, "management"),
    ("no service_code", {"service_code": None}, 400, "service_code"),
    ("wrong jurisdiction", {"jurisdiction_id": "elsewhere.gov"}, 404, "jurisdiction_id"),
    ("no location", {"lat": None, "long": None}, 400, "location"),
    ("lat without long", {"long": None}, 400, "long"),
    (
        "address_string alone",
        {"lat": None, "long": None, "address_string": "桥河路 1 号"},
        400,
        "address_string",
    ),
    ("unknown place code", {"lat": None, "long": None, "address_id": "ZZZZZZZZZZZZ"}, 400, "address_id"),
    ("outside the district", {"lat": "30.0", "long": "110.0"}, 400, "lat/long"),
    ("not a number", {"lat": "north", "long": "east"}, 400, "lat/long"),
    ("no description", {"description": ""}, 400, "description"),
    ("description too long", {"description": "火" * 4001}, 400, "4000"),
    ("bad email", {"email": "not-an-email"}, 400, "email"),
    ("bad media_url", {"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ("required attribute missing", {"service_code": "e_bike"}, 400, "attribute[where]"),
    ("bad singlevaluelist key", {"service_code": "e_bike", "attribute[where]": "roof"}, 400, "roof"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "changes", "status", "names"), POST_ERRORS, ids=[e[0] for e in POST_ERRORS])
def test_post_errors(client, world, key, fmt, name, changes, status, names):
    data = valid(key)
    for field, value in changes.items():
        if value is None:
            data.pop(field, None)
        else:
            data[field] = value
    response = post(client, fmt, **data)
    assert response.status_code == status, response.content
    assert names in errors_of(response, fmt)[0]
    assert not HazardCase.objects.exists()


def test_post_lists_every_problem_at_once(client, world, key):
    data = valid(key, service_code="e_bike", description="", email="nope")
    del data["lat"], data["long"]
    messages = errors_of(post(client, **data), "json")
    assert len(messages) == 4  # description, location, attribute[where], email


def test_post_jurisdiction_id_optional_and_checked(client, world, key, settings):
    assert post(client, **valid(key, jurisdiction_id="")).status_code == 200  # empty = absent
    assert post(client, **valid(key, jurisdiction_id=settings.OPEN311_JURISDICTION_ID)).status_code == 200
    assert get(client, "services", jurisdiction_id="elsewhere").status_code == 404


def test_post_needs_no_csrf_token(world, key):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(f"{BASE}/requests.json", valid(key))
    assert response.status_code == 200


# --- GET requests ---------------------------------------------------------------------------------


def ids_of(response, fmt="json"):
    assert response.status_code == 200, response.content
    return [row["service_request_id"] for row in as_list(response, fmt, "service_requests", "request")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_list_fields(client, world, case, private_case, fmt):
    response = get(client, "requests", fmt)
    assert response.status_code == 200
    rows = as_list(response, fmt, "service_requests", "request")
    assert [row["service_request_id"] for row in rows] == [str(case.pk)]  # never the private case
    (row,) = rows
    assert set(row) == REQUEST_FIELDS
    assert row["status"] == "open"
    assert row["service_code"] == "evacuation"
    assert row["service_name"] == "Blocked or locked exits and escape routes"
    assert row["description"] == "Exit of the shop locked with a chain"
    assert row["address_id"] == world.shop_a.code
    assert row["address"] == world.shop_a.address
    assert row["agency_responsible"] == "古南街道 / 桥河一网格"
    assert float(row["lat"]) == world.shop_a.lat
    assert float(row["long"]) == world.shop_a.lng
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        moment = datetime.datetime.fromisoformat(row[field])
        assert moment.utcoffset() is not None  # ISO 8601 with the zone
    assert datetime.datetime.fromisoformat(row["requested_datetime"]) == case.created_at.replace(
        microsecond=0
    )
    assert datetime.datetime.fromisoformat(row["expected_datetime"]) == case.step_due.replace(microsecond=0)


def test_requests_status_notes_agency_and_closed(client, world, case):
    record_event(
        case,
        EventKind.CLOSED,
        note="The chain was removed.",
        from_status=case.status,
        to_status=CaseStatus.CLOSED,
    )
    record_event(case, EventKind.COMMENT, note="internal remark", public=False)
    HazardCase.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, department=world.department)
    (row,) = json.loads(get(client, f"requests/{case.pk}").content)
    assert row["status"] == "closed"
    assert row["status_notes"] == "The chain was removed."
    assert row["agency_responsible"] == "区教委"
    assert row["expected_datetime"] is None


def test_requests_filters(client, world, case):
    closed = public_report(
        world,
        description="Extinguishers missing",
        category=HazardCategory.objects.get(code="fire_facilities"),
    )
    HazardCase.objects.filter(pk=closed.pk).update(status=CaseStatus.REJECTED)
    assert set(ids_of(get(client, "requests"))) == {str(case.pk), str(closed.pk)}
    assert ids_of(get(client, "requests", status="open")) == [str(case.pk)]
    assert ids_of(get(client, "requests", status="closed")) == [str(closed.pk)]
    assert len(ids_of(get(client, "requests", status="open,closed"))) == 2
    assert ids_of(get(client, "requests", service_code="fire_facilities")) == [str(closed.pk)]
    assert len(ids_of(get(client, "requests", service_code="fire_facilities,evacuation"))) == 2
    # an empty optional parameter is the same as none
    assert len(ids_of(get(client, "requests", status="", service_code="", start_date="", end_date=""))) == 2
    assert get(client, "requests", status="pending").status_code == 400


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_dates(client, world, case, fmt):
    old = public_report(world, description="Old report of a blocked exit")
    HazardCase.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=120))
    assert ids_of(get(client, "requests", fmt), fmt) == [str(case.pk)]  # default: last 90 days
    start = (timezone.now() - datetime.timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - datetime.timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert ids_of(get(client, "requests", fmt, start_date=start, end_date=end), fmt) == [str(old.pk)]
    assert ids_of(get(client, "requests", fmt, start_date=start), fmt) == [str(old.pk)]  # 90 days from it
    assert ids_of(get(client, "requests", fmt, end_date=end), fmt) == [str(old.pk)]
    too_long = get(
        client, "requests", fmt, start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z"
    )
    assert too_long.status_code == 400
    assert "90 days" in errors_of(too_long, fmt)[0]
    backwards = get(
        client, "requests", fmt, start_date="2026-06-01T00:00:00Z", end_date="2026-05-01T00:00:00Z"
    )
    assert backwards.status_code == 400
    bad = get(client, "requests", fmt, start_date="last tuesday")
    assert bad.status_code == 400
    assert "start_date" in errors_of(bad, fmt)[0]


def test_requests_by_id_list_overrides_other_filters(client, world, case, private_case):
    other = public_report(world, description="Another exit locked")
    HazardCase.objects.filter(pk=other.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    ids = f"{case.pk}, {other.pk},{private_case.pk},NOSUCHCODE"
    found = ids_of(
        get(
            client,
            "requests",
            service_request_id=ids,
            status="closed",
            service_code="e_bike",
            start_date="2020-01-01T00:00:00Z",
            end_date="2026-06-01T00:00:00Z",
        )
    )
    assert set(found) == {str(case.pk), str(other.pk)}


def test_requests_at_most_1000(client, world, case, monkeypatch):
    from firegrid.hazards.open311 import views

    public_report(world, description="Second report")
    monkeypatch.setattr(views, "MAX_REQUESTS", 1)
    assert len(ids_of(get(client, "requests"))) == 1


def test_requests_list_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(5):
        case = public_report(world, description=f"Report {n}", place=[world.shop_a, world.hotel_b][n % 2])
        record_event(case, EventKind.COMMENT, note=f"note {n}")
    with django_assert_max_num_queries(4):
        assert len(ids_of(get(client, "requests"))) == 5


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_by_id(client, world, case, private_case, fmt):
    response = get(client, f"requests/{case.pk}", fmt)
    (row,) = as_list(response, fmt, "service_requests", "request")
    assert set(row) == REQUEST_FIELDS
    assert row["service_request_id"] == str(case.pk)
    for code in (str(private_case.pk), "999999"):
        missing = get(client, f"requests/{code}", fmt)
        assert missing.status_code == 404
        assert code in errors_of(missing, fmt)[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_token(client, world, case, fmt):
    response = get(client, f"tokens/{case.tracking_code}", fmt)
    (row,) = as_list(response, fmt, "service_requests", "request")
    assert set(row) == TOKEN_FIELDS
    assert row["service_request_id"] == str(case.pk)
    assert get(client, "tokens/NOSUCHCODE", fmt).status_code == 404


def test_media_url_is_the_first_public_photo(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="JPEG")
    photo = SimpleUploadedFile("exit.jpg", buffer.getvalue(), content_type="image/jpeg")
    case = public_report(world, photos=[photo])
    (row,) = json.loads(get(client, f"requests/{case.pk}").content)
    assert row["media_url"].startswith("http://testserver/media/hazards/")
    assert row["media_url"].endswith(".jpg")
    case.attachments.update(is_public=False)
    (row,) = json.loads(get(client, f"requests/{case.pk}").content)
    assert row["media_url"] is None


def test_reporter_details_never_in_any_output(client, world, key, case):
    posted = post(client, **valid(key, **REPORTER))
    posted_id = json.loads(posted.content)[0]["service_request_id"]
    posted_token = json.loads(posted.content)[0]["token"]
    paths = [
        "discovery",
        "services",
        "services/fire_lane",
        "requests",
        f"requests/{case.pk}",
        f"requests/{posted_id}",
        f"tokens/{posted_token}",
    ]
    responses = [posted, post(client, "xml", **valid(key, **REPORTER))]
    responses += [get(client, path, fmt) for path in paths for fmt in FORMATS]
    responses += [
        get(client, "requests", fmt, service_request_id=f"{case.pk},{posted_id}") for fmt in FORMATS
    ]
    for response in responses:
        assert response.status_code == 200
        text = response.content.decode()
        for secret in (REPORTER["email"], REPORTER["phone"], "Secretus", "Reporterson", "reporter"):
            assert secret not in text


# --- the rest ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_resource_and_method(client, world, fmt):
    missing = client.get(f"{BASE}/nothing/here.{fmt}")
    assert missing.status_code == 404
    errors_of(missing, fmt)
    wrong = client.delete(f"{BASE}/services.{fmt}")
    assert wrong.status_code == 405
    errors_of(wrong, fmt)


def test_management_command_issues_a_key(world):
    out = io.StringIO()
    call_command("open311_client", "12345 platform", "--channel", "12345", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    client = Open311Client.for_key(key)
    assert client.name == "12345 platform"
    assert client.channel == Channel.HOTLINE_12345
    assert key not in client.key_hash


# --- a client written from the spec, over HTTP ---------------------------------------------------------


def test_a_spec_client_works_against_the_live_server(transactional_db, live_server):
    """Only documented fields, XML (the required format), urllib: discovery → services → definition →
    POST → GET by the returned id."""
    from firegrid.org.testing import build_world

    build_world()
    _client, api_key = Open311Client.issue("spec client")

    def call(url, form=None):
        data = urllib.parse.urlencode(form, doseq=True).encode("utf-8") if form is not None else None
        request = urllib.request.Request(url, data=data)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (the live test server)
            assert response.headers["Content-Type"].startswith("text/xml")
            return ET.fromstring(response.read())

    discovery = call(f"{live_server.url}{BASE}/discovery.xml")
    endpoint = next(
        e
        for e in discovery.findall("endpoints/endpoint")
        if e.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    )
    assert "text/xml" in [f.text for f in endpoint.findall("formats/format")]
    api = endpoint.findtext("url")

    services = call(f"{api}/services.xml")
    chosen = next(s for s in services.findall("service") if s.findtext("metadata") == "true")
    code = chosen.findtext("service_code")
    form = {
        "api_key": api_key,
        "service_code": code,
        "lat": "28.0",
        "long": "106.0",
        "description": "Somebody charges an e-bike in the stairwell every night",
        "email": "me@example.com",
    }
    definition = call(f"{api}/services/{code}.xml")
    assert definition.findtext("service_code") == code
    for attribute in sorted(
        definition.findall("attributes/attribute"), key=lambda a: int(a.findtext("order"))
    ):
        if attribute.findtext("variable") != "true" or attribute.findtext("required") != "true":
            continue
        keys = [v.findtext("key") for v in attribute.findall("values/value")]
        form[f"attribute[{attribute.findtext('code')}]"] = keys[0] if keys else "yes"

    created = call(f"{api}/requests.xml", form)
    assert created.tag == "service_requests"
    request_id = created.findtext("request/service_request_id")
    assert request_id and created.findtext("request/token")  # the reporter's code, for the poster only

    found = call(f"{api}/requests/{urllib.parse.quote(request_id)}.xml")
    request = found.find("request")
    assert request.findtext("service_request_id") == request_id
    assert request.findtext("status") == "open"
    assert request.findtext("service_code") == code
    assert request.findtext("description") == form["description"]
    assert "me@example.com" not in ET.tostring(found, encoding="unicode")

    with pytest.raises(urllib.error.HTTPError) as refused:
        call(f"{api}/requests.xml", {**form, "api_key": "wrong"})
    assert refused.value.code == 403
    error = ET.fromstring(refused.value.read())
    assert error.tag == "errors" and error.findtext("error/code") == "403"


def test_tracking_codes_are_never_listed(client, world, key, case):
    """The tracking code lets a reporter add information and reopen a case: it goes to the poster
    only, never into GET output, where anyone could pick it up."""
    posted = json.loads(post(client, **valid(key)).content)[0]
    for fmt in FORMATS:
        for path in ("requests", f"requests/{case.pk}", f"requests/{posted['service_request_id']}"):
            text = get(client, path, fmt).content.decode()
            assert case.tracking_code not in text and posted["token"] not in text
    (row,) = json.loads(get(client, f"tokens/{posted['token']}").content)
    assert row["service_request_id"] == posted["service_request_id"]
