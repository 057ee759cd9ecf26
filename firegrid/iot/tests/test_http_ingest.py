"""The HTTP batch endpoint for gateways: per-message results, idempotent redelivery, caps and counts."""

import datetime
import json

import pytest
from django.utils import timezone

from firegrid.iot.models import Alarm, IngestCount, Message, RejectedMessage
from firegrid.iot.testing import make_device, message

URL = "/api/v1/iot/telemetry"


@pytest.fixture
def monitor(world):
    return make_device("electrical_monitor", place=world.shop_a)


def item(device, key, **kwargs):
    return {"device": device.ident, **message(key, as_bytes=False, **kwargs)}


def post(client, body, **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


def counts():
    return {row.name: row.count for row in IngestCount.objects.filter(process="http")}


def test_a_mixed_batch_keeps_the_good_messages_and_names_each_bad_one(api_client, monitor):
    device, key = monitor
    future = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    body = {
        "messages": [
            item(device, key, values={"residual_current_ma": 10}, message_id="ok-1"),
            {"device": "no-such-device", **message(key, as_bytes=False, values={"x": 1})},
            item(device, "wrong-key", values={"x": 1}),
            item(device, key, values={"residual_current_ma": "high"}),
            {"device": device.ident, "id": "f", "ts": future, "key": key, "values": {"x": 1}},
            "not an object",
            item(device, key, values={"residual_current_ma": 20}, message_id="ok-2"),
            item(device, key, values={"residual_current_ma": 20}, message_id="ok-2"),
        ]
    }
    response = post(api_client, body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert [r["status"] for r in data["results"]] == [
        "accepted",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "accepted",
        "duplicate",
    ]
    assert [r["reason"] for r in data["results"][1:6]] == [
        "unknown_device",
        "bad_key",
        "bad_value",
        "future_time",
        "bad_shape",
    ]
    assert (data["accepted"], data["duplicates"], data["rejected"]) == (2, 1, 5)
    assert set(Message.objects.values_list("message_id", flat=True)) == {"ok-1", "ok-2"}
    assert counts() == {
        "accepted": 2,
        "duplicate": 1,
        "rejected:unknown_device": 1,
        "rejected:bad_key": 1,
        "rejected:bad_value": 1,
        "rejected:future_time": 1,
        "rejected:bad_shape": 1,
    }
    samples = RejectedMessage.objects.filter(channel="http")
    assert samples.count() == 5  # the per-request cap
    assert samples.filter(reason="unknown_device", device_ident="no-such-device").exists()
    assert key not in "".join(samples.values_list("sample", flat=True))  # keys are never kept


def test_redelivery_across_two_posts_is_a_duplicate_and_counts_add_up(api_client, monitor):
    device, key = monitor
    body = {"messages": [item(device, key, values={"residual_current_ma": 10}, message_id="m-1")]}
    assert post(api_client, body).json()["accepted"] == 1
    again = post(api_client, body).json()
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    assert again["results"] == [{"status": "duplicate", "reason": "", "detail": ""}]
    assert Message.objects.count() == 1
    assert counts() == {"accepted": 1, "duplicate": 1}  # the same minute's row, added to


def test_a_10_mb_body_is_refused_before_it_is_read_and_nothing_is_stored(api_client, monitor):
    device, key = monitor
    good = json.dumps(item(device, key, values={"x": 1}))
    body = '{"messages": [' + good + "], " + '"pad": "' + "x" * (10 * 1024 * 1024) + '"}'
    response = post(api_client, body)
    assert response.status_code == 413
    assert "body" in response.json()
    assert not Message.objects.exists()
    assert counts() == {"batch:too_large": 1}


def test_a_lying_content_length_is_still_capped(api_client, monitor, settings):
    settings.IOT_MAX_BATCH_BYTES = 2048
    body = json.dumps({"messages": [], "pad": "x" * 4096})
    response = post(api_client, body, CONTENT_LENGTH="100")
    assert response.status_code in (400, 413)  # read at most the cap: truncated JSON or too large
    assert not Message.objects.exists()


def test_one_oversized_message_is_rejected_and_the_rest_kept(api_client, monitor, settings):
    device, key = monitor
    big = item(device, key, values={"x": 1})
    big["pad"] = "x" * (settings.IOT_MAX_MESSAGE_BYTES + 10)
    response = post(api_client, {"messages": [big, item(device, key, values={"x": 2})]})
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["rejected", "accepted"]
    assert response.json()["results"][0]["reason"] == "too_large"


def test_too_many_messages_is_a_400_naming_messages(api_client, monitor, settings):
    settings.IOT_MAX_BATCH_MESSAGES = 3
    device, key = monitor
    response = post(api_client, {"messages": [item(device, key, values={"x": i}) for i in range(4)]})
    assert response.status_code == 400
    assert "messages" in response.json()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"", "body"),
        (b"[1, 2]", "messages"),
        (b'{"messages": {"a": 1}}', "messages"),
        (b'{"msgs": []}', "messages"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(api_client, world, body, field):
    response = post(api_client, body)
    assert response.status_code == 400
    assert field in response.json()


def test_no_session_or_csrf_needed_and_a_logged_in_user_changes_nothing(world, monitor):
    from django.test import Client

    device, key = monitor
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.nobody)
    response = post(client, {"messages": [item(device, key, values={"x": 1})]})
    assert response.status_code == 200 and response.json()["accepted"] == 1
    response = post(client, {"messages": [item(device, "guess", values={"x": 1})]})
    assert response.json()["results"][0]["reason"] == "bad_key"


def test_a_fire_alarm_through_http_notifies_after_commit(
    api_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    world.street_officer.email = "so@example.org"
    world.street_officer.save()
    device, key = make_device("smoke_detector", place=world.shop_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api_client, {"messages": [item(device, key, events=["smoke"])]})
    assert response.json()["accepted"] == 1
    assert Alarm.objects.get().kind == "fire"
    assert [m.to for m in mailoutbox] == [["so@example.org"]]


def test_the_endpoint_is_in_the_schema(api_client, world):
    api_client.force_authenticate(world.district_admin)
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/iot/telemetry" in schema["paths"]
    assert "/api/v1/iot/devices/{id}/history/" in schema["paths"]
