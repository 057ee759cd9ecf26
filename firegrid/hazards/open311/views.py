"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over hazard cases.

Services are the public hazard categories; service requests are public hazard cases, identified by
their tracking code. Every resource answers in XML (required by the spec) and JSON. Reporters'
details are taken on POST and never given out.
"""

import datetime
import functools
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from firegrid.hazards.choices import OPEN_STATUSES, CaseStatus, Source
from firegrid.hazards.models import (
    Attachment,
    AttachmentKind,
    HazardCase,
    HazardCategory,
    HazardEvent,
    Open311Client,
)
from firegrid.hazards.open311 import render
from firegrid.hazards.reports import MAX_DESCRIPTION, report

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+08:00"  # when this implementation last changed
MAX_REQUESTS = 1000
MAX_SPAN = datetime.timedelta(days=90)
MAX_STRING = 300  # a "string" attribute answer
OPEN, CLOSED = "open", "closed"

DATATYPE_HELP = {
    "string": gettext_lazy("One line of text."),
    "number": gettext_lazy("A number."),
    "datetime": gettext_lazy("A date and time in ISO 8601 with its zone, e.g. 2026-05-01T14:30:00+08:00."),
    "text": gettext_lazy("Text; it may have line breaks."),
    "singlevaluelist": gettext_lazy("One of the keys listed in values."),
    "multivaluelist": gettext_lazy(
        "One or more of the keys listed in values, each sent as attribute[code][]."
    ),
}

# names of report() errors as a client knows them (the parameters it sent)
PARAMETER_OF_FIELD = {
    "location": "lat/long",
    "category": "service_code",
    "photos": "media_url",
    "reporter_email": "email",
    "reporter_phone": "phone",
    "reporter_name": "first_name/last_name",
    "address": "address_string",
}


class Open311Error(Exception):
    def __init__(self, status, *descriptions):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = descriptions


def param(data, name):
    """A parameter's value; an empty one is the same as none (the spec's "optional" rule)."""
    value = data.get(name)
    value = value.strip() if isinstance(value, str) else value
    return value or None


def check_jurisdiction(request):
    jurisdiction = param(request.GET, "jurisdiction_id")
    if jurisdiction is None and request.method == "POST":
        jurisdiction = param(request.POST, "jurisdiction_id")
    if jurisdiction is not None and jurisdiction != settings.OPEN311_JURISDICTION_ID:
        raise Open311Error(404, _("jurisdiction_id %(id)s was not found.") % {"id": jurisdiction})


def endpoint(*methods):
    """A GeoReport resource: allowed methods, jurisdiction check, errors in the spec's format."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def wrap(view):
        @csrf_exempt  # an API for other systems, authenticated by api_key, not by a session
        @functools.wraps(view)
        def run(request, fmt, **kwargs):
            if request.method not in allowed:
                response = render.error(
                    fmt, 405, _("Use %(methods)s on this resource.") % {"methods": " or ".join(methods)}
                )
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                check_jurisdiction(request)
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return render.error(fmt, exc.status, *exc.descriptions)

        return run

    return wrap


# --- services ---------------------------------------------------------------------------------


def offered_categories():
    return HazardCategory.objects.filter(is_active=True, public=True)


def _local(data, name):
    """The text of `name` in the active language (name_en / name_zh), falling back to the other."""
    first, second = ("en", "zh") if (get_language() or "").startswith("en") else ("zh", "en")
    return data.get(f"{name}_{first}") or data.get(f"{name}_{second}") or data.get(name) or ""


def _attributes(category):
    rows = [a for a in (category.attributes or []) if isinstance(a, dict) and a.get("code")]
    return sorted(rows, key=lambda a: (a.get("order") or 0, str(a["code"])))


