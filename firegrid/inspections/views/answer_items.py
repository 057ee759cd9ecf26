"""The phone form's items written in Python: the markup of inspections/partials/answer_item.html (with
answer_status.html for an item without errors) byte for byte, with the same escaping.

A checklist has up to 60 items; through the template engine each is an include with its loops, ~9 ms of a
20 ms page (bench/README.md, load test). The page still includes the template for the one item that comes
back with errors (a POST without htmx); test_answer_items compares both for every state of an item.
"""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

e = conditional_escape


class ItemWriter:
    """What every item of a page shares (the words, the URL, the token), worked out once."""

    def __init__(self, request, inspection, *, readonly, result_choices):
        self.inspection_pk = inspection.pk
        self.answer_url = e(reverse("inspections:answer", args=[inspection.pk]))
        # the value {% csrf_token %} writes: one token for the page, as the template's context has
        self.csrf = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
        self.readonly = readonly
        self.choices = [(e(value), e(label), value) for value, label in result_choices]
        words = {
            "critical": "critical",
            "result": "Result",
            "note": "Note",
            "what_where": "What is wrong, where",
            "photo": "Photo",
            "elements": "GB 35181 elements this may evidence (untick what does not apply)",
            "corrected": "Corrected on the spot",
            "save": "Save",
            "saved": "Saved",
        }
        self.t = {key: e(gettext(msgid)) for key, msgid in words.items()}

    def status(self, answer):
        """answer_status.html with errors=None and no oob."""
        if not answer:
            return "\n\n"
        out = f'<span class="saved">✓ {self.t["saved"]}</span>'
        if answer.photo:
            url = e(reverse("inspections:photo", args=[self.inspection_pk, answer.pk]))
            out += (
                f'<a href="{url}"><img class="photo-thumb" src="{url}" alt="{self.t["photo"]}" '
                f'height="96"></a>'
            )
        return out + "\n\n"

    def html(self, item):
        t, readonly, answer = self.t, self.readonly, item["answer"]
        result = answer.result if answer else None
        out = [
            f'<form class="item{f" is-{e(answer.result)}" if answer else ""}" id="item-{e(item["key"])}" '
            'method="post" enctype="multipart/form-data"\n'
            f'  action="{self.answer_url}" hx-post="{self.answer_url}" hx-encoding="multipart/form-data"\n'
            '  hx-trigger="change, input changed delay:1.5s from:find textarea" '
            'hx-target="find .item-status" hx-sync="this:queue last">\n'
            f"  {self.csrf}\n"
            f'  <input type="hidden" name="checklist" value="{e(item["checklist"])}">\n'
            f'  <input type="hidden" name="item_code" value="{e(item["code"])}">\n'
            f'  <p class="item-text"><span class="item-code">{e(item["code"])}</span>{e(item["text"])}',
            f' <span class="badge badge-muted">{t["critical"]}</span>' if item["critical"] else "",
            f'<span class="item-basis">{e(item["basis"])}</span></p>\n'
            '  <fieldset class="taps">\n'
            f"    <legend>{t['result']}</legend>\n    ",
        ]
        for value, label, raw in self.choices:
            checked = " checked" if result == raw else ""
            out.append(
                f'\n    <label class="tap tap-{value}{checked}"><input type="radio" name="result" '
                f'value="{value}"{checked}{readonly}>{label}</label>\n    '
            )
        note = e(answer.note) if answer else ""
        out.append(
            "\n  </fieldset>\n"
            '  <div class="fail-details">\n'
            f'    <label>{t["note"]}<textarea name="note" rows="2" maxlength="500"{readonly} '
            f'placeholder="{t["what_where"]}">{note}</textarea></label>\n'
            f'    <label>{t["photo"]}<input type="file" name="photo" accept="image/*" '
            f'capture="environment"{readonly}></label>\n    '
        )
        if item["elements"]:
            out.append(f"\n    <fieldset>\n      <legend>{t['elements']}</legend>\n      ")
            for element in item["elements"]:
                ticked = " checked" if element["ticked"] else ""
                out.append(
                    f'\n      <label class="element"><input type="checkbox" name="elements" '
                    f'value="{e(element["id"])}"{ticked}{readonly}><span><strong>{e(element["id"])}</strong> '
                    f"{e(element['text'])}</span></label>\n      "
                )
            out.append("\n    </fieldset>\n    ")
        corrected = " checked" if answer and answer.corrected_on_spot else ""
        out.append(
            "\n"
            '    <label class="check-line"><input type="checkbox" name="corrected_on_spot"'
            f"{corrected}{readonly}>{t['corrected']}</label>\n"
            "  </div>\n"
            f'  <div class="item-status" aria-live="polite">{self.status(answer)}</div>\n'
            f'  <noscript><button type="submit" class="secondary small">{t["save"]}</button></noscript>\n'
            "</form>\n"
        )
        return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def write_items(request, inspection, blocks, *, readonly, result_choices, error_key=None):
    """Set item["html"] on every item of the blocks but the one shown with its errors."""
    writer = ItemWriter(request, inspection, readonly=readonly, result_choices=result_choices)
    for block in blocks:
        for section in block["sections"]:
            for item in section["items"]:
                if item["key"] != error_key:
                    item["html"] = writer.html(item)
