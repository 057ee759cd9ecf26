import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

SYNC = "/field/api/sync/"
TODAY = "/field/api/today/"


def jpeg(name="photo.jpg", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def patrol_item(client, place, *, fail=1, photo=True, client_id=None):
    """A patrol of `place` as the phone builds it from today's list: the first `fail` items failed."""
    today = client.get(TODAY).json()
    entry = next(p for p in today["places"] if p["id"] == place.pk and p["visit_kind"] == "patrol")
    checklist = today["checklists"][entry["checklists"][0]]
    items = [i for s in checklist["sections"] for i in s["items"]]
    answers = []
    for index, item in enumerate(items[:3]):
        answer = {
            "checklist": checklist["code"],
            "version": checklist["version"],
            "item_code": item["code"],
            "result": "fail" if index < fail else "pass",
            "note": "堵塞" if index < fail else "",
        }
        if photo and index == 0 and fail:
            answer["photo"] = "photo-0"
        answers.append(answer)
    return {
        "id": str(client_id or uuid.uuid4()),
        "kind": "patrol",
        "place": place.pk,
        "plan_item": None,
        "lat": place.lat,
        "lng": place.lng,
        "notes": "",
        "answers": answers,
    }


def send(client, item, files=None):
    data = {"item": json.dumps(item)}
    data.update(files or {})
    return client.post(SYNC, data)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
