"""Jurisdiction: what a user may see and change, applied once through the queryset.

Every scoped model uses `RestrictedQuerySet` (`Model.objects.restrict(user, action)`) and says in
`scope_rules` how its rows relate to a jurisdiction: a region (matched by materialised path, so a
street officer's scope is the street's whole subtree), a sector, an org unit or an owner.
Base views and viewsets call `restrict()` once; nothing else builds unscoped lookups.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q, Subquery
from django.utils import timezone

from firegrid.core import authversion
from firegrid.core.roles import DISTRICT_WIDE, ORG_WRITERS, Role

VIEW = "view"
WRITE_ACTIONS = {"add", "change", "delete"}


@dataclass(frozen=True)
class Grant:
    """One role of a user with where it applies."""

    role: str
    region_path: str | None = None
    unit_id: int | None = None
    sectors: tuple = ()


@dataclass
class Scope:
    user_id: int | None
    superuser: bool = False
    grants: list = field(default_factory=list)

    @property
    def roles(self):
        return {g.role for g in self.grants}

    def grants_for(self, action, write_roles):
        if action == VIEW:
            return self.grants
        return [g for g in self.grants if g.role in write_roles]


@dataclass(frozen=True, eq=False)
class ScopeRules:
    """How a model's rows map onto jurisdictions. Field names are ORM lookups from the model."""

    region: str | None = None  # a FK to Region ("" when the model *is* Region)
    extra_regions: tuple = ()  # more Region FKs or M2Ms that also place the row in a region
    sector: str | None = None  # a sector code field: department staff see rows of their sectors
    unit: str | None = None  # an OrgUnit FK: police/department staff see rows of their unit
    owner: str | None = None  # a User FK or M2M: unit owners and staff see their own rows
    write_roles: frozenset = ORG_WRITERS
    district_wide_view: frozenset = frozenset(DISTRICT_WIDE)  # roles that see every row
    role_filters: dict = field(default_factory=dict)  # role -> Q narrowing what that role's grants match
    # When set, the owner clause applies only to users holding one of these roles: a many-valued
    # owner lookup costs every other user a subquery that defeats the list's index.
    owner_roles: frozenset | None = None
    # A FK on the row to the street-level region of `region` (the path's second code), which the
    # model keeps in step with `region`. A grant on a street's path then matches the rows by that id
    # (one index range) instead of a prefix match on the joined region's path; the two are equal.
    street: str | None = None
    # Match a region chain that starts with a foreign key (`org_unit__region`) through that key and a
    # subquery of the related table — org_unit_id IN (SELECT id FROM the units under the path) — instead
    # of LEFT JOINs along the chain. ORed with the other clauses, the joins made PostgreSQL hash-join
    # whole tables (every user, unit and region); the subquery reads the path index. Same rows: a row
    # whose key is NULL matches neither.
    chains_by_key: bool = False


STREET_DEPTH = 2  # a street's path is /district/street/


def is_street_path(path):
    return len([c for c in path.split("/") if c]) == STREET_DEPTH


MAX_REMEMBERED = 10_000  # users whose grants or rows a process remembers (forgotten all at once when full)
_remembered = {}  # user id -> (auth version, day, grants)
_remembered_rows = {}  # user id -> (auth version, database alias, field names, values)
# not remembered: a login stamps it without changing the auth version; left deferred, it is read when
# asked for, and a save() of the user writes only the fields it holds
ROW_SKIPS = ("last_login",)


def _remember(store, key, value):
    if len(store) >= MAX_REMEMBERED:
        store.clear()
    store[key] = value


def session_user(model, user_id, load):
    """The user of a session (`load(user_id)` when not remembered): a fresh instance of the row the process
    remembers while the auth version (core.authversion: Redis only) is the one it was read at, as
    user_scope() remembers grants. Every write of a user but a login stamp changes the version, so a
    deactivation or a new password reaches every process at the next request. The version read is kept
    on the user for user_scope()."""
    version = authversion.current()  # before the row is read: a later write changes it
    remembered = _remembered_rows.get(user_id) if version else None
    if remembered is not None and remembered[0] == version:
        user = model.from_db(remembered[1], remembered[2], remembered[3])
    else:
        user = load(user_id)
        if user is None or not version:
            return user
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in ROW_SKIPS]
        values = tuple(getattr(user, name) for name in names)
        _remember(_remembered_rows, user_id, (version, user._state.db, names, values))
    user._firegrid_auth_version = version
    return user


