import io

import pytest
from PIL import Image

from firegrid.facilities.actions import save_facility
from firegrid.facilities.choices import FacilityKind, FacilityStatus
from firegrid.facilities.models import Facility

# Metres per degree of latitude on the sphere coverage.haversine_m uses.
M_PER_DEG = 6371008.8 * 3.141592653589793 / 180


def make_facility(name, kind, lat, lng, status=FacilityStatus.WORKING, **attrs):
    return save_facility(Facility(name=name, kind=kind, lat=lat, lng=lng, status=status, **attrs))


def north_of(lat, metres):
    return lat + metres / M_PER_DEG


def jpeg_bytes(colour=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _english():
    # service-level messages in the source language, as the test clients ask for
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def facilities(world):
    """A hydrant and a pool in grid A, a hydrant in grid B, one in the other street."""
    w = world
    w.hydrant_a = make_facility("桥河一号消火栓", FacilityKind.HYDRANT, 28.03, 106.03, pipe_diameter_mm=150)
    w.pool_a = make_facility("桥河消防水池", FacilityKind.POOL, 28.04, 106.04, volume_m3=600)
    w.hydrant_b = make_facility("河滨消火栓", FacilityKind.HYDRANT, 28.03, 106.13, pipe_diameter_mm=100)
    w.hydrant_s2 = make_facility("沙溪消火栓", FacilityKind.HYDRANT, 28.03, 106.53, pipe_diameter_mm=100)
    return w
