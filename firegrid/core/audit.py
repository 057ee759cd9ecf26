"""Audit trail: every create, update and delete of an AuditedModel becomes an AuditEvent.

The actor comes from a context variable that the middleware (pages, admin) and the base API
viewset (token-authenticated requests) set; work outside a request is recorded as "system".
Recording is cross-cutting bookkeeping, the one thing we let signals do.
"""

import contextlib
import contextvars

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_delete, post_save

_actor = contextvars.ContextVar("firegrid_audit_actor", default=None)
_source = contextvars.ContextVar("firegrid_audit_source", default="system")


def set_actor(user, source):
    _actor.set(user if getattr(user, "is_authenticated", False) else None)
    _source.set(source)


def current_actor():
    """The signed-in user on whose behalf this request (or `acting_as` block) writes; None for system
    work (sweeps, the ingest, imports without a user)."""
    return _actor.get()


@contextlib.contextmanager
def acting_as(user, source="system"):
    actor_token = _actor.set(user)
    source_token = _source.set(source)
    try:
        yield
    finally:
        _actor.reset(actor_token)
        _source.reset(source_token)


def _record(instance, action, changes):
    from firegrid.core.models import AuditEvent

    AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        actor=_actor.get(),
        source=_source.get(),
        changes=changes,
    )


def _on_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return  # fixtures loading
    new = instance.audit_values()
    if created:
        changes = {name: [None, value] for name, value in new.items() if value not in (None, "")}
        _record(instance, "create", changes)
    else:
        from firegrid.core.models import audit_snapshot

        old = audit_snapshot(instance)
        changes = {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}
        if changes:
            _record(instance, "update", changes)
    instance._audit_snapshot = new


def _on_delete(sender, instance, **kwargs):
    _record(instance, "delete", {})


def _on_m2m(sender, instance, action, pk_set, model, reverse=False, **kwargs):
    if reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    field = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender), "related"
    )
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    _record(instance, "update", {field: {verb: sorted(pk_set or [])}})


def connect():
    from django.apps import apps

    from firegrid.core.models import AuditedModel

    for model in apps.get_models():
        if issubclass(model, AuditedModel) or hasattr(model, "audit_values"):
            post_save.connect(_on_save, sender=model, dispatch_uid=f"audit-save-{model._meta.label}")
            post_delete.connect(_on_delete, sender=model, dispatch_uid=f"audit-del-{model._meta.label}")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    _on_m2m, sender=field.remote_field.through, dispatch_uid=f"audit-m2m-{field}"
                )


def history_for(obj):
    from firegrid.core.models import AuditEvent

    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEvent.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("actor")
