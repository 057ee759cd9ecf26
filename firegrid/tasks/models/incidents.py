"""Fire incidents (time, place, cause, casualties, loss) and year-on-year targets against them."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.roles import Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.tasks.choices import FireCause, TargetMetric

INCIDENT_WRITERS = frozenset({Role.DISTRICT_ADMIN, Role.DETACHMENT_OFFICER, Role.STREET_OFFICER})


class FireIncident(AuditedModel):
    occurred_at = models.DateTimeField(_("time of the fire"), db_index=True)
    place = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fire_incidents",
        verbose_name=_("place"),
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="fire_incidents", verbose_name=_("grid")
    )
    sector = models.CharField(_("sector"), max_length=30, blank=True)  # copied from the place
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lng = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    cause = models.CharField(_("cause"), max_length=16, choices=FireCause.choices)
    cause_detail = models.CharField(_("cause in detail"), max_length=300, blank=True)
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    injuries = models.PositiveIntegerField(_("injuries"), default=0)
    loss_yuan = models.DecimalField(
        _("direct loss (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    high_rise = models.BooleanField(_("in a high-rise building"), default=False)
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        region="region",
        sector="sector",
        owner="place__owners",
        owner_roles=frozenset({Role.UNIT_OWNER}),
        write_roles=INCIDENT_WRITERS,
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("fire incident")
        verbose_name_plural = _("fire incidents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(loss_yuan__gte=0),
                name="incident_loss_not_negative",
                violation_error_message=_("The loss cannot be negative."),
            ),
        ]

    def __str__(self):
        where = self.place or self.address or self.region
        return f"{timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M} · {where}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("tasks:incident", args=[self.pk])

    def clean(self):
        if self.occurred_at and self.occurred_at > timezone.now():
            raise ValidationError({"occurred_at": _("A fire cannot be recorded before it happens.")})


class IncidentTarget(AuditedModel):
    """A target for a year in a region: e.g. high-rise fires down 5% on the year before."""

    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    metric = models.CharField(_("measure"), max_length=20, choices=TargetMetric.choices)
    change_pct = models.DecimalField(
        _("change on the year before (%)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(-100)), MaxValueValidator(Decimal(1000))],
        help_text=_("-5 means down 5% year on year."),
    )
    baseline = models.DecimalField(
        _("baseline (empty: last year's actual)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = ScopeRules(
        region="region", write_roles=frozenset({Role.DISTRICT_ADMIN, Role.STREET_OFFICER})
    )

    class Meta:
        ordering = ["-year", "region__path", "metric"]
        verbose_name = _("incident target")
        verbose_name_plural = _("incident targets")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "metric"],
                name="incident_target_once",
                violation_error_message=_("This region already has a target for this measure and year."),
            )
        ]

    def __str__(self):
        return self.title or f"{self.region} {self.year} {self.get_metric_display()} {self.change_pct:+}%"
