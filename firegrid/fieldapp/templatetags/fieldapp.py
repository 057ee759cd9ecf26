from django import template
from django.utils.html import json_script

from firegrid.fieldapp.strings import report_strings

register = template.Library()


@register.simple_tag
def report_strings_json():
    """The report form script's words, translated, in a JSON script block (no inline code)."""
    return json_script(report_strings(), "report-strings")
