"""Base page views: the jurisdiction is applied here once, so no page builds an unscoped lookup.

Reading goes through `Model.objects.restrict(user, "view")`, editing and deleting through
`restrict(user, "change"/"delete")`, so an object outside the user's jurisdiction is a 404. Create
and edit views also check after saving that the object still lies inside the user's writable scope
(a form cannot move a record out of reach), and turn model ValidationErrors raised by save() into
form errors instead of 500s.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from firegrid.core import audit
from firegrid.core.scoping import user_scope


def may_write(user, model, action="change"):
    """Whether the user holds any role that may add/change/delete rows of this model somewhere."""
    scope = user_scope(user)
    if scope.user_id is None:
        return False
    if scope.superuser:
        return True
    rules = getattr(model, "scope_rules", None)
    return rules is not None and bool(scope.grants_for(action, rules.write_roles))


def in_scope(user, obj, action="change"):
    return type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()


def object_url(obj, url_name=None):
    """The page of an object: a named URL taking its pk, or its get_absolute_url()."""
    if url_name:
        return reverse(url_name, args=[obj.pk])
    return obj.get_absolute_url()


class OutOfScope(Exception):
    """A save that would leave the object outside the user's jurisdiction."""


class ScopedMixin(LoginRequiredMixin):
    """Lists and details see model.objects.restrict(user, action); anything else is a 404."""

    model = None
    scope_action = "view"
    detail_url_name = None  # "<name>" of the detail page taking the pk, if the model has no get_absolute_url

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, self.scope_action)


class WriteAccessMixin:
    """Users without a writing role for the model get a 404, before any form is shown."""

    scope_action = "change"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_write(request.user, self.model, self.scope_action):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ScopedListView(ScopedMixin, generic.ListView):
    paginate_by = 50

    def get_context_data(self, **kwargs):
        can_add = may_write(self.request.user, self.model, "add")
        return super().get_context_data(**kwargs) | {"can_add": can_add}


class ScopedDetailView(ScopedMixin, generic.DetailView):
    """Adds can_change/can_delete so templates show edit buttons only to those who may use them."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        for action in ("change", "delete"):
            allowed = may_write(user, self.model, action) and in_scope(user, self.object, action)
            context[f"can_{action}"] = allowed
        return context


class ScopedFormMixin:
    """Saves in a transaction, rejects saves that leave the user's scope, shows model errors on the form."""

    success_message = None

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def get_success_url(self):
        if self.success_url is None and self.detail_url_name:
            return object_url(self.object, self.detail_url_name)
        return super().get_success_url()

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = form.save()
                if not in_scope(self.request.user, self.object, "change"):
                    raise OutOfScope
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        except OutOfScope:
            form.add_error(None, _("This would place the record outside your jurisdiction."))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message or _("Saved."))
        return HttpResponseRedirect(self.get_success_url())


class ScopedCreateView(LoginRequiredMixin, WriteAccessMixin, ScopedFormMixin, generic.CreateView):
    """Forms receive the user so their choice fields are scoped too."""

    scope_action = "add"
    detail_url_name = None


class ScopedUpdateView(ScopedMixin, ScopedFormMixin, generic.UpdateView):
    scope_action = "change"


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    scope_action = "delete"
    template_name = "core/confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return context | {"object_url": object_url(self.object, self.detail_url_name)}

    def form_valid(self, form):
        try:
            response = super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, _("This cannot be deleted while other records depend on it."))
            return redirect(object_url(self.object, self.detail_url_name))
        messages.success(self.request, _("Deleted."))
        return response


class HistoryView(ScopedDetailView):
    template_name = "core/history.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "events": audit.history_for(self.object)[:200],
            "object_url": object_url(self.object, self.detail_url_name),
            "verbose_name": self.model._meta.verbose_name,
        }


def ping(request):
    """A bare JSON endpoint with no database and no authentication: the benchmarks' baseline."""
    return JsonResponse({"ok": True})
