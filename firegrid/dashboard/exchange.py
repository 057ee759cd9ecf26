"""JSON exchange of the core registries with the grassroots governance database (基层治理数据库).

The format is documented in docs/exchange-format.md: `{"format": "firegrid-registry", "version": 1,
"exported_at", "scope", "regions", "org_units", "residential_areas", "places"}`, every record keyed
by a stable code (region code, place code, unit and area by name within their region code), never
by a database id, so two installations can trade files.

Import is all-or-nothing: every record is applied inside one transaction (each in a savepoint, so a
database error becomes a reported problem), every problem is collected as (record, field,
message), and the transaction is rolled back if there is any problem or the run is a dry run.
Records are only written inside the importer's write scope (`restrict(user, "change")`).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from firegrid.core import audit
from firegrid.core.roles import Role
from firegrid.core.scoping import user_scope
from firegrid.org.choices import LEVEL_ORDER
from firegrid.org.models import FireManager, OrgMember, OrgUnit, Region, ResidentialArea
from firegrid.places import actions as place_actions
from firegrid.places.models import CODE_ALPHABET, Place

FORMAT = "firegrid-registry"
VERSION = 1
REGISTRIES = ("regions", "org_units", "residential_areas", "places")
MAX_RECORDS = 50_000

# field → type, per registry ("str", "str?" nullable→"", "int?", "float?", "bool", "date?", "list")
REGION_FIELDS = {
    "name": "str",
    "level": "str",
    "kind": "str?",
    "population": "int?",
    "is_ancient_town": "bool",
    "boundary": "json?",
}
AREA_FIELDS = {
    "kind": "str",
    "address": "str?",
    "lat": "float?",
    "lng": "float?",
    "households": "int?",
    "built_year": "int?",
}
MANAGER_FIELDS = {"name": "str", "phone": "str", "appointed_on": "date?"}
UNIT_FIELDS = {
    "kind": "str",
    "phone": "str?",
    "address": "str?",
    "lat": "float?",
    "lng": "float?",
    "established_on": "date?",
    "is_active": "bool",
    "team_type": "str?",
    "sectors": "list",
    "owner_kind": "str?",
    "owner_name": "str?",
    "duty_phone": "str?",
    "equipment": "str?",
}
MEMBER_FIELDS = {
    "name": "str",
    "position": "str",
    "title": "str?",
    "phone": "str?",
    "full_time": "bool",
    "since": "date?",
}
PLACE_FIELDS = {
    "name": "str",
    "kind": "str",
    "status": "str",
    "address": "str",
    "lat": "float",
    "lng": "float",
    "credit_code": "str?",
    "responsible_person": "str?",
    "responsible_phone": "str?",
    "manager_name": "str?",
    "manager_phone": "str?",
    "building_area": "float?",
    "area_above_ground": "float?",
    "area_underground": "float?",
    "height_m": "float?",
    "floors_above": "int?",
    "floors_below": "int?",
    "built_year": "int?",
    "beds": "int?",
    "rooms": "int?",
    "children": "int?",
    "boarding_beds": "int?",
    "staff_count": "int?",
    "occupants": "int?",
    "self_built_uses": "list",
    "households": "int?",
    "has_fire_control_room": "bool",
    "public_commitment": "str?",
}
GRADE_FIELDS = ("risk_level", "authority", "is_key_unit", "inspections_per_year")


# ---- export -----------------------------------------------------------------------------------------


def _value(obj, name, kind):
    value = getattr(obj, name)
    if kind.startswith("date") and value is not None:
        return value.isoformat()
    return value


def _ref(area):
    return {"region": area.region.code, "name": area.name} if area is not None else None


def export_registry(user, region, *, now=None):
    """The registries of `region`'s subtree that the user may see, as a dict ready for json.dumps."""
    now = now or timezone.now()
    regions = (
        Region.objects.restrict(user)
        .filter(path__startswith=region.path)
        .select_related("parent")
        .order_by("path")
    )
    areas = (
        ResidentialArea.objects.restrict(user)
        .filter(region__path__startswith=region.path)
        .select_related("region")
        .order_by("region__path", "name")
    )
    managers = {m.area_id: m for m in FireManager.objects.restrict(user).filter(area__in=areas)}
    units = (
        OrgUnit.objects.restrict(user)
        .filter(region__path__startswith=region.path)
        .select_related("region", "residential_area__region")
        .prefetch_related("covered_regions", "members")
        .order_by("region__path", "kind", "name")
    )
    places = (
        Place.objects.restrict(user)
        .filter(region__path__startswith=region.path)
        .select_related("region", "residential_area__region")
        .order_by("region__path", "code")
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.localtime(now).isoformat(),
        "scope": {"region": region.code, "name": region.name, "level": region.level},
        "regions": [
            {"code": r.code, "parent": r.parent.code if r.parent_id else None}
            | {k: _value(r, k, t) for k, t in REGION_FIELDS.items()}
            for r in regions
        ],
        "org_units": [
            {"region": u.region.code, "name": u.name}
            | {k: _value(u, k, t) for k, t in UNIT_FIELDS.items()}
            | {
                "covered_regions": sorted(r.code for r in u.covered_regions.all()),
                "residential_area": _ref(u.residential_area),
                "members": [
                    {k: _value(m, k, t) for k, t in MEMBER_FIELDS.items()}
                    for m in sorted(u.members.all(), key=lambda m: (m.position, m.name, m.pk))
                ],
            }
            for u in units
        ],
        "residential_areas": [
            {"region": a.region.code, "name": a.name}
            | {k: _value(a, k, t) for k, t in AREA_FIELDS.items()}
            | {
                "fire_manager": {k: _value(managers[a.pk], k, t) for k, t in MANAGER_FIELDS.items()}
                if a.pk in managers
                else None
            }
            for a in areas
        ],
        "places": [
            {"code": p.code, "region": p.region.code}
            | {k: _value(p, k, t) for k, t in PLACE_FIELDS.items()}
            | {
                "residential_area": _ref(p.residential_area),
                "grade": {k: getattr(p, k) for k in GRADE_FIELDS} | {"flags": p.flag_list},
            }
            for p in places.iterator(chunk_size=2000)
        ],
    }


