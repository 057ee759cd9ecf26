from django import template
from django.utils.html import format_html

from firegrid.tasks.choices import STATE_COLOURS, SUPERVISION_COLOURS, ReviewState, SupervisionStatus

register = template.Library()


@register.simple_tag
def state_badge(state):
    """A review state (on track, due soon, late, done …) as a coloured badge."""
    label = ReviewState(state).label if state in ReviewState.values else state
    return format_html(
        '<span class="badge badge-{}" data-state="{}">{}</span>',
        STATE_COLOURS.get(state, "grey"),
        state,
        label,
    )


@register.simple_tag
def supervision_badge(status):
    label = SupervisionStatus(status).label if status in SupervisionStatus.values else status
    return format_html(
        '<span class="badge badge-{}" data-status="{}">{}</span>',
        SUPERVISION_COLOURS.get(status, "grey"),
        status,
        label,
    )


@register.filter
def text_of(value):
    """The current language's text of a {"zh-hans": …, "en": …} mapping."""
    from firegrid.tasks.catalogue import text

    return text(value)


@register.filter
def get_count(mapping, key):
    return (mapping or {}).get(key, 0)
