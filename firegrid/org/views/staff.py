"""Staff pages: people who sign in, their role assignments and qualifications (htmx sections)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from firegrid.core import views as scoped
from firegrid.org.forms import QualificationForm, RoleAssignmentForm, StaffCreateForm, StaffFilter, StaffForm
from firegrid.org.models import OrgUnit, Qualification, Region, RoleAssignment, User
from firegrid.org.views.base import FilteredListMixin, FormTitleMixin, SectionView

ROLE_PREFIX = "role"
QUALIFICATION_PREFIX = "qualification"


class StaffMixin:
    model = User
    context_object_name = "person"  # "user" is the signed-in user in every template
    detail_url_name = "staff-detail"
    list_url_name = "staff-list"


class StaffListView(StaffMixin, FilteredListMixin, scoped.ScopedListView):
    filterset_class = StaffFilter
    template_name = "org/staff_list.html"
    context_object_name = "people"

    def get_queryset(self):
        return super().get_queryset().select_related("org_unit").prefetch_related("role_assignments")


class StaffDetailView(StaffMixin, scoped.ScopedDetailView):
    template_name = "org/staff_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person, user, editable = self.object, self.request.user, context["can_change"]
        context |= roles_context(person, user, editable)
        return context | qualifications_context(person, user, editable)


class StaffCreateView(StaffMixin, FormTitleMixin, scoped.ScopedCreateView):
    form_class = StaffCreateForm
    template_name = "org/form.html"


class StaffUpdateView(StaffMixin, FormTitleMixin, scoped.ScopedUpdateView):
    form_class = StaffForm
    template_name = "org/form.html"


class StaffHistoryView(StaffMixin, scoped.HistoryView):
    pass


# ---- role assignments ----------------------------------------------------------------------

def roles_context(person, user, editable, **extra):
    context = {
        "person": person,
        "assignments": person.role_assignments.select_related("region", "unit"),
        "can_change": editable,
    }
    if editable and "role_form" not in extra:
        context["role_form"] = RoleAssignmentForm(
            user=user, instance=RoleAssignment(user=person), prefix=ROLE_PREFIX
        )
    return context | extra


class StaffSectionView(SectionView):
    parent_model = User

    def parent_url(self, parent):
        return reverse("staff-detail", args=[parent.pk])


class RolesSectionView(StaffSectionView):
    """GET: the roles section; POST: assign a role. Model rules (qualification, street) are form errors."""

    section_template = "org/partials/roles.html"

    def section_context(self, parent, **extra):
        return roles_context(parent, self.request.user, editable=True, **extra)

    def post(self, request, pk):
        person = self.get_parent()
        form = RoleAssignmentForm(request.POST, user=request.user, instance=RoleAssignment(user=person),
                                  prefix=ROLE_PREFIX)
        if self.save_form(form):
            return self.done(person, _("Role assigned."))
        return self.render_section(person, role_form=form)


class RoleDeleteView(RolesSectionView):
    http_method_names = ["post"]

    def post(self, request, pk, role_pk):
        person = self.get_parent()
        user = request.user
        # Only assignments whose region and unit the user may write to; a role elsewhere stays.
        regions = Region.objects.restrict(user, "change").values("pk")
        units = OrgUnit.objects.restrict(user, "change").values("pk")
        removable = person.role_assignments.filter(
            Q(region__isnull=True) | Q(region__in=regions), Q(unit__isnull=True) | Q(unit__in=units)
        )
        get_object_or_404(removable, pk=role_pk).delete()
        return self.done(person, _("Role removed."))


# ---- qualifications ------------------------------------------------------------------------

def qualifications_context(person, user, editable, **extra):
    context = {"person": person, "qualifications": person.qualifications.all(), "can_change": editable}
    if editable and "qualification_form" not in extra:
        context["qualification_form"] = QualificationForm(user=user, prefix=QUALIFICATION_PREFIX)
    return context | extra


class QualificationsSectionView(StaffSectionView):
    """GET: the qualifications section; POST: record a qualification."""

    section_template = "org/partials/qualifications.html"

    def section_context(self, parent, **extra):
        return qualifications_context(parent, self.request.user, editable=True, **extra)

    def post(self, request, pk):
        person = self.get_parent()
        form = QualificationForm(request.POST, user=request.user, instance=Qualification(user=person),
                                 prefix=QUALIFICATION_PREFIX)
        if self.save_form(form):
            return self.done(person, _("Qualification recorded."))
        return self.render_section(person, qualification_form=form)


class QualificationDeleteView(QualificationsSectionView):
    http_method_names = ["post"]

    def post(self, request, pk, qualification_pk):
        person = self.get_parent()
        get_object_or_404(person.qualifications.all(), pk=qualification_pk).delete()
        return self.done(person, _("Qualification removed."))
