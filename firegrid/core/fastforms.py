"""A form renderer that writes the commonest form templates in Python: the same markup as Django's
templates byte for byte, with the same escaping, without a template render per field, label, error list
and widget.

A case page offers up to six step forms of two to five fields; through the templates each field is five
or six renders (field.html, label.html, attrs.html, the error list, the widget with its attrs.html), ~6 ms
of a 16 ms page (bench/README.md, load test). `FastRenderer.render()` gets the context Django built for
the template (so every attribute, id and aria-describedby is Django's own) and writes the template's
output for these templates, and leaves any other template (radio buttons, a file input with a current
file, a widget of its own) to Django's renderer. Use it as a form's `default_renderer`.
"""

from django.forms.renderers import DjangoTemplates

from firegrid.core.fastwidgets import _shown, _string, attrs_html, input_html


def _attrs(attrs):
    """django/forms/attrs.html (a label's attributes; None gives nothing, as the template's loop)."""
    return attrs_html(attrs) if attrs else ""


def field_group(context):
    """django/forms/field.html."""
    field = context["field"]
    use_fieldset = field.use_fieldset
    if use_fieldset:
        described = field.aria_describedby
        out = ["\n  <fieldset", f' aria-describedby="{_shown(described)}"' if described else "", ">\n  "]
        if field.label:
            out.append(_shown(field.legend_tag()))
    else:
        out = ["\n  "]
        if field.label:
            out.append(_shown(field.label_tag()))
    out.append("\n\n")
    if field.help_text:
        out.append('<div class="helptext"')
        if field.auto_id:
            out.append(f' id="{_shown(field.auto_id)}_helptext"')
        out.append(f">{field.help_text}</div>")  # |safe
    out.append(f"\n{_shown(field.errors)}\n{_shown(field)}")
    if use_fieldset:
        out.append("</fieldset>")
    return "".join(out)


def label(context):
    """django/forms/label.html."""
    if context["use_tag"]:
        tag = _shown(context["tag"])
        return f"<{tag}{_attrs(context['attrs'])}>{_shown(context['label'])}</{tag}>\n"
    return f"{_shown(context['label'])}\n"


def error_list(context):
    """django/forms/errors/list/default.html (which includes ul.html)."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = f' id="{_shown(errors.field_id)}_error"' if errors.field_id else ""
    items = "".join(f"<li>{_shown(error)}</li>" for error in errors)
    return f'<ul class="{_shown(context["error_class"])}"{field_id}>{items}</ul>'


def input_widget(context):
    """django/forms/widgets/input.html and the templates that only include it."""
    return input_html(context["widget"])


def textarea(context):
    """django/forms/widgets/textarea.html."""
    widget = context["widget"]
    value = _shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_shown(widget["name"])}"{attrs_html(widget["attrs"])}>\n{value}</textarea>\n'


def select(context):
    """django/forms/widgets/select.html with select_option.html for each option."""
    widget = context["widget"]
    out = [f'<select name="{_shown(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                return None
            out.append(
                f'\n  <option value="{_string(option["value"])}"{attrs_html(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


OPTION_TEMPLATES = ("django/forms/widgets/radio_option.html", "django/forms/widgets/checkbox_option.html")


def input_option(option):
    """radio_option.html / checkbox_option.html: input_option.html and the including file's newline."""
    if not option["wrap_label"]:
        return input_html(option) + "\n\n"
    option_id = option["attrs"].get("id")
    label_for = f' for="{_shown(option_id)}"' if option_id else ""
    return f"<label{label_for}>{input_html(option)} {_shown(option['label'])}</label>\n\n"


def multiple_input(context):
    """django/forms/widgets/multiple_input.html (radio.html and checkbox_select.html include it)."""
    widget = context["widget"]
    attrs = widget["attrs"]
    out = ["<div"]
    if attrs.get("id"):
        out.append(f' id="{_shown(attrs["id"])}"')
    if attrs.get("class"):
        out.append(f' class="{_shown(attrs["class"])}"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{_shown(group)}</label>")
        for option in options:
            if option["template_name"] not in OPTION_TEMPLATES:
                return None
            out.append(f"<div>\n    {input_option(option)}</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>\n")
    return "".join(out)


def clearable_file_input(context):
    """django/forms/widgets/clearable_file_input.html without a current file (None: the template)."""
    widget = context["widget"]
    if widget["is_initial"]:
        return None
    kind, name = _shown(widget["type"]), _shown(widget["name"])
    return f'\n<input type="{kind}" name="{name}"{attrs_html(widget["attrs"])}>\n'


WRITERS = {
    "django/forms/field.html": field_group,
    "django/forms/label.html": label,
    "django/forms/errors/list/default.html": error_list,
    "django/forms/errors/list/ul.html": error_list,
    "django/forms/widgets/input.html": input_widget,
    "django/forms/widgets/text.html": input_widget,
    "django/forms/widgets/hidden.html": input_widget,
    "django/forms/widgets/date.html": input_widget,
    "django/forms/widgets/number.html": input_widget,
    "django/forms/widgets/email.html": input_widget,
    "django/forms/widgets/checkbox.html": input_widget,
    "django/forms/widgets/textarea.html": textarea,
    "django/forms/widgets/select.html": select,
    "django/forms/widgets/radio.html": multiple_input,
    "django/forms/widgets/checkbox_select.html": multiple_input,
    "django/forms/widgets/clearable_file_input.html": clearable_file_input,
}


class FastRenderer(DjangoTemplates):
    """Django's template renderer, with WRITERS in place of their templates (same output, stripped as
    BaseRenderer.render strips it)."""

    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        if writer is not None:
            html = writer(context)
            if html is not None:
                return html.strip()
        return super().render(template_name, context, request=request)
