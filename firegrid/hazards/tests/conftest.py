import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from firegrid.hazards import reports
from firegrid.hazards.choices import Channel, Source
from firegrid.hazards.models import HazardCategory


def png(name="photo.png", size=(40, 30), colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def category(world):
    return HazardCategory.objects.get(code="evacuation")


@pytest.fixture
def make_case(world, category):
    """A public report at a place (default: the shop in grid A), status reported."""

    def make(place=None, **kwargs):
        kwargs.setdefault("description", "安全出口被杂物堵塞")
        kwargs.setdefault("category", category)
        kwargs.setdefault("source", Source.PUBLIC)
        kwargs.setdefault("channel", Channel.WEB)
        if "lat" not in kwargs:
            kwargs["place"] = place or world.shop_a
        return reports.report(**kwargs)

    return make
