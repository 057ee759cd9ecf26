"""`POST /api/v1/iot/telemetry`: the HTTP batch endpoint for gateways, in healthchecks' ping style.

No user, session or CSRF: each message carries its device's key and is checked by the pipeline. The
body is capped before it is read into memory (413), the batch's shape checked (400 naming the
field), and then every message gets its own result; a bad message never costs the good ones.
Delivery is at least once: a message id seen before answers "duplicate" and is not stored again.
"""

import json

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from firegrid.iot.api import serializers as s
from firegrid.iot.models import IngestCount, RejectedMessage
from firegrid.iot.pipeline import Result, count, ingest

PROCESS = "http"
CHANNEL = "http"
SAMPLES_PER_REQUEST = 5
SAMPLE_CHARS = 500


def record_counts(counter, *, process=PROCESS, now=None):
    """Add outcome counts to this minute's IngestCount rows (an upsert: many web processes add at once)."""
    counter = {name[:40]: n for name, n in counter.items() if n}
    if not counter:
        return
    minute = (now or timezone.now()).replace(second=0, microsecond=0)
    table = IngestCount._meta.db_table
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(counter))
    params = []
    for name, n in sorted(counter.items()):
        params += [connection.ops.adapt_datetimefield_value(minute), process, name, n]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (minute, process, name, count) VALUES {placeholders} "  # noqa: S608
            f"ON CONFLICT (minute, process, name) DO UPDATE SET count = {table}.count + excluded.count",
            params,
        )


def sample_rejects(items, results, limit=SAMPLES_PER_REQUEST):
    """Keep the first few rejected messages of a request, to see what a broken device sends."""
    rows = []
    for item, result in zip(items, results, strict=True):
        if result.status != "rejected" or len(rows) >= limit:
            continue
        ident = item.get("device") if isinstance(item, dict) else None
        if isinstance(item, dict) and "key" in item:
            item = {**item, "key": "***"}  # a message with a good key may still be rejected
        try:
            sample = json.dumps(item, ensure_ascii=False, default=str)[:SAMPLE_CHARS]
        except (TypeError, ValueError):
            sample = repr(item)[:SAMPLE_CHARS]
        rows.append(
            RejectedMessage(
                channel=CHANNEL,
                device_ident=ident[:64] if isinstance(ident, str) else "",
                reason=result.reason[:40],
                detail=result.detail[:300],
                sample=sample,
            )
        )
    if rows:
        RejectedMessage.objects.bulk_create(rows)


def _batch_error(status, field, message, counted):
    record_counts({f"batch:{counted}": 1})
    return Response({field: [message], "detail": message}, status=status)


def _size(item):
    try:
        return len(json.dumps(item, separators=(",", ":")).encode())
    except (TypeError, ValueError):
        return 0


class TelemetryView(APIView):
    """Batch of device messages from a gateway. Each message is authenticated by its own device key."""

    authentication_classes = []
    permission_classes = [AllowAny]
    # Work per request is bounded by the byte and message caps; rates belong to the proxy in front.
    throttle_classes = []
    parser_classes = []

    @extend_schema(
        request=s.TelemetryBatchSerializer,
        responses={
            200: s.TelemetryResponseSerializer,
            400: OpenApiResponse(description="Not JSON, no `messages` list, or too many messages."),
            413: OpenApiResponse(description="The body is larger than IOT_MAX_BATCH_BYTES."),
        },
        auth=[],
    )
    def post(self, request):
        limit = settings.IOT_MAX_BATCH_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return _batch_error(
                413, "body", _("The body is larger than %(n)d bytes.") % {"n": limit}, "too_large"
            )
        raw = request._request.read(limit + 1)  # never more than the cap, whatever the header said
        if len(raw) > limit:
            return _batch_error(
                413, "body", _("The body is larger than %(n)d bytes.") % {"n": limit}, "too_large"
            )
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return _batch_error(400, "body", _("The body is not JSON."), "bad_json")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return _batch_error(400, "messages", _('Send {"messages": [ … ]}.'), "bad_shape")
        items = body["messages"]
        if len(items) > settings.IOT_MAX_BATCH_MESSAGES:
            return _batch_error(
                400,
                "messages",
                _("At most %(n)d messages per batch.") % {"n": settings.IOT_MAX_BATCH_MESSAGES},
                "too_many",
            )
        now = timezone.now()
        results = [None] * len(items)
        todo = []
        for i, item in enumerate(items):
            size = _size(item)
            if not isinstance(item, dict):  # a string here is not raw bytes to decode again
                results[i] = Result("rejected", "bad_shape", "the message is not a JSON object")
            elif size > settings.IOT_MAX_MESSAGE_BYTES:
                results[i] = Result(
                    "rejected", "too_large", f"{size} bytes > {settings.IOT_MAX_MESSAGE_BYTES}"
                )
            else:
                todo.append(i)
        for i, result in zip(todo, ingest([(None, items[i]) for i in todo], now=now), strict=True):
            results[i] = result
        outcomes = count(results)
        record_counts(outcomes, now=now)
        sample_rejects(items, results)
        rejected = sum(1 for r in results if r.status == "rejected")
        return Response(
            {
                "accepted": outcomes.get("accepted", 0),
                "duplicates": outcomes.get("duplicate", 0),
                "rejected": rejected,
                "results": [_result(r) for r in results],
            }
        )


def _result(result):
    return {"status": result.status, "reason": result.reason, "detail": result.detail}