def service(category):
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(_attributes(category)),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def service_definition_of(category):
    attributes = []
    for order, attribute in enumerate(_attributes(category), start=1):
        datatype = attribute.get("datatype") or "string"
        attributes.append(
            {
                "variable": bool(attribute.get("variable", True)),
                "code": attribute["code"],
                "datatype": datatype,
                "required": bool(attribute.get("required")),
                "datatype_description": _local(attribute, "datatype_description")
                or str(DATATYPE_HELP.get(datatype, "")),
                "order": order,
                "description": _local(attribute, "description"),
                "values": [
                    {"key": value["key"], "name": _local(value, "name")}
                    for value in attribute.get("values") or []
                    if isinstance(value, dict) and "key" in value
                ],
            }
        )
    return {"service_code": category.code, "attributes": attributes}


@endpoint("GET")
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311-services", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    body = {
        "changeset": CHANGESET,
        "contact": _("The district fire safety office (区消安办)."),
        "key_service": _("Ask the district fire safety office for an api_key to post service requests."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render.respond(fmt, "discovery", body)


@endpoint("GET")
def services(request, fmt):
    return render.respond(fmt, "services", [service(c) for c in offered_categories()])


@endpoint("GET")
def service_definition(request, fmt, code):
    category = offered_categories().filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    return render.respond(fmt, "service_definition", service_definition_of(category))


# --- service requests: reading ----------------------------------------------------------------


def public_cases():
    last_note = (
        HazardEvent.objects.filter(case=OuterRef("pk"), is_public=True)
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    photos = Attachment.objects.filter(kind=AttachmentKind.PHOTO, is_public=True).order_by("id")
    return (
        HazardCase.objects.filter(is_public=True)
        .select_related("category", "region", "department", "place")
        .annotate(public_note=Subquery(last_note))
        .prefetch_related(Prefetch("attachments", queryset=photos, to_attr="public_photos"))
        .order_by("-created_at", "-id")
    )


def _street_code(region):
    """The code of the street/town above a region (its path is "/district/street/…/")."""
    from firegrid.org.choices import LEVEL_ORDER, RegionLevel

    path = [code for code in region.path.split("/") if code]
    index = LEVEL_ORDER.index(RegionLevel.STREET)
    return path[index] if len(path) > index + 1 else None


def _street_names(cases):
    """{street code: name} for the streets above the cases' grids, in one query."""
    from firegrid.org.models import Region

    codes = {_street_code(case.region) for case in cases} - {None}
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def agency_responsible(case, streets):
    """The department called in (街镇吹哨), else the street and grid that hold the case."""
    if case.department_id:
        return case.department.name
    street = streets.get(_street_code(case.region))
    return " / ".join(name for name in (street, case.region.name) if name)


def service_request(case, request, streets):
    """One case as a GeoReport request; the reporter's details never appear here."""
    photo = case.public_photos[0] if case.public_photos else None
    is_open = case.status in OPEN_STATUSES
    return {
        # the public id is the case number: the tracking code is the reporter's secret (it lets them
        # add information and reopen a case), so it is never listed
        "service_request_id": str(case.pk),
        "status": OPEN if is_open else CLOSED,
        "status_notes": case.public_note or None,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": agency_responsible(case, streets),
        "service_notice": str(case.get_status_display()),
        "requested_datetime": render.w3c(case.created_at),
        "updated_datetime": render.w3c(case.updated_at),
        "expected_datetime": render.w3c(case.step_due) if is_open else None,
        "address": case.address or None,
        "address_id": case.place.code if case.place_id else None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lng,
        "media_url": request.build_absolute_uri(photo.file.url) if photo else None,
    }


def service_requests_body(cases, request):
    cases = list(cases)
    streets = _street_names(cases)
    return [service_request(case, request, streets) for case in cases]


def parse_w3c(name, value, *, end=False):
    """A W3C datetime (or a date: its start, or its end for end_date), aware; else a 400 error."""
    moment = None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(
            400, _("%(name)s is not a W3C datetime such as 2026-01-01T00:00:00Z.") % {"name": name}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _comma_list(value):
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def search(request):
    """GET requests: the spec's filters, at most 1000 records, newest first."""
    query = request.GET
    cases = public_cases()
    ids = _comma_list(param(query, "service_request_id"))
    if ids:  # overrides every other argument
        return cases.filter(pk__in=[int(i) for i in ids if i.isdigit()])[:MAX_REQUESTS]
    codes = _comma_list(param(query, "service_code"))
    if codes:
        cases = cases.filter(category__code__in=codes)
    statuses = set(_comma_list(param(query, "status")))
    if statuses - {OPEN, CLOSED}:
        raise Open311Error(400, _("status must be open, closed or both (comma separated)."))
    if statuses == {OPEN}:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif statuses == {CLOSED}:
        cases = cases.exclude(status__in=OPEN_STATUSES)
    start, end = param(query, "start_date"), param(query, "end_date")
    start = parse_w3c("start_date", start) if start else None
    end = parse_w3c("end_date", end, end=True) if end else None
    if start and end:
        if end < start:
            raise Open311Error(400, _("end_date is before start_date."))
        if end - start > MAX_SPAN:
            raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    elif start:
        end = start + MAX_SPAN
    elif end:
        start = end - MAX_SPAN
    else:
        end = timezone.now()
        start = end - MAX_SPAN
    return cases.filter(created_at__gte=start, created_at__lte=end)[:MAX_REQUESTS]


@endpoint("GET")
def request_detail(request, fmt, request_id):
    case = public_cases().filter(pk=int(request_id)).first() if request_id.isdigit() else None
    if case is None:
        raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": request_id})
    return render.respond(fmt, "service_requests", service_requests_body([case], request))


@endpoint("GET")
def token(request, fmt, token):
    pk = (
        HazardCase.objects.filter(is_public=True, tracking_code=token.upper())
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise Open311Error(404, _("token %(token)s was not found.") % {"token": token})
    return render.respond(fmt, "service_requests", [{"service_request_id": str(pk), "token": token}])


# --- service requests: posting ----------------------------------------------------------------


def read_attributes(category, data):
    """Answers to the category's questions from attribute[code] (attribute[code][] for lists)."""
    answers, errors = {}, []
    for attribute in _attributes(category):
        if not attribute.get("variable", True):
            continue
        code = str(attribute["code"])
        name = f"attribute[{code}]"
        raw = data.getlist(name) + data.getlist(f"{name}[]")
        raw = [value.strip() for value in raw if value and value.strip()]
        datatype = attribute.get("datatype") or "string"
        if not raw:
            if attribute.get("required"):
                errors.append(
                    _("%(name)s is required: %(question)s")
                    % {"name": name, "question": _local(attribute, "description")}
                )
            continue
        keys = [str(value.get("key")) for value in attribute.get("values") or [] if isinstance(value, dict)]
        if datatype == "multivaluelist":
            wrong = [value for value in raw if value not in keys]
            if wrong:
                errors.append(
                    _("%(name)s: %(wrong)s is not one of %(keys)s.")
                    % {"name": name, "wrong": ", ".join(wrong), "keys": ", ".join(keys)}
                )
            else:
                answers[code] = list(dict.fromkeys(raw))
            continue
        if len(raw) > 1:
            errors.append(_("%(name)s takes one value.") % {"name": name})
            continue
        value = raw[0]
        if datatype == "singlevaluelist" and value not in keys:
            errors.append(
                _("%(name)s: %(wrong)s is not one of %(keys)s.")
                % {"name": name, "wrong": value, "keys": ", ".join(keys)}
            )
            continue
        if datatype == "number":
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                errors.append(_("%(name)s must be a number.") % {"name": name})
                continue
            value = int(number) if number.is_integer() else number
        elif datatype == "datetime":
            try:
                value = render.w3c(parse_w3c(name, value))
            except Open311Error as exc:
                errors.extend(exc.descriptions)
                continue
        elif datatype == "text":
            value = value[:MAX_DESCRIPTION]
        elif datatype == "string":
            value = " ".join(value.split())[:MAX_STRING]
        answers[code] = value
    return answers, errors


def read_location(data):
    """(place, lat, lng) from address_id (a place code) or lat & long; address_string alone is not enough.

    Raises Open311Error (400) naming the parameter at fault."""
    from firegrid.places.choices import PlaceStatus
    from firegrid.places.models import Place

    address_id = param(data, "address_id")
    lat, lng = param(data, "lat"), param(data, "long")
    if address_id:
        place = Place.objects.filter(code=address_id.upper(), status=PlaceStatus.ACTIVE).first()
        if place is None:
            raise Open311Error(400, _("address_id %(id)s is not a known place code.") % {"id": address_id})
        return place, None, None
    if lat or lng:
        if not (lat and lng):
            raise Open311Error(400, _("lat/long: send both lat and long."))
        try:
            lat, lng = float(lat), float(lng)
        except ValueError:
            lat = lng = math.nan
        if not (math.isfinite(lat) and math.isfinite(lng)):
            raise Open311Error(400, _("lat/long: not a valid latitude and longitude."))
        return None, lat, lng
    if param(data, "address_string"):
        raise Open311Error(
            400,
            _("address_string alone cannot be located: send lat and long, or an address_id (a place code)."),
        )
    raise Open311Error(400, _("A location is required: lat and long, or an address_id (a place code)."))


def _messages(exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            label = PARAMETER_OF_FIELD.get(field, field)
            for message in errors:
                yield f"{label}: {message}"
    else:
        yield from exc.messages


def create(request, fmt):
    data = request.POST
    client = Open311Client.for_key(param(data, "api_key"))
    if client is None:
        raise Open311Error(403, _("Invalid or missing api_key: cannot create the service request."))
    code = param(data, "service_code")
    if code is None:
        raise Open311Error(400, _("service_code was not provided."))
    category = offered_categories().filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})

    errors = []
    description = (data.get("description") or "").strip()
    if not description:
        errors.append(_("description: describe the hazard."))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(_("description is longer than %(n)s characters.") % {"n": MAX_DESCRIPTION})
    place = lat = lng = None
    try:
        place, lat, lng = read_location(data)
    except Open311Error as exc:
        errors += exc.descriptions
    answers, attribute_errors = read_attributes(category, data)
    errors += attribute_errors
    email = param(data, "email") or ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("email is not a valid email address."))
    media_url = param(data, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(_("media_url is not an http or https URL."))
        else:
            # kept for staff to look at; never fetched, and not given out again (only our own photos are)
            answers["media_url"] = media_url[:500]
    if errors:
        raise Open311Error(400, *errors)

    name = " ".join(n for n in (param(data, "first_name"), param(data, "last_name")) if n)
    phone = param(data, "phone") or ""
    try:
        case = report(
            description=description,
            category=category,
            place=place,
            lat=lat,
            lng=lng,
            address=param(data, "address_string") or "",
            source=Source.PUBLIC,
            channel=client.channel,
            anonymous=not (email or phone or name),
            reporter_name=name,
            reporter_phone=phone,
            reporter_email=email,
            attributes=answers,
        )
    except ValidationError as exc:
        raise Open311Error(400, *_messages(exc)) from None
    due = timezone.localtime(case.step_due).strftime("%Y-%m-%d %H:%M") if case.step_due else None
    notice = (
        _("Received. Staff will check the report by %(due)s.") % {"due": due}
        if due and case.status == CaseStatus.REPORTED
        else _("Received.")
    )
    # the token (the tracking code) goes to the poster only, for the reporter to follow the case
    body = [
        {
            "service_request_id": str(case.pk),
            "token": case.tracking_code,
            "service_notice": notice,
            "account_id": None,
        }
    ]
    return render.respond(fmt, "service_requests", body)


@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return create(request, fmt)
    return render.respond(fmt, "service_requests", service_requests_body(search(request), request))


@csrf_exempt
def not_found(request, rest=""):
    fmt = "json" if rest.endswith(".json") else "xml"
    return render.error(fmt, 404, _("No such GeoReport v2 resource: %(path)s") % {"path": rest or "/"})
