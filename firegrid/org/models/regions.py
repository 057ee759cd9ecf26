from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point

from firegrid.core.geo import bbox, clean_boundary, to_shape
from firegrid.core.models import AuditedModel
from firegrid.core.roles import DISTRICT_WIDE, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.org.choices import LEVEL_ORDER, RegionKind, RegionLevel

code_validator = RegexValidator(r"^[0-9A-Za-z_-]{1,40}$", _("Use letters, digits, - and _ only."))


class RegionQuerySet(RestrictedQuerySet):
    def streets(self):
        return self.filter(level=RegionLevel.STREET)

    def communities(self):
        return self.filter(level=RegionLevel.COMMUNITY)

    def grids(self):
        return self.filter(level=RegionLevel.GRID)

    def subtree(self, region):
        return self.filter(path__startswith=region.path)

    def containing_point(self, lat, lng):
        """Regions whose boundary box holds the point; exact test is done in Python."""
        return self.filter(min_lat__lte=lat, max_lat__gte=lat, min_lng__lte=lng, max_lng__gte=lng)

    def locate(self, lat, lng, level=RegionLevel.GRID):
        """The region of the given level whose boundary contains the point, or None."""
        point = Point(float(lng), float(lat))
        for region in self.filter(level=level).containing_point(lat, lng).order_by("path"):
            if to_shape(region.boundary).covers(point):
                return region
        return None


class Region(AuditedModel):
    """District → street/town → community/village → grid, each with a GeoJSON boundary."""

    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=RegionKind.choices, blank=True)
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Materialised path of codes, "/500110/500110001/", so a subtree is one prefix match.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    is_ancient_town = models.BooleanField(_("ancient town/village"), default=False)

    objects = RegionQuerySet.as_manager()
    scope_rules = ScopeRules(region="", district_wide_view=frozenset(DISTRICT_WIDE | {Role.DEPT_STAFF}))

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "min_lat", "max_lat"], name="region_bbox_idx")]

    def __str__(self):
        return self.name

    @property
    def depth(self):
        return LEVEL_ORDER.index(self.level)

    @property
    def street(self):
        return self.ancestor(RegionLevel.STREET)

    def ancestor(self, level):
        """This region or the ancestor at the given level (None above it)."""
        codes = [c for c in self.path.split("/") if c]
        index = LEVEL_ORDER.index(level)
        if index > self.depth:
            return None
        if index == self.depth:
            return self
        return Region.objects.get(code=codes[index])

    def ancestors(self):
        codes = [c for c in self.path.split("/") if c][:-1]
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]

    def contains(self, other):
        return other is not None and other.path.startswith(self.path)

    def clean(self):
        errors = {}
        if self.level == RegionLevel.DISTRICT:
            if self.parent_id:
                errors["parent"] = _("A district has no parent region.")
        elif not self.parent_id:
            errors["parent"] = _("A %(level)s needs a parent region.") % {"level": self.get_level_display()}
        elif self.level in LEVEL_ORDER:
            expected = LEVEL_ORDER[LEVEL_ORDER.index(self.level) - 1]
            if self.parent.level != expected:
                errors["parent"] = _("The parent of a %(level)s must be a %(expected)s.") % {
                    "level": self.get_level_display(),
                    "expected": RegionLevel(expected).label,
                }
            elif self.pk and self.parent.path.startswith(self._stored_path()):
                errors["parent"] = _("A region cannot be moved under itself.")
        try:
            self.boundary = clean_boundary(self.boundary)
        except ValidationError as exc:
            errors["boundary"] = exc.messages
        if errors:
            raise ValidationError(errors)

    def _stored_path(self):
        return Region.objects.filter(pk=self.pk).values_list("path", flat=True).first() or ""

    def save(self, *args, **kwargs):
        if self.level != RegionLevel.DISTRICT and self.parent_id is None:
            raise ValidationError({"parent": _("Only a district may have no parent.")})
        old_path = self._stored_path() if self.pk else ""
        self.path = f"{self.parent.path if self.parent_id else '/'}{self.code}/"
        if self.boundary:
            self.min_lng, self.min_lat, self.max_lng, self.max_lat = bbox(self.boundary)
        else:
            self.min_lng = self.min_lat = self.max_lng = self.max_lat = None
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                self._move_descendants(old_path)

    def _move_descendants(self, old_path):
        moved = list(Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk))
        for region in moved:
            region.path = self.path + region.path[len(old_path) :]
        Region.objects.bulk_update(moved, ["path"], batch_size=500)
