"""The command view's figures kept for DASHBOARD_CACHE_SECONDS in Django's cache, shared by every
process when that cache is Redis (REDIS_URL), per process otherwise (local memory).

An entry is one scope's figures (kpis._cache_key: the user's grants, their own id where their rows
are their own, the region, the year and the language), stored with the data version it was computed
at: this app's token, replaced whenever a row the figures count is written (receivers on the saves
and deletes of the models in WATCHED, connected in apps.py — a hazard transition writes a HazardEvent,
an inspection is saved when submitted), and the places' token (places.cache), which their bulk writes
replace too. An entry of an older version is a miss, so the next dashboard after a write is fresh, in
every process at once with Redis. Writes that send no signal (queryset update(), bulk_create: the
IoT ingest's alarms and device states, the demo and bench seeders) reach the figures when the entry
expires, at most DASHBOARD_CACHE_SECONDS (≤ 60 s) later. While Redis is down the cache misses
(core.cache.TolerantRedisCache) and the figures are computed every time.
"""

from django.core.cache import cache

from firegrid.core.versions import VersionToken
from firegrid.places.cache import VERSION_KEY as PLACES_VERSION_KEY

DATA_VERSION = VersionToken("firegrid:dashboard:data-version")
VERSION_KEY = DATA_VERSION.key

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
# organisation only: kept apart under its own version, so the hazards and inspections written all day
# do not make it be counted again.
ORG_VERSION = VersionToken("firegrid:dashboard:org-version")
ORG_WATCHED = tuple(name for name in WATCHED if name.startswith("org."))


def _only_a_login(update_fields):
    return update_fields is not None and set(update_fields) <= {"last_login"}


def written(update_fields=None, **_signal_kwargs):
    """post_save/post_delete receiver: make every cached dashboard stale (a save that only stamps a
    login is not a change of the figures)."""
    if not _only_a_login(update_fields):
        bump_version()


def org_written(update_fields=None, **_signal_kwargs):
    """post_save/post_delete receiver of the ORG_WATCHED models: the organisation's figures are stale."""
    if not _only_a_login(update_fields):
        ORG_VERSION.bump()


# now and after the commit; done with the cache off too, so turning it on never finds older figures
bump_version = DATA_VERSION.bump


def _served(key, seconds, build, token, also=()):
    """`build()`, or a copy from the cache stored at the current version of `token` (and the same
    values under the `also` keys) less than `seconds` ago; the versions and the entry are read in one
    round trip. With no cache to be had (Redis down) it is computed every time."""
    found = cache.get_many([token.key, *also, key])
    version = token.current(found)
    if version is None:
        return build()
    stamp = (version, *(found.get(name) for name in also))
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    data = build()
    cache.set(key, (stamp, data), seconds)
    return data


def cached(key, seconds, build):
    """The figures (a dict from `build()`) at the current data version and the places' version."""
    return _served(key, seconds, build, DATA_VERSION, also=(PLACES_VERSION_KEY,))


def cached_org(key, seconds, build):
    """The organisation's figures at the current ORG_VERSION."""
    return _served(key, seconds, build, ORG_VERSION)
