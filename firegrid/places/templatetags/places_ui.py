"""Display helpers of the place pages: risk badges, flag and rule labels, readable rule conditions."""

from django import template
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from firegrid.places.choices import RISK_COLOURS, Authority, PlaceKind, RiskLevel, SelfBuiltUse
from firegrid.places.forms import localised
from firegrid.places.models import Place

register = template.Library()

COMPARISONS = {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "eq": "=", "ne": "≠"}
VALUE_LABELS = {"kind": PlaceKind, "self_built_uses": SelfBuiltUse}
CAUSES = {
    "created": lambda: _("Registered"),
    "attributes": lambda: _("Attributes changed"),
    "rules": lambda: _("Rules changed"),
}


def _choice_label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.filter
def risk_badge(level):
    """The risk level as a badge in its colour (blue/yellow/orange/red)."""
    if not level:
        return "—"
    colour = RISK_COLOURS.get(str(level), "muted")
    return format_html('<span class="badge badge-{}">{}</span>', colour, _choice_label(RiskLevel, level))


@register.filter
def authority_label(value):
    return _choice_label(Authority, value) if value else "—"


@register.filter
def in_language(labels):
    """A {"zh-hans": …, "en": …} label (rule titles, flag labels) in the current language."""
    return localised(labels)


@register.filter
def flag_names(codes, labels):
    """Flag codes (a list or a place) as their labels, from a code → label mapping."""
    if isinstance(codes, Place):
        codes = codes.flag_list
    return [labels.get(code, code) for code in codes or []]


@register.filter
def grouped_code(code, size=4):
    """ABCD2345EFGH → ABCD 2345 EFGH, easier to read out over the phone."""
    code = str(code or "")
    return " ".join(code[i : i + size] for i in range(0, len(code), size))


def _attr_label(attr):
    try:
        return capfirst(Place._meta.get_field(attr).verbose_name)
    except Exception:  # noqa: BLE001 - an attribute the model lacks is shown by its name
        return attr


def _value_text(attr, value):
    choices = VALUE_LABELS.get(attr)
    if isinstance(value, list):
        return "[" + ", ".join(_value_text(attr, v) for v in value) + "]"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if choices is not None:
        return _choice_label(choices, value)
    return str(value)


def describe(cond):
    """A rule condition as text: "Kind in [Hotel/guesthouse]; Guest rooms ≥ 50"."""
    if "all" in cond:
        return "; ".join(_nested(c, "any") for c in cond["all"])
    if "any" in cond:
        return _(" or ").join(_nested(c, "all") for c in cond["any"])
    if "not" in cond:
        inner = cond["not"]
        if set(inner) == {"attr", "present"}:
            return describe({"attr": inner["attr"], "present": not inner["present"]})
        return _("not (%(condition)s)") % {"condition": describe(cond["not"])}
    attr = cond.get("attr", "?")
    ((op, value),) = ((k, v) for k, v in cond.items() if k != "attr")
    label, shown = _attr_label(attr), _value_text(attr, value)
    if op in COMPARISONS:
        return f"{label} {COMPARISONS[op]} {shown}"
    texts = {
        "in": _("%(attr)s in %(values)s"),
        "not_in": _("%(attr)s not in %(values)s"),
        "contains_any": _("%(attr)s include any of %(values)s"),
    }
    if op == "present":
        return (_("%(attr)s given") if value else _("%(attr)s not given")) % {"attr": label}
    return texts.get(op, f"%(attr)s {op} %(values)s") % {"attr": label, "values": shown}


def _nested(cond, wraps):
    text = describe(cond)
    return f"({text})" if wraps in cond else text


@register.filter
def condition_text(cond):
    return describe(cond) if isinstance(cond, dict) else ""


@register.simple_tag
def outcome_text(then, flags):
    """A rule outcome as text: "Key unit; risk: High (orange); flags: Key control"."""
    parts = []
    if then.get("key_unit"):
        parts.append(_("Key unit (detachment)"))
    if "risk_level" in then:
        parts.append(_("risk: %(level)s") % {"level": _choice_label(RiskLevel, then["risk_level"])})
    if "authority" in then:
        parts.append(_("authority: %(authority)s") % {"authority": authority_label(then["authority"])})
    if "inspections_per_year" in then:
        parts.append(_("%(n)s inspection(s) a year") % {"n": then["inspections_per_year"]})
    if then.get("flags"):
        names = ", ".join(localised(flags.get(f), f) for f in then["flags"])
        parts.append(_("flags: %(flags)s") % {"flags": names})
    return "; ".join(parts)


@register.filter
def cause_label(cause):
    return CAUSES[cause]() if cause in CAUSES else cause


@register.simple_tag
def grade_changes(event, labels):
    """What an event changed, as (label, old, new) rows; old is None when the place was new."""
    old, new = event.old or {}, event.new or {}
    rows = []
    for key, label, show in (
        ("risk_level", _("Risk level"), lambda v: _choice_label(RiskLevel, v) if v else "—"),
        ("authority", _("Supervising authority"), authority_label),
        ("is_key_unit", _("Key unit"), lambda v: _("yes") if v else _("no")),
        ("inspections_per_year", _("Inspections per year"), lambda v: "—" if v is None else str(v)),
        ("flags", _("Flags"), lambda v: ", ".join(labels.get(f, f) for f in v or []) or "—"),
        ("rules", _("Rules"), lambda v: ", ".join(v or []) or "—"),
    ):
        if not old:
            rows.append((label, None, show(new.get(key))))
        elif old.get(key) != new.get(key):
            rows.append((label, show(old.get(key)), show(new.get(key))))
    return rows
