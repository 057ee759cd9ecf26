"""The hex frame decoder page for field engineers (staff only)."""

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.views import generic

from firegrid.core.scoping import user_scope
from firegrid.hazards.models import STAFF_ROLES
from firegrid.iot.gb26875.explain import REASONS, BadHex, explain, parse_hex


def is_staff(user):
    scope = user_scope(user)
    return user.is_staff or scope.superuser or bool(scope.roles & STAFF_ROLES)


class DecodeView(LoginRequiredMixin, UserPassesTestMixin, generic.TemplateView):
    """GET shows the form; POST (or ?hex= for a link from a log line) shows every decoded field."""

    template_name = "iot/gb26875_decode.html"
    raise_exception = False

    def test_func(self):
        return is_staff(self.request.user)

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()

    def decode(self, text):
        context = {"hex": text}
        if text:
            try:
                entries = explain(parse_hex(text))
            except BadHex as exc:
                context["error"] = str(exc)
            else:
                for entry in entries:
                    entry["reason_text"] = REASONS.get(entry.get("reason"), entry.get("reason"))
                context["entries"] = entries
        return context

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.decode(request.GET.get("hex", "")[:200000]))

    def post(self, request, *args, **kwargs):
        return self.render_to_response(self.decode(request.POST.get("hex", "")[:200000]))
