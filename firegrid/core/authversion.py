"""The auth version: a token in the shared cache (Redis) replaced whenever anything a user's scope is
made of is written — users (not the last_login stamp of a login), API tokens, role assignments, org
units and the regions they cover, regions. A process may remember a user's grants, or the scope a
token opens, as long as the version it read *before* reading them is still the current one.

Only with a shared cache (Redis): with the per-process local-memory cache another process' write would
not be seen, so nothing is remembered (`current()` is None)."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from firegrid.core.versions import VersionToken

TOKEN = VersionToken("firegrid:auth-version")
KEY = TOKEN.key
SENDERS = ("org.User", "org.RoleAssignment", "org.OrgUnit", "org.Region", "authtoken.Token")


def shared():
    """Whether the cache is one every process sees."""
    return isinstance(caches["default"], RedisCache)


def current():
    """The current version (set first if there is none); None without a shared cache or while it is down."""
    return TOKEN.current() if shared() else None


# every process forgets what it remembers: now, and again after the commit
bump = TOKEN.bump


def written(update_fields=None, **signal_kwargs):
    """post_save/post_delete receiver: a save that only stamps a login is not a change of scope."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    bump()


def connect():
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for name, signal in (("save", post_save), ("delete", post_delete)):
        for sender in SENDERS:
            signal.connect(written, sender=sender, dispatch_uid=f"auth-version-{name}-{sender}")
    covered = apps.get_model("org", "OrgUnit").covered_regions.through
    m2m_changed.connect(bump, sender=covered, dispatch_uid="auth-version-covered-regions")