# ---- import -----------------------------------------------------------------------------------------


@dataclass
class Problem:
    record: str  # "places[3]"
    key: str  # the record's stable key: a code, or "region/name"
    field: str
    message: str

    def as_dict(self):
        return {"record": self.record, "key": self.key, "field": self.field, "message": self.message}


@dataclass
class ImportResult:
    dry_run: bool = False
    errors: list = field(default_factory=list)
    counts: dict = field(
        default_factory=lambda: {r: {"created": 0, "updated": 0, "unchanged": 0} for r in REGISTRIES}
    )

    @property
    def ok(self):
        return not self.errors

    @property
    def written(self):
        return self.ok and not self.dry_run

    def as_dict(self):
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "written": self.written,
            "counts": self.counts,
            "errors": [e.as_dict() for e in self.errors],
        }


class RecordError(Exception):
    def __init__(self, errors):
        super().__init__(str(errors))
        self.errors = errors  # {field: message}


def _convert(value, kind, name):
    """A JSON value checked against the field's type; raises RecordError naming the field."""
    nullable = kind.endswith("?")
    base = kind.rstrip("?")
    if value is None:
        if base == "str" and nullable:
            return ""
        if nullable or base == "json":
            return None
        raise RecordError({name: _("This field is required.")})
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "list": isinstance(value, list),
        "json": isinstance(value, dict),
        "date": isinstance(value, str),
    }[base]
    if not ok:
        raise RecordError({name: _("Expected %(type)s, got %(value)r.") % {"type": base, "value": value}})
    if base == "date":
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise RecordError({name: _("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}}) from None
    if base == "float":
        return float(value)
    if base == "str":
        return value.strip()
    return value


def _read(record, spec, *, partial=True):
    """{field: converted value} for the fields of spec present in the record (all if not partial)."""
    values, errors = {}, {}
    for name, kind in spec.items():
        if name not in record:
            if not partial and not kind.endswith("?") and kind not in ("bool", "list"):
                errors[name] = _("This field is required.")
            continue
        try:
            values[name] = _convert(record[name], kind, name)
        except RecordError as exc:
            errors.update(exc.errors)
    if errors:
        raise RecordError(errors)
    return values


def _messages(exc):
    if hasattr(exc, "message_dict"):
        return {("" if k == "__all__" else k): " ".join(v) for k, v in exc.message_dict.items()}
    return {"": " ".join(exc.messages)}


class Importer:
    def __init__(self, user, result):
        self.user = user
        self.result = result
        scope = user_scope(user)
        self.district_writer = scope.superuser or Role.DISTRICT_ADMIN in scope.roles
        self._writable = {}

    # -- helpers --
    def problem(self, label, key, errors):
        for name, message in errors.items():
            self.result.errors.append(Problem(label, key, name, str(message)))

    def writable(self, region):
        if region.pk not in self._writable:
            self._writable[region.pk] = (
                Region.objects.restrict(self.user, "change").filter(pk=region.pk).exists()
            )
        return self._writable[region.pk]

    def region(self, code, name="region"):
        if not isinstance(code, str) or not code:
            raise RecordError({name: _("Give a region code.")})
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise RecordError({name: _("Unknown region code %(code)s.") % {"code": code}})
        return region

    def writable_region(self, code, name="region"):
        region = self.region(code, name)
        if not self.writable(region):
            raise RecordError(
                {
                    name: _("%(region)s (%(code)s) is outside your jurisdiction.")
                    % {"region": region, "code": code}
                }
            )
        return region

    def area(self, ref, name="residential_area"):
        if ref is None:
            return None
        if not isinstance(ref, dict) or not ref.get("region") or not ref.get("name"):
            raise RecordError({name: _('Give the area as {"region": code, "name": name}.')})
        area = ResidentialArea.objects.filter(region__code=ref["region"], name=ref["name"]).first()
        if area is None:
            raise RecordError(
                {
                    name: _("Unknown residential area %(name)s in %(code)s.")
                    % {"name": ref["name"], "code": ref["region"]}
                }
            )
        return area

    def count(self, registry, created, changed):
        self.result.counts[registry]["created" if created else "updated" if changed else "unchanged"] += 1

    @staticmethod
    def write(obj):
        with transaction.atomic():  # a savepoint: a database error is reported, not fatal
            obj.save()

    def each(self, registry, items, apply):
        """Apply each (index, record); a problem is recorded against "registry[index]"."""
        for index, record in items:
            label = f"{registry}[{index}]"
            if not isinstance(record, dict):
                self.problem(label, "", {"": _("A record must be a JSON object.")})
                continue
            key = str(record.get("code") or f"{record.get('region', '')}/{record.get('name', '')}")
            try:
                apply(record)
            except RecordError as exc:
                self.problem(label, key, exc.errors)
            except ValidationError as exc:
                self.problem(label, key, _messages(exc))
            except DatabaseError as exc:
                self.problem(
                    label, key, {"": _("The database refused the record: %(error)s") % {"error": exc}}
                )

    @staticmethod
    def snapshot(obj, names):
        return {n: getattr(obj, n) for n in names}

    # -- registries --
    def apply_region(self, record):
        code = record.get("code")
        if not isinstance(code, str) or not code:
            raise RecordError({"code": _("Give the region code.")})
        values = _read(record, REGION_FIELDS)
        existing = Region.objects.select_related("parent").filter(code=code).first()
        if existing is not None and not self.writable(existing):
            raise RecordError({"code": _("%(code)s is outside your jurisdiction.") % {"code": code}})
        parent_code = record.get("parent")
        parent = None
        if existing is not None and existing.parent_id and parent_code == existing.parent.code:
            parent = existing.parent  # not moved: the parent may lie above the importer's scope
        elif parent_code is not None:
            parent = self.writable_region(parent_code, "parent")
        elif existing is not None and existing.parent_id is None:
            pass  # the district itself, unchanged in place
        elif not self.district_writer:
            raise RecordError({"parent": _("Only the district admin may import a region without a parent.")})
        region = existing or Region(code=code)
        names = [*values, "parent_id"]
        before = self.snapshot(region, names)
        for name, value in values.items():
            setattr(region, name, value)
        region.parent = parent
        region.full_clean(validate_unique=existing is None)
        changed = before != self.snapshot(region, names)
        if existing is None or changed:
            self.write(region)
        self.count("regions", existing is None, changed)
        self._writable.pop(region.pk, None)

    def apply_area(self, record):
        region = self.writable_region(record.get("region"))
        name = _convert(record.get("name"), "str", "name")
        values = _read(record, AREA_FIELDS)
        existing = ResidentialArea.objects.filter(region=region, name=name).first()
        area = existing or ResidentialArea(region=region, name=name)
        before = self.snapshot(area, list(values))
        for key, value in values.items():
            setattr(area, key, value)
        area.full_clean()
        manager_values = None
        if isinstance(record.get("fire_manager"), dict):
            try:
                manager_values = _read(record["fire_manager"], MANAGER_FIELDS, partial=False)
            except RecordError as exc:
                raise RecordError({f"fire_manager.{k}": v for k, v in exc.errors.items()}) from None
        elif record.get("fire_manager") is not None:
            raise RecordError({"fire_manager": _("Give the fire manager as an object or null.")})
        changed = before != self.snapshot(area, list(values))
        if existing is None or changed:
            self.write(area)
        if manager_values:
            manager = FireManager.objects.filter(area=area).first() or FireManager(area=area)
            old = self.snapshot(manager, list(manager_values))
            for key, value in manager_values.items():
                setattr(manager, key, value)
            try:
                manager.full_clean(exclude=["area", "user"])
            except ValidationError as exc:
                raise RecordError({f"fire_manager.{k}": v for k, v in _messages(exc).items()}) from None
            if manager.pk is None or old != manager_values:
                changed = True
                self.write(manager)
        self.count("residential_areas", existing is None, changed)

    def apply_unit(self, record):
        region = self.writable_region(record.get("region"))
        name = _convert(record.get("name"), "str", "name")
        values = _read(record, UNIT_FIELDS)
        matches = list(OrgUnit.objects.filter(region=region, name=name)[:2])
        if len(matches) > 1:
            raise RecordError(
                {"name": _("Two units named %(name)s in %(code)s.") % {"name": name, "code": region.code}}
            )
        existing = matches[0] if matches else None
        unit = existing or OrgUnit(region=region, name=name)
        names = [*values, "residential_area_id"]
        before = self.snapshot(unit, names)
        for key, value in values.items():
            setattr(unit, key, value)
        if "residential_area" in record:
            unit.residential_area = self.area(record["residential_area"])
        covered = None
        if "covered_regions" in record:
            codes = record["covered_regions"]
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise RecordError({"covered_regions": _("Give a list of region codes.")})
            covered = [self.region(c, "covered_regions") for c in codes]
        unit.full_clean()
        old_covered = set(unit.covered_regions.values_list("pk", flat=True)) if unit.pk else set()
        members = record.get("members")
        if members is not None and not isinstance(members, list):
            raise RecordError({"members": _("Give the members as a list.")})
        member_rows = []
        for i, member in enumerate(members or []):
            if not isinstance(member, dict):
                raise RecordError({f"members[{i}]": _("A member must be a JSON object.")})
            try:
                member_rows.append(_read(member, MEMBER_FIELDS, partial=False))
            except RecordError as exc:
                raise RecordError({f"members[{i}].{k}": v for k, v in exc.errors.items()}) from None
        covered_changed = covered is not None and {r.pk for r in covered} != old_covered
        changed = before != self.snapshot(unit, names)
        if existing is None or changed:
            self.write(unit)
        if covered_changed:
            unit.covered_regions.set(covered)
        for i, values in enumerate(member_rows):
            member = OrgMember.objects.filter(
                unit=unit, name=values["name"], position=values["position"]
            ).first()
            member = member or OrgMember(unit=unit)
            old = self.snapshot(member, list(values))
            for key, value in values.items():
                setattr(member, key, value)
            try:
                member.full_clean(exclude=["unit", "user"])
            except ValidationError as exc:
                raise RecordError({f"members[{i}].{k}": v for k, v in _messages(exc).items()}) from None
            if member.pk is None or old != values:
                changed = True
                self.write(member)
        self.count("org_units", existing is None, changed or covered_changed)

    def apply_place(self, record, existing_by_code, writable_ids):
        code = record.get("code")
        if code is not None and (
            not isinstance(code, str)
            or not code
            or len(code) > 16
            or any(c not in CODE_ALPHABET for c in code)
        ):
            raise RecordError(
                {"code": _("A place code is up to 16 of %(chars)s.") % {"chars": CODE_ALPHABET}}
            )
        values = _read(record, PLACE_FIELDS, partial=code in existing_by_code)
        existing = existing_by_code.get(code)
        if existing is not None and existing.pk not in writable_ids:
            raise RecordError({"code": _("Place %(code)s is outside your jurisdiction.") % {"code": code}})
        place = existing or (Place(code=code) if code else Place())
        names = [*values, "residential_area_id"]
        before = self.snapshot(place, names)
        for key, value in values.items():
            setattr(place, key, value)
        if "residential_area" in record:
            place.residential_area = self.area(record["residential_area"])
        after = self.snapshot(place, names)
        if existing is not None and before == after:
            self.result.counts["places"]["unchanged"] += 1
            return
        with transaction.atomic():
            place_actions.prepare_place(place)  # grid from the coordinates, full_clean
            if not self.writable(place.region):
                raise RecordError(
                    {
                        "lat": _("The place lies in %(grid)s, outside your jurisdiction.")
                        % {"grid": place.region}
                    }
                )
            given = record.get("region")
            if given and given != place.region.code:
                raise RecordError(
                    {
                        "region": _("The coordinates lie in %(grid)s (%(code)s), not in %(given)s.")
                        % {"grid": place.region, "code": place.region.code, "given": given}
                    }
                )
            place_actions.save_place(place, actor=self.user)
        self.result.counts["places"]["created" if existing is None else "updated"] += 1


def _depth(record):
    level = record.get("level") if isinstance(record, dict) else None
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def check_envelope(data):
    """Problems with the file as a whole (format, version, lists), as Problem rows."""
    problems = []

    def bad(field_name, message):
        problems.append(Problem("file", "", field_name, message))

    if not isinstance(data, dict):
        bad("", _("The file must hold one JSON object."))
        return problems
    if data.get("format") != FORMAT:
        bad(
            "format",
            _('This is not a firegrid registry file (format must be "%(format)s").') % {"format": FORMAT},
        )
    if data.get("version") != VERSION:
        bad(
            "version",
            _("Version %(version)s is not supported; this firegrid reads version %(ours)s.")
            % {"version": data.get("version"), "ours": VERSION},
        )
    total = 0
    for name in REGISTRIES:
        if name in data and not isinstance(data[name], list):
            bad(name, _("Must be a list of records."))
        else:
            total += len(data.get(name) or [])
    if total > MAX_RECORDS:
        bad(
            "",
            _("The file holds %(n)s records; import at most %(max)s at once.")
            % {"n": total, "max": MAX_RECORDS},
        )
    return problems


def import_registry(data, user, *, dry_run=False):
    """Apply a registry file (already parsed JSON). Nothing is written unless every record is fine
    and this is not a dry run."""
    result = ImportResult(dry_run=dry_run)
    result.errors = check_envelope(data)
    if result.errors:
        return result
    importer = Importer(user, result)
    with transaction.atomic(), audit.acting_as(user, "import"):
        # parents before children, whatever the file's order
        regions = sorted(enumerate(data.get("regions") or []), key=lambda item: (_depth(item[1]), item[0]))
        importer.each("regions", regions, importer.apply_region)
        importer.each(
            "residential_areas", enumerate(data.get("residential_areas") or []), importer.apply_area
        )
        importer.each("org_units", enumerate(data.get("org_units") or []), importer.apply_unit)
        places = data.get("places") or []
        codes = [p.get("code") for p in places if isinstance(p, dict) and isinstance(p.get("code"), str)]
        existing, writable = {}, set()
        for start in range(0, len(codes), 1000):
            chunk = codes[start : start + 1000]
            existing.update({p.code: p for p in Place.objects.filter(code__in=chunk)})
            writable.update(
                Place.objects.restrict(user, "change").filter(code__in=chunk).values_list("pk", flat=True)
            )
        importer.each(
            "places", enumerate(places), lambda record: importer.apply_place(record, existing, writable)
        )
        if result.errors or dry_run:
            transaction.set_rollback(True)
    result.errors.sort(key=_problem_order)
    return result


def _problem_order(problem):
    if "[" not in problem.record:
        return (-1, 0)
    registry, index = problem.record.rstrip("]").split("[")
    return (REGISTRIES.index(registry), int(index))


def writes_allowed(user):
    """Who may use the exchange at all: the district admin and street officers (and superusers)."""
    scope = user_scope(user)
    return scope.superuser or bool(scope.roles & {Role.DISTRICT_ADMIN, Role.STREET_OFFICER})
