"""Widgets whose HTML is written in Python, the same markup as Django's widget templates.

A list page's filter form renders ~80 <option>s and a datalist of up to 300 region suggestions on every
request; through the template engine each option is two template renders (select_option.html and
attrs.html), which took 4–6 ms of a 20–30 ms page (bench/README.md, load test). These widgets produce
the markup of django/forms/widgets/select.html, select_option.html, input.html and attrs.html
(and org/widgets/code_input.html) byte for byte, with the same escaping, without a template per option.
"""

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

from firegrid.org.forms import CodeInput


def _string(value):
    """`{{ value|stringformat:'s' }}`: str, escaped unless it was already safe."""
    if isinstance(value, tuple):
        value = str(value)
    text = "%s" % value  # noqa: UP031 - the filter's own formatting
    # the filter keeps a safe value safe (is_safe=True): not escaped again
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)  # noqa: S308


def _shown(value):
    """`{{ value }}`: localised as the template engine does, then escaped."""
    return conditional_escape(localize(template_localtime(value)))


def attrs_html(attrs):
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_shown(name)}" if value is True else f' {_shown(name)}="{_string(value)}"')
    return "".join(out)


def input_html(widget):
    """django/forms/widgets/input.html (with its final newline)."""
    value = f' value="{_string(widget["value"])}"' if widget["value"] is not None else ""
    return (
        f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{value}'
        f"{attrs_html(widget['attrs'])}>\n"
    )


class FastSelect(forms.Select):
    """forms.Select, rendered without a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{_shown(widget["name"])}"{attrs_html(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{_shown(group_name)}">')
            for option in group_choices:
                out.append(
                    f'\n  <option value="{_string(option["value"])}"{attrs_html(option["attrs"])}>'
                    f"{_shown(option['label'])}</option>\n"
                )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        # the template renderer strips what it renders
        return mark_safe("".join(out).strip())  # noqa: S308 - every value above is escaped


class FastCodeInput(CodeInput):
    """org.forms.CodeInput (a text box with its datalist of suggestions), rendered without templates."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        widget = context["widget"]
        options = "".join(
            f'<option value="{_shown(value)}">{_shown(label)}</option>' for value, label in context["options"]
        )
        html = f'{input_html(widget)}<datalist id="{_shown(widget["attrs"]["list"])}">{options}</datalist>'
        return mark_safe(html.strip())  # noqa: S308 - every value above is escaped
