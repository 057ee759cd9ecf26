"""The all-or-nothing import: every row is validated first, and only a clean file is written.

Every problem is collected as (row as Excel numbers it, column title, message); a file with any
problem writes nothing. A clean file is created in one transaction with the same derived values,
grade events and audit rows as `actions.save_place`, in bulk.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from shapely import STRtree
from shapely.geometry import Point

from firegrid.core.geo import to_shape
from firegrid.core.models import AuditEvent
from firegrid.core.validators import validate_credit_code
from firegrid.org.choices import RegionLevel
from firegrid.org.models import Region
from firegrid.places import actions
from firegrid.places.choices import KIND_SECTOR
from firegrid.places.ledger.cells import Problem, RowReader, _fold, _text
from firegrid.places.ledger.columns import (
    COLUMN_BY_KEY,
    COLUMNS,
    DERIVED_FIELD_COLUMN,
    EXAMPLE_MARK,
    REQUIRED,
)
from firegrid.places.ledger.reading import LedgerFileError, read_ledger
from firegrid.places.models import GradingRuleSet, Place, PlaceGradeEvent, normalise_address


@dataclass
class RowError:
    row: int
    column: str
    message: str
    order: int = 0  # column position, to sort a row's errors like the sheet

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    rows: int = 0  # data rows read (the example row not counted)
    skipped: int = 0  # example rows
    errors: list = field(default_factory=list)
    created: list = field(default_factory=list)  # (row, Place) in sheet order
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors

    def as_dict(self):
        data = {"rows": self.rows, "skipped_example_rows": self.skipped, "dry_run": self.dry_run}
        if self.errors:
            return data | {"errors": [e.as_dict() for e in self.errors]}
        return data | {
            "created": len(self.created),
            "places": [{"row": row, "code": place.code, "name": place.name} for row, place in self.created],
        }


# ---- where a place lies ------------------------------------------------------------------------------


class GridLocator:
    """Region.objects.locate(lat, lng) for many points: the grids are loaded and indexed once."""

    def __init__(self):
        self.grids = list(
            Region.objects.filter(level=RegionLevel.GRID, min_lat__isnull=False).order_by("path")
        )
        self.shapes = [to_shape(g.boundary) for g in self.grids]
        self.tree = STRtree(self.shapes) if self.shapes else None

    def locate(self, lat, lng):
        if self.tree is None:
            return None
        point = Point(float(lng), float(lat))
        for index in sorted(self.tree.query(point)):  # grids are in path order, like locate()
            if self.shapes[index].covers(point):
                return self.grids[index]
        return None


# ---- validation --------------------------------------------------------------------------------------


def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(field_name, values):
    """{value: code of an existing place} for values of a field, queried in chunks.

    Deliberately not restricted to the user's scope: a duplicate is a duplicate anywhere in the
    district. Only the place code (public, printed on its sign) is named, nothing private."""
    found = {}
    for chunk in _chunks(values):
        for value, code in Place.objects.filter(**{f"{field_name}__in": chunk}).values_list(
            field_name, "code"
        ):
            found.setdefault(value, code)
    return found


def validate_rows(rows, user, *, progress=None):
    """Check every row; return ([(row, unsaved Place)], [RowError]). Nothing is written."""
    reader = RowReader()
    locator = GridLocator()
    writable = set(
        Region.objects.restrict(user, "change").filter(level=RegionLevel.GRID).values_list("pk", flat=True)
    )
    order = {c.key: i for i, c in enumerate(COLUMNS)}
    errors, places = [], []
    seen_codes, seen_keys = {}, {}

    for done, (number, raw) in enumerate(rows, start=1):
        row_errors = {}  # key → message: the first problem of each column

        def problem(key, message, row_errors=row_errors):
            key = DERIVED_FIELD_COLUMN.get(key, key)
            row_errors.setdefault(key if key in COLUMN_BY_KEY else "", message)

        values = {}
        for column in COLUMNS:
            if column.key not in raw:
                continue
            try:
                values[column.key] = reader.read(column, raw[column.key])
            except Problem as exc:
                problem(column.key, str(exc))
        for key in REQUIRED:
            if key not in row_errors and values.get(key) in (None, ""):
                problem(key, _("This column is required."))
        if values.get("credit_code"):
            values["credit_code"] = _fold(values["credit_code"]).upper()
            try:
                validate_credit_code(values["credit_code"])
            except ValidationError as exc:
                problem("credit_code", " ".join(exc.messages))

        place = Place(**{k: v for k, v in values.items() if k not in row_errors})
        lat, lng = values.get("lat"), values.get("lng")
        if "lat" not in row_errors and "lng" not in row_errors and lat is not None and lng is not None:
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                problem("lat", _("Latitude must lie between -90 and 90, longitude between -180 and 180."))
            else:
                grid = locator.locate(lat, lng)
                if grid is None:
                    message = _(
                        "The coordinates %(lat)s, %(lng)s lie outside every grid of the district."
                    ) % {"lat": lat, "lng": lng}
                    if -90 <= lng <= 90 and locator.locate(lng, lat) is not None:
                        message += " " + _("Latitude and longitude may be swapped.")
                    problem("lng", message)
                elif grid.pk not in writable:
                    problem(
                        "lng", _("The place lies in %(grid)s, outside your jurisdiction.") % {"grid": grid}
                    )
                else:
                    place.region = grid
        place.address_key = normalise_address(place.address)
        place.sector = KIND_SECTOR.get(place.kind, "")
        try:
            place.full_clean(
                exclude=["region", *row_errors], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                problem("" if name == "__all__" else name, " ".join(messages))

        if place.credit_code:
            if place.credit_code in seen_codes:
                problem(
                    "credit_code",
                    _("Same credit code as row %(row)s.") % {"row": seen_codes[place.credit_code]},
                )
            else:
                seen_codes[place.credit_code] = number
        if place.address_key:
            if place.address_key in seen_keys:
                problem("address", _("Same address as row %(row)s.") % {"row": seen_keys[place.address_key]})
            else:
                seen_keys[place.address_key] = number

        for key, message in row_errors.items():
            column = COLUMN_BY_KEY.get(key)
            errors.append(RowError(number, column.title if column else "", message, order.get(key, -1)))
        if not row_errors:
            places.append((number, place))
        if progress and done % 1000 == 0:
            progress(done, len(rows))

    errors.extend(_duplicates_of_existing(rows, seen_codes, seen_keys, order))
    errors.sort(key=lambda e: (e.row, e.order))
    return places, errors


def _duplicates_of_existing(rows, seen_codes, seen_keys, order):
    errors = []
    codes = set(seen_codes) | {c.lower() for c in seen_codes}
    by_code = {k.upper(): v for k, v in _existing("credit_code", codes).items()}
    for credit_code, number in seen_codes.items():
        if credit_code in by_code:
            errors.append(
                RowError(
                    number,
                    COLUMN_BY_KEY["credit_code"].title,
                    _("A place with this credit code is already registered (place code %(code)s).")
                    % {"code": by_code[credit_code]},
                    order["credit_code"],
                )
            )
    by_key = _existing("address_key", seen_keys)
    for key, number in seen_keys.items():
        if key in by_key:
            errors.append(
                RowError(
                    number,
                    COLUMN_BY_KEY["address"].title,
                    _("A place at this address is already registered (place code %(code)s).")
                    % {"code": by_key[key]},
                    order["address"],
                )
            )
    return errors


# ---- writing -----------------------------------------------------------------------------------------


def create_places(places, *, actor=None, source="system", progress=None):
    """Create validated places in one transaction: grade, grade events and audit rows as save_place."""
    ruleset = GradingRuleSet.active()
    snapshots = []
    for place in places:
        snapshots.append(actions.apply_grade(place, ruleset)[1] if ruleset is not None else None)
    with transaction.atomic():
        if not connection.features.can_return_rows_from_bulk_insert:
            for done, place in enumerate(places, start=1):
                actions.save_place(place, actor=actor)
                if progress and done % 1000 == 0:
                    progress(done, len(places))
            return places
        content_type = ContentType.objects.get_for_model(Place, for_concrete_model=False)
        actor = actor if getattr(actor, "is_authenticated", False) else None
        for done, batch in enumerate(_chunks(range(len(places)), 1000), start=1):
            batch_places = [places[i] for i in batch]
            Place.objects.bulk_create(batch_places)
            PlaceGradeEvent.objects.bulk_create(
                PlaceGradeEvent(
                    place=places[i], actor=actor, cause="created", ruleset=ruleset, old={}, new=snapshots[i]
                )
                for i in batch
                if snapshots[i] is not None
            )
            AuditEvent.objects.bulk_create(_audit_event(p, content_type, actor, source) for p in batch_places)
            if progress:
                progress(min(done * 1000, len(places)), len(places))
    return places


def _audit_event(place, content_type, actor, source):
    """The AuditEvent that core.audit records when a place is created with save()."""
    values = place.audit_values()
    place._audit_snapshot = values
    return AuditEvent(
        content_type=content_type,
        object_id=str(place.pk),
        object_repr=str(place)[:200],
        action="create",
        actor=actor,
        source=source,
        changes={name: [None, value] for name, value in values.items() if value not in (None, "")},
    )


def import_places(fileobj, user, *, source="page", dry_run=False, progress=None):
    """Read, validate every row, and (if all is well and not a dry run) create every place.

    Raises LedgerFileError for an unreadable file; row problems come back in result.errors, and
    then nothing has been written.
    """
    rows = read_ledger(fileobj)
    result = ImportResult(dry_run=dry_run)
    data = []
    for number, raw in rows:
        if _text(raw.get("name")).startswith(EXAMPLE_MARK):
            result.skipped += 1
        else:
            data.append((number, raw))
    result.rows = len(data)
    if not data:
        raise LedgerFileError(_("The sheet has no rows of places under its header."))
    places, result.errors = validate_rows(data, user, progress=progress)
    if result.errors or dry_run:
        return result
    create_places([p for _n, p in places], actor=user, source=source, progress=progress)
    result.created = places
    return result