def user_scope(user):
    """The user's grants, cached on the user object for the request, and remembered by the process
    while the auth version (core.authversion: Redis only) and the day are the ones they were read at."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(user_id=None)
    cached = getattr(user, "_firegrid_scope", None)
    if cached is not None:
        return cached
    # read before the grants (by session_user() before the row, earlier still): a later write changes it
    version = getattr(user, "_firegrid_auth_version", None) or authversion.current()
    today = timezone.localdate()
    remembered = _remembered.get(user.pk) if version else None
    if remembered is not None and remembered[0] == version and remembered[1] == today:
        scope = Scope(user_id=user.pk, superuser=user.is_superuser, grants=list(remembered[2]))
    else:
        scope = Scope(user_id=user.pk, superuser=user.is_superuser)
        # a region's boundary can be large and the grants need only its path
        assignments = user.role_assignments.select_related("region", "unit").defer("region__boundary")
        for assignment in assignments:
            if not assignment.is_current(today):
                continue
            scope.grants.extend(assignment.grants())
        if version:
            _remember(_remembered, user.pk, (version, today, tuple(scope.grants)))
    user._firegrid_scope = scope
    return scope


def scope_key(user, rules):
    """A digest equal for two users whenever restrict(user, "view") on a model with these rules
    must give them the same rows: their grants (roles with regions, units and sectors), whether they
    are superusers, and their own id only where the owner clause reads it. For caching answers per
    jurisdiction: users with the same grants share an entry, a unit owner has their own."""
    scope = user_scope(user)
    if scope.user_id is None:
        return None
    grants = sorted(repr(g) for g in scope.grants)
    owner_applies = rules.owner and (rules.owner_roles is None or bool(scope.roles & rules.owner_roles))
    raw = repr((scope.superuser, grants, scope.user_id if owner_applies else None))
    return hashlib.sha256(raw.encode()).hexdigest()


def _is_multivalued(model, lookup):
    """Whether an ORM lookup crosses a many-to-many or reverse foreign key."""
    for name in lookup.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def _key_chain_q(model, lookup, condition):
    """Q(fk__in=<ids of the related rows matching rest__condition>) for a lookup `fk__rest` whose first
    step is a forward foreign key; None for any other lookup."""
    first, _, rest = lookup.partition("__")
    if not rest:
        return None
    field = model._meta.get_field(first)
    if not (field.many_to_one and field.concrete):
        return None
    ((suffix, value),) = condition.items()
    related = field.related_model._base_manager.filter(**{f"{rest}__{suffix}": value})
    return Q(**{f"{first}__in": related.order_by().values("pk")})


def _lookup_q(model, lookup, condition):
    """Q(lookup__condition=value), as a pk subquery when the lookup is multi-valued, so the outer
    query needs no DISTINCT (which is slow on PostgreSQL with ORs across joins)."""
    ((suffix, value),) = condition.items()
    key = f"{lookup}__{suffix}" if lookup else suffix
    if lookup and "__" not in lookup and suffix in ("exact", "in"):
        field = model._meta.get_field(lookup)
        if field.many_to_many and not field.auto_created:
            # straight to the join table: an indexed lookup, whatever the planner believes of the rest
            through = field.remote_field.through
            target = f"{field.m2m_reverse_field_name()}_id"
            rows = through._default_manager.filter(**{f"{target}__{suffix}": value})
            return Q(pk__in=rows.values(f"{field.m2m_field_name()}_id"))
    if lookup and _is_multivalued(model, lookup):
        return Q(pk__in=model._base_manager.filter(**{key: value}).values("pk"))
    return Q(**{key: value})


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action=VIEW):
        rules = getattr(self.model, "scope_rules", None)
        scope = user_scope(user)
        if scope.user_id is None:
            return self.none()
        if scope.superuser:
            return self
        if rules is None:
            return self.none()
        grants = scope.grants_for(action, rules.write_roles)
        if any(g.role in rules.district_wide_view for g in grants):
            return self
        q = Q()
        seen = set()
        for grant in grants:
            # two roles on the same region (a street officer who is also its inspector) say the same
            # thing: one clause, not two ORed copies of it
            key = (
                grant.region_path if rules.region is not None else None,
                grant.sectors if rules.sector else (),
                grant.unit_id if rules.unit else None,
                id(rules.role_filters.get(grant.role)),
            )
            if key not in seen:
                seen.add(key)
                q |= self._grant_q(rules, grant)
        owner_applies = rules.owner_roles is None or bool(scope.roles & rules.owner_roles)
        owner_may = action == VIEW or any(g.role == Role.UNIT_OWNER for g in grants)
        if rules.owner and owner_applies and owner_may:
            q |= _lookup_q(self.model, rules.owner, {"exact": scope.user_id})  # everyone sees their own
        if not q:
            return self.none()
        return self.filter(q)

    def _grant_q(self, rules, grant):
        q = Q()
        if grant.region_path and rules.region is not None:
            for lookup in (rules.region, *rules.extra_regions):
                if lookup == rules.region and rules.street and is_street_path(grant.region_path):
                    q |= self._street_q(rules.street, grant.region_path)
                    continue
                path_lookup = f"{lookup}__path" if lookup else "path"
                condition = {"startswith": grant.region_path}
                by_key = rules.chains_by_key and _key_chain_q(self.model, path_lookup, condition)
                q |= by_key or _lookup_q(self.model, path_lookup, condition)
        if grant.sectors and rules.sector:
            q |= _lookup_q(self.model, rules.sector, {"in": list(grant.sectors)})
        if grant.unit_id and rules.unit:
            q |= _lookup_q(self.model, rules.unit, {"exact": grant.unit_id})
        narrowing = rules.role_filters.get(grant.role)
        if q and narrowing is not None:
            q &= narrowing
        return q

    def _street_q(self, lookup, path):
        """street_id = (SELECT id FROM region WHERE path = …): the database resolves the street once,
        then reads the street's rows from the (street, id) index."""
        model = self.model
        for name in lookup.split("__"):
            model = model._meta.get_field(name).related_model
        regions = model._base_manager
        return Q(**{lookup: Subquery(regions.filter(path=path).order_by().values("pk")[:1])})
