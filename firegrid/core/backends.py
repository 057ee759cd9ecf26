"""The authentication backend: Django's ModelBackend, with the user of a session remembered by the
process under the auth version (core.scoping.session_user), which saves the user query of every
signed-in request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from firegrid.core.scoping import session_user


def load_user(user_id):
    """The user row by id, None when there is none (what session_user reads when it remembers none)."""
    model = get_user_model()
    try:
        return model._default_manager.get(pk=user_id)
    except model.DoesNotExist:
        return None


class SessionUserBackend(ModelBackend):
    def get_user(self, user_id):
        user = session_user(get_user_model(), user_id, load_user)
        return user if user is not None and self.user_can_authenticate(user) else None
