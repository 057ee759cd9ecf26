import pytest

from firegrid.org.testing import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # argon2 is the production hasher; tests create many users and need not pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
