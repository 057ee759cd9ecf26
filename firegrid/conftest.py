import pytest

from firegrid.org.testing import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
