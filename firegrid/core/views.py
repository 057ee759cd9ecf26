"""Base page views: the jurisdiction is applied here once, so no page builds an unscoped lookup."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.db.models import ProtectedError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import generic

from firegrid.core import audit


class ScopedMixin(LoginRequiredMixin):
    """Lists and details see model.objects.restrict(user, action); anything else is a 404."""

    model = None
    scope_action = "view"

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, self.scope_action)


class ScopedListView(ScopedMixin, generic.ListView):
    paginate_by = 50


class ScopedDetailView(ScopedMixin, generic.DetailView):
    pass


class ScopedCreateView(LoginRequiredMixin, generic.CreateView):
    """Forms receive the user so their choice fields are scoped too."""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Saved."))
        return response


class ScopedUpdateView(ScopedMixin, generic.UpdateView):
    scope_action = "change"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Saved."))
        return response


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    scope_action = "delete"
    template_name = "core/confirm_delete.html"

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, _("This cannot be deleted while other records depend on it."))
            return redirect(self.object.get_absolute_url())


class HistoryView(ScopedDetailView):
    template_name = "core/history.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"events": audit.history_for(self.object)[:200]}


def healthz(request):
    """Liveness and database status for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception as exc:  # noqa: BLE001 - any database failure is reported, not raised
        db = f"error: {exc.__class__.__name__}"
    healthy = db == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": db, "vendor": connection.vendor},
        status=200 if healthy else 503,
    )
