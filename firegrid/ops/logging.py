"""Structured logs: one JSON object per line in production, and a request id on every line of a request.

`RequestIdMiddleware` takes the X-Request-ID that nginx sends (deploy/nginx: the client's own when it
sent a well-formed one, else nginx's $request_id), or makes one up, keeps it in a context variable for
the duration of the request and echoes it in the response header. `RequestIdFilter` (on the console
handler, settings.LOGGING) copies it onto every log record, so a line written anywhere while the request
runs — a view, a model save, django.request's 500 report — carries it. `JsonFormatter` writes the record
as JSON (LOG_FORMAT=json, the default when FIREGRID_ENV=production); `TEXT_FORMAT` is the plain form.
"""

import contextvars
import datetime
import json
import logging
import re
import uuid

from django.core.signals import request_finished

REQUEST_ID_HEADER = "X-Request-ID"
# what we accept from upstream: nginx's 32 hex digits, UUIDs and similar tokens — nothing that could
# forge a log line or an HTTP header
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

_request_id = contextvars.ContextVar("firegrid_request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

# attributes every LogRecord has: anything else on a record came from `extra=` and is written too
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}


def current_request_id():
    """The id of the request being served in this context (None outside a request)."""
    return _request_id.get()


def well_formed(value):
    return bool(value) and _WELL_FORMED.fullmatch(value) is not None


class RequestIdMiddleware:
    """Use the upstream X-Request-ID when it is well-formed, otherwise a new one; echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        upstream = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = upstream if well_formed(upstream) else uuid.uuid4().hex
        request.request_id = request_id
        # kept until the response is closed (request_finished), not reset on the way out: Django logs a
        # 4xx/5xx answer (django.request) after the middleware has returned it
        _request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _forget_request_id(**kwargs):
    _request_id.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="firegrid.ops.logging.forget_request_id")


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or "-") on each record as `request_id`; never drops a record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC, milliseconds), level, logger, message, request_id
    when there is one, exception and stack text when present, and any `extra=` fields."""

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or _request_id.get()
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain form for development, with the request id when a record has none from the filter."""

    def __init__(self, fmt=TEXT_FORMAT, *args, **kwargs):
        super().__init__(fmt, *args, **kwargs)

    def format(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        return super().format(record)
