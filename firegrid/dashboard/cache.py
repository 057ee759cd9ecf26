"""The command view's figures kept for DASHBOARD_CACHE_SECONDS in Django's cache, shared by every
process when that cache is Redis (REDIS_URL), per process otherwise (local memory).

An entry is one scope's figures (kpis._cache_key: the user's grants, their own id where their rows
are their own, the region, the year and the language) and the time they were counted, served again
for at most DASHBOARD_CACHE_SECONDS (≤ 60 s) — the page says "as of" that time — except after:

* the user's own writes: a save or delete of a model the figures count (WATCHED), made by a request of
  theirs (the audit actor: pages, the admin and the API), replaces their own version token, so the next
  dashboard they open counts their own change at once (in every process, with Redis);
* the places' bulk writes and saves (places.cache's token), which every entry is stamped with too.

Writes by other people and by system work (sweeps, the IoT ingest, imports) show within the
lifetime. Until round six of the load test any write made every entry stale: at a district's peak
(hundreds of grid workers answering items, filing hazards, closing inspections) the figures changed
several times a second and the cache hardly ever served, so each officer's dashboard was counted
again (bench/README.md, production load test). While Redis is down the cache misses
(core.cache.TolerantRedisCache) and the figures are computed every time.
"""

from django.core.cache import cache
from django.utils import timezone

from firegrid.core import audit
from firegrid.core.versions import VersionToken
from firegrid.places.cache import VERSION_KEY as PLACES_VERSION_KEY

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


def own_version(user_id):
    """The token replaced by the user's own writes."""
    return VersionToken(f"firegrid:dashboard:wrote:{user_id}")


def _only_a_login(update_fields):
    return update_fields is not None and set(update_fields) <= {"last_login"}


def written(update_fields=None, **_signal_kwargs):
    """post_save/post_delete receiver of the WATCHED models: the acting user's own dashboards are stale
    (a save that only stamps a login is not a change of the figures; system work has no user)."""
    actor = audit.current_actor()
    if actor is not None and not _only_a_login(update_fields):
        own_version(actor.pk).bump()


def org_written(update_fields=None, **_signal_kwargs):
    """post_save/post_delete receiver of the ORG_WATCHED models: the organisation's figures are stale."""
    if not _only_a_login(update_fields):
        ORG_VERSION.bump()


def _served(key, seconds, build, token, also=()):
    """(`build()`, now), or a copy and its time from the cache stored at the current version of `token`
    (and the same values under the `also` keys) less than `seconds` ago; the versions and the entry are
    read in one round trip. With no cache to be had (Redis down) it is computed every time."""
    found = cache.get_many([token.key, *also, key])
    version = token.current(found)
    at = timezone.now()  # the figures are of the data as of their start
    if version is None:
        return build(), at
    stamp = (version, *(found.get(name) for name in also))
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1], entry[2]
    data = build()
    cache.set(key, (stamp, data, at), seconds)
    return data, at


def cached(key, seconds, build, user):
    """(figures, the time they were counted): from `build()`, or for up to `seconds` from the cache
    while neither `user` nor a bulk write of places has changed anything since."""
    return _served(key, seconds, build, own_version(user.pk), also=(PLACES_VERSION_KEY,))


def cached_org(key, seconds, build):
    """The organisation's figures at the current ORG_VERSION."""
    return _served(key, seconds, build, ORG_VERSION)[0]
