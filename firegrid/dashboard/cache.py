"""The command view's figures kept for DASHBOARD_CACHE_SECONDS in Django's cache, shared by every
process when that cache is Redis (REDIS_URL), per process otherwise (local memory).

An entry is one scope's figures (kpis._cache_key: the user's grants, their own id where their rows
are their own, the region, the year and the language) and the time they were counted, served again
for at most DASHBOARD_CACHE_SECONDS (≤ 60 s) — the page says "as of" that time — except after:

* the user's own writes: a save or delete of a model the figures count (WATCHED), made by a request of
  theirs (the audit actor: pages, the admin and the API), keeps the time of it, and an entry counted
  before that time is not served to them — the next dashboard they open counts their own change at once
  (in every process, with Redis), while others of the same scope go on sharing the entry;
* the places' bulk writes and saves (places.cache's token), which every entry is stamped with.

Writes by other people and by system work (sweeps, the IoT ingest, imports) show within the
lifetime. Until round six of the load test any write made every entry stale: at a district's peak
(hundreds of grid workers answering items, filing hazards, closing inspections) the figures changed
several times a second and the cache hardly ever served, so each officer's dashboard was counted
again (bench/README.md, production load test). While Redis is down the cache misses
(core.cache.TolerantRedisCache) and the figures are computed every time.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from firegrid.core import audit
from firegrid.core.versions import VersionToken
from firegrid.places.cache import DATA_VERSION as PLACES_VERSION

# what the figures count: hazards and their transitions, places, inspections and the year plan,
# devices and alarms, and what the organisation's compliance is made of
WATCHED = (
    "hazards.HazardCase",
    "hazards.HazardEvent",
    "places.Place",
    "inspections.Inspection",
    "inspections.InspectionPlan",
    "inspections.PlanItem",
    "iot.Device",
    "iot.Alarm",
    "iot.AlarmEvent",
    "org.Region",
    "org.OrgUnit",
    "org.OrgMember",
    "org.ResidentialArea",
    "org.FireManager",
    "org.RoleAssignment",
    "org.Qualification",
    "org.User",
)


# The organisation's compliance (kpis.org_figures, 13–33 ms of SQL a dashboard) depends on the
# organisation only: kept apart under its own version, fresh after any organisation write.
ORG_VERSION = VersionToken("firegrid:dashboard:org-version")
ORG_WATCHED = tuple(name for name in WATCHED if name.startswith("org."))


def wrote_key(user_id):
    """Where the time of the user's last write is kept (as long as an entry can live, and a margin)."""
    return f"firegrid:dashboard:wrote-at:{user_id}"


WROTE_SECONDS = 120  # DASHBOARD_CACHE_SECONDS is at most 60


def _only_a_login(update_fields):
    return update_fields is not None and set(update_fields) <= {"last_login"}


def written(update_fields=None, **_signal_kwargs):
    """post_save/post_delete receiver of the WATCHED models: entries counted before now are stale for
    the acting user — the time of their write is kept now and again when the transaction commits (an
    entry counted in between read the rows before the commit). A save that only stamps a login is not a
    change of the figures; system work has no user."""
    actor = audit.current_actor()
    if actor is None or _only_a_login(update_fields):
        return
    key = wrote_key(actor.pk)

    def stamp():
        cache.set(key, time.time(), WROTE_SECONDS)

    stamp()
    transaction.on_commit(stamp)


def org_written(update_fields=None, **_signal_kwargs):
    """post_save/post_delete receiver of the ORG_WATCHED models: the organisation's figures are stale."""
    if not _only_a_login(update_fields):
        ORG_VERSION.bump()


def _served(key, seconds, build, token, also=(), wrote=None):
    """(`build()`, the time it started), or a copy and its time from the cache: stored at the current
    version of `token` (and the same values under the `also` keys) less than `seconds` ago, and counted
    after the time kept under `wrote`, if any. The versions, the time and the entry are read in one
    round trip. With no cache to be had (Redis down) it is computed every time."""
    found = cache.get_many([token.key, *also, *([wrote] if wrote else []), key])
    version = token.current(found)
    at = timezone.now()  # the figures are of the data as of their start
    if version is None:
        return build(), at
    stamp = (version, *(found.get(name) for name in also))
    entry = found.get(key)
    if _fresh(entry, stamp, found.get(wrote) if wrote else None):
        return entry[1], entry[2]
    data = build()
    cache.set(key, (stamp, data, at), seconds)
    return data, at


def _fresh(entry, stamp, last_write):
    """Whether a stored (stamp, data, time counted) entry may be served: the same stamp, and counted after
    the user's last write, if one is kept (anything else under these keys — an entry or a value written
    by another release during an upgrade — is a miss, never an error)."""
    if not (isinstance(entry, tuple) and len(entry) == 3 and entry[0] == stamp):
        return False
    if last_write is None:
        return True
    try:
        return entry[2].timestamp() > float(last_write)
    except (AttributeError, TypeError, ValueError):
        return False


def cached(key, seconds, build, user):
    """(figures, the time they were counted): from `build()`, or for up to `seconds` from the cache —
    shared by everyone with the same scope — when counted after `user`'s last write and no bulk write
    of places has happened since."""
    return _served(key, seconds, build, PLACES_VERSION, wrote=wrote_key(user.pk))


def cached_org(key, seconds, build):
    """The organisation's figures at the current ORG_VERSION."""
    return _served(key, seconds, build, ORG_VERSION)[0]
