from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from firegrid.core.scoping import RestrictedQuerySet


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")


class AuditEvent(models.Model):
    """One create, update or delete of an audited object: who, when, from where, what changed."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    source = models.CharField(_("source"), max_length=20, blank=True)  # page, api, admin, system
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # {field: [old, new]}

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_idx")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"


class AuditedModel(models.Model):
    """Base for models whose every create, update and delete is recorded in AuditEvent."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    audit_exclude = ("created_at", "updated_at")

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Keep what was loaded; the comparable snapshot is only built if the object is saved.
        instance._audit_loaded = dict(zip(field_names, values, strict=True))
        return instance

    def audit_values(self):
        return audit_normalise(self, self.__dict__)


def audit_normalise(instance, loaded):
    """Field name -> JSON-friendly value, from a mapping of attnames (deferred fields left out)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in instance.audit_exclude or field.attname not in loaded:
            continue
        value = loaded[field.attname]
        if not isinstance(value, int | float | bool | type(None) | list | dict):
            value = str(value)
        data[field.name] = value
    return data


def audit_snapshot(instance):
    """The values the object had when it was loaded (or last saved)."""
    snapshot = getattr(instance, "_audit_snapshot", None)
    if snapshot is None:
        loaded = getattr(instance, "_audit_loaded", None)
        snapshot = audit_normalise(instance, loaded) if loaded is not None else {}
    return snapshot


class ActiveVersionMixin:
    """A versioned rules document of which at most one version is active (grading rules, facility
    rules, scoring schemes). Subclasses name their checker in `document_checker()`."""

    def __str__(self):
        return f"{self.name} ({self.version})"

    @classmethod
    def document_checker(cls):
        """(check(document), the error class it raises); imported lazily by each subclass."""
        raise NotImplementedError

    def clean(self):
        from django.core.exceptions import ValidationError

        check, error = self.document_checker()
        try:
            check(self.document)
        except error as exc:
            raise ValidationError({"document": str(exc)}) from None

    @classmethod
    def active(cls):
        return cls.objects.filter(is_active=True).first()
