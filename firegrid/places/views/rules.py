"""Grading rules: the rule set in force as a readable table, its versions, and the admin's editor."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import ngettext
from django.views import generic

from firegrid.core import views as scoped
from firegrid.places import actions
from firegrid.places.forms import RuleSetForm, document_text, next_version
from firegrid.places.models import GradingRuleSet


def _rules_context(ruleset, user):
    document = ruleset.document if ruleset else {}
    return {
        "ruleset": ruleset,
        "rules": document.get("rules", []),
        "flags": document.get("flags", {}),
        "defaults": document.get("defaults", {}),
        "versions": GradingRuleSet.objects.restrict(user).select_related("created_by")[:100],
        "can_edit": scoped.may_write(user, GradingRuleSet, "add"),
    }


class RuleSetActiveView(LoginRequiredMixin, generic.TemplateView):
    """The rule set in force. Users whose scope has no rule sets get a 404."""

    template_name = "places/rules.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        visible = GradingRuleSet.objects.restrict(user)
        ruleset = visible.filter(is_active=True).first()
        can_edit = scoped.may_write(user, GradingRuleSet, "add")
        if ruleset is None and not can_edit and not visible.exists():
            raise Http404
        return super().get_context_data(**kwargs) | _rules_context(ruleset, user)


class RuleSetDetailView(scoped.ScopedDetailView):
    """One version of the rules, as it was stored."""

    model = GradingRuleSet
    template_name = "places/rules.html"
    context_object_name = "ruleset"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | _rules_context(self.object, self.request.user)


class RuleSetEditView(LoginRequiredMixin, generic.FormView):
    """The district admin edits the rules as JSON; saving makes a new version and regrades."""

    form_class = RuleSetForm
    template_name = "places/rules_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scoped.may_write(request.user, GradingRuleSet, "add"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        active = GradingRuleSet.active()
        if active is None:
            return {"document": document_text(actions.read_rules_file())}
        document = dict(active.document)
        document["version"] = next_version(str(document.get("version", active.version)))
        return {"document": document_text(document)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"active": GradingRuleSet.active()}

    def form_valid(self, form):
        try:
            with transaction.atomic():
                ruleset, changed = actions.new_ruleset_version(
                    form.cleaned_data["document"], actor=self.request.user
                )
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for key, texts in problems.items():
                for text in texts:
                    # a field of the rule set other than the document: name it
                    shown = text if key in ("", "document", NON_FIELD_ERRORS) else f"{key}: {text}"
                    form.add_error("document", shown)
            return self.form_invalid(form)
        messages.success(self.request, ngettext(
            "Rules %(version)s are in force; %(n)s place changed grade.",
            "Rules %(version)s are in force; %(n)s places changed grade.",
            changed,
        ) % {"version": ruleset.version, "n": changed})
        return redirect("ruleset-active")
