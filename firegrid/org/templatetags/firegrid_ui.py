"""Small display helpers for firegrid pages: role labels, field labels and audit diffs."""

from django import template
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import UNKNOWN_SOURCE
from django.urls import get_script_prefix, get_urlconf
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from firegrid.core.roles import Role

register = template.Library()


@register.filter
def role_label(code):
    try:
        return Role(code).label
    except ValueError:
        return code


def _field(obj, name):
    try:
        return obj._meta.get_field(name)
    except (FieldDoesNotExist, AttributeError):
        return None


@register.filter
def field_label(name, obj):
    """The verbose name of a model field of obj, or the name itself."""
    field = _field(obj, name)
    return capfirst(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else name


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


@register.simple_tag(takes_context=True)
def change_display(context, obj, name, change):
    """Like change_text, with choice labels and the names of related objects the user may see."""
    field = _field(obj, name)
    if field is None or not (isinstance(change, list | tuple) and len(change) == 2):
        return change_text(change)
    if getattr(field, "choices", None):
        labels = {str(k): v for k, v in field.flatchoices}
        change = [labels.get(str(v), v) if v not in (None, "") else v for v in change]
    elif field.many_to_one or field.one_to_one:
        related = field.related_model.objects
        user = context.get("user")
        rows = related.restrict(user) if hasattr(related, "restrict") else related.none()
        names = {str(o.pk): str(o) for o in rows.filter(pk__in=[v for v in change if v is not None])}
        change = [names.get(str(v), f"#{v}") if v is not None else None for v in change]
    return change_text(change)


@register.filter
def pct(value):
    return "—" if value is None else f"{value:g}%"


# ---- {% memo key… %}…{% endmemo %}: a block rendered once per process and key ----
#
# For markup that is the same for everybody who gives the same keys (the navigation of base.html: some
# twenty links reversed and translated on every page, ~0.35 ms). The key is the block's place in its
# template, the keys given, the URL configuration and the script prefix; the block must depend on nothing
# else. Off with DEBUG (templates change on disk); forgotten when a setting changes (tests).

_MEMO = {}
_MEMO_LIMIT = 512


@receiver(setting_changed)
def _forget_memo(**_kwargs):
    _MEMO.clear()


class MemoNode(template.Node):
    def __init__(self, nodelist, place, keys):
        self.nodelist, self.place, self.keys = nodelist, place, keys

    def render(self, context):
        if settings.DEBUG or self.place is None:
            return self.nodelist.render(context)
        key = (
            self.place,
            get_urlconf(),
            get_script_prefix(),
            *(k.resolve(context) for k in self.keys),
        )
        html = _MEMO.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_MEMO) < _MEMO_LIMIT:
                _MEMO[key] = html
        return html


@register.tag
def memo(parser, token):
    keys = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    name = getattr(getattr(parser, "origin", None), "name", None)
    # a template from a string has no name: rendered every time
    place = (name, token.lineno, token.contents) if name and name != UNKNOWN_SOURCE else None
    return MemoNode(nodelist, place, keys)
