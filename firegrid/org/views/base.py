"""Shared pieces of the organisation pages: prefilled forms and htmx page sections."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from firegrid.core.views import object_url


class InitialFromQueryMixin:
    """Prefills a form from the query string (?parent=T501, ?kind=fire_team).

    Create pages take it as plain links ("add a grid here"); the unit form re-renders itself through
    htmx with the chosen kind, which shows the fields of that kind.
    """

    def get_initial(self):
        initial = super().get_initial()
        if self.request.method == "GET" and (self.object is None or self.request.htmx):
            for key in self.request.GET:
                values = self.request.GET.getlist(key)
                initial[key] = values if len(values) > 1 else values[0]
        return initial


class FormTitleMixin:
    """Title and cancel link of a create/edit page."""

    form_title = ""
    list_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object and self.object.pk:
            title = _("Edit %(name)s") % {"name": self.object}
            cancel_url = object_url(self.object, self.detail_url_name)
        else:
            title = self.form_title or _("New %(kind)s") % {"kind": self.model._meta.verbose_name}
            cancel_url = reverse(self.list_url_name or "home")
        return context | {"form_title": title, "cancel_url": cancel_url}


class SectionView(LoginRequiredMixin, View):
    """A part of an object page (members, roles, qualifications) that changes in place with htmx.

    The parent object comes from `parent_model.objects.restrict(user, "change")`, so only someone who
    may change it sees or posts here. Every answer is the whole section, re-rendered; without htmx
    the section is shown on a page of its own, and a success redirects to the parent page.
    """

    parent_model = None
    section_template = None
    http_method_names = ["get", "post"]

    def get_parent(self):
        return get_object_or_404(self.parent_model.objects.restrict(self.request.user, "change"),
                                 pk=self.kwargs["pk"])

    def section_context(self, parent, **extra):
        raise NotImplementedError

    def parent_url(self, parent):
        raise NotImplementedError

    def render_section(self, parent, **extra):
        context = self.section_context(parent, **extra) | {"can_change": True}
        if self.request.htmx:
            return render(self.request, self.section_template, context)
        return render(self.request, "org/section_page.html",
                      context | {"section_template": self.section_template, "parent": parent,
                                 "parent_url": self.parent_url(parent)})

    def done(self, parent, message):
        if self.request.htmx:
            return self.render_section(parent, notice=message)
        messages.success(self.request, message)
        return HttpResponseRedirect(self.parent_url(parent))

    def save_form(self, form):
        """Save; a model rule or constraint raised by save() becomes a form error. True if saved."""
        if not form.is_valid():
            return False
        try:
            with transaction.atomic():
                form.save()
        except ValidationError as exc:
            form.add_error(None, exc)
            return False
        except IntegrityError:
            form.add_error(None, _("This clashes with an existing record."))
            return False
        return True

    def get(self, request, *args, **kwargs):
        return self.render_section(self.get_parent())


class FilteredListMixin:
    """A list narrowed by a django-filter FilterSet whose form is shown above it."""

    filterset_class = None

    def get_queryset(self):
        self.filterset = self.filterset_class(self.request.GET or None, queryset=super().get_queryset(),
                                              request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"filter": self.filterset}
