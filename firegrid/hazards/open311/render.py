"""One response body, two formats: JSON (Spark convention) and XML built by hand with ElementTree.

A body is plain data (dicts, lists, strings, numbers, booleans, None). XML needs a name for each item
of a list; `ITEM_TAGS` gives it from the name of the list, as the GeoReport v2 examples do.
"""

import datetime
import json
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def w3c(value):
    """An aware datetime as ISO 8601 with the zone offset (local time of the deployment), or None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return timezone.localtime(value).replace(microsecond=0).isoformat()
    return value.isoformat()


def _text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element, value):
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, list | tuple):
        tag = ITEM_TAGS.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, tag), child)
    else:
        element.text = _text(value)


def to_xml(root, body):
    element = ET.Element(root)
    _fill(element, body)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        element, encoding="utf-8", xml_declaration=False
    )


def to_json(body):
    return json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")


def respond(fmt, root, body, status=200):
    """`root` names the XML root element (services, service_definition, service_requests, …)."""
    content = to_xml(root, body) if fmt == "xml" else to_json(body)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def error(fmt, status, *descriptions):
    """The spec's error list: HTTP status plus [{code, description}, …]."""
    body = [{"code": status, "description": str(text)} for text in descriptions]
    return respond(fmt, "errors", body, status=status)
