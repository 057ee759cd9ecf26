"""Small display helpers for firegrid pages: role labels, field labels and audit diffs."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from firegrid.core.roles import Role

register = template.Library()


@register.filter
def role_label(code):
    try:
        return Role(code).label
    except ValueError:
        return code


@register.filter
def field_label(name, obj):
    """The verbose name of a model field of obj, or the name itself."""
    try:
        return obj._meta.get_field(name).verbose_name
    except (FieldDoesNotExist, AttributeError):
        return name


def _show(value):
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "—"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


@register.filter
def change_text(change):
    """One audit change as text: "old → new", or "added: 3, 4" for related-object lists."""
    if isinstance(change, list | tuple) and len(change) == 2:
        return f"{_show(change[0])} → {_show(change[1])}"
    if isinstance(change, dict):
        labels = {"added": _("added"), "removed": _("removed"), "cleared": _("cleared")}
        return "; ".join(f"{labels.get(k, k)}: {_show(v)}" for k, v in change.items())
    return _show(change)


@register.filter
def pct(value):
    return "—" if value is None else f"{value:g}%"
