"""API token authentication without the token query: DRF's TokenAuthentication, with the token's user
remembered by the process under the auth version (core.authversion: Redis only), as core.scoping
remembers a session's user and a user's grants.

A token is remembered only after it was read from the database with the version read before it; it is
taken from memory while that version is still the current one. Deleting or replacing a token, and
every write of a user but a login stamp, replace the version: a revoked token or a deactivated user is
refused at the next request in every process. Without a shared cache every request reads the token.
"""

import hashlib

from django.contrib.auth import get_user_model
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from firegrid.core import authversion
from firegrid.core.backends import load_user
from firegrid.core.scoping import session_user

MAX_REMEMBERED = 10_000  # tokens a process remembers (forgotten all at once when full)
_remembered = {}  # sha256 of the key -> (auth version, user id, created)


def _digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


class RememberedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        digest = _digest(key)
        remembered = _remembered.get(digest)
        if remembered is not None:
            version, user_id, created = remembered
            # session_user reads the current version before it gives the (remembered) user row
            user = session_user(get_user_model(), user_id, load_user)
            if (
                user is not None
                and user.is_active
                and getattr(user, "_firegrid_auth_version", None) == version
            ):
                return user, Token(key=key, user=user, created=created)
        version = authversion.current()  # before the token is read: a later write changes it
        user, token = super().authenticate_credentials(key)
        if version:
            if len(_remembered) >= MAX_REMEMBERED:
                _remembered.clear()
            _remembered[digest] = (version, user.pk, token.created)
            user._firegrid_auth_version = version  # user_scope() reads its grants under the same one
        return user, token
