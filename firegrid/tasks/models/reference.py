"""Reference data kept as versioned documents: the task catalogues (seed 002's 20-task breakdown,
the recurring duties and responsibility lists of seed 000) and the scoring scheme (考评方案)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import ActiveVersionMixin, AuditedModel
from firegrid.core.roles import Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules

STAFF = frozenset(set(Role) - {Role.UNIT_OWNER})
REFERENCE_SCOPE = ScopeRules(district_wide_view=STAFF, write_roles=frozenset({Role.DISTRICT_ADMIN}))


class TaskCatalogue(AuditedModel):
    """A shipped document of tasks or duties (data/*.json), one row per code and version."""

    code = models.CharField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    document = models.JSONField(_("document"))

    objects = RestrictedQuerySet.as_manager()
    scope_rules = REFERENCE_SCOPE

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("task catalogue")
        verbose_name_plural = _("task catalogues")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="task_catalogue_version")]

    def __str__(self):
        return f"{self.name} ({self.version})"


class ScoreScheme(ActiveVersionMixin, AuditedModel):
    """A versioned scoring scheme (考评方案): items, their metric and weight, for streets and units."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    is_active = models.BooleanField(_("active"), default=False)
    document = models.JSONField(_("scheme"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = REFERENCE_SCOPE

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_score_scheme",
                violation_error_message=_("Only one scoring scheme can be active."),
            )
        ]

    @classmethod
    def document_checker(cls):
        from firegrid.tasks.scoring import SchemeError, check_scheme

        return check_scheme, SchemeError
