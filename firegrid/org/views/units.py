"""Organisation unit pages, with the members of a unit edited in place (htmx sections)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _

from firegrid.core import views as scoped
from firegrid.org.forms import OrgMemberForm, OrgUnitFilter, OrgUnitForm
from firegrid.org.models import OrgMember, OrgUnit, User
from firegrid.org.views.base import FilteredListMixin, FormTitleMixin, InitialFromQueryMixin, SectionView

MEMBER_PREFIX = "member"


class UnitListView(FilteredListMixin, scoped.ScopedListView):
    model = OrgUnit
    filterset_class = OrgUnitFilter
    template_name = "org/unit_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region")


class UnitDetailView(scoped.ScopedDetailView):
    model = OrgUnit
    template_name = "org/unit_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "residential_area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        context |= members_context(unit, self.request.user, editable=context["can_change"])
        return context | {
            "covered_regions": unit.covered_regions.all(),
            "staff": User.objects.restrict(self.request.user).filter(org_unit=unit),
        }


class UnitFormMixin(InitialFromQueryMixin, FormTitleMixin):
    model = OrgUnit
    form_class = OrgUnitForm
    template_name = "org/unit_form.html"
    detail_url_name = "unit-detail"
    list_url_name = "unit-list"

    def get_initial(self):
        initial = super().get_initial()
        if self.request.htmx and "is_active" not in self.request.GET:
            initial["is_active"] = False  # an unticked box is absent from the re-rendered form's query
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # Choosing a kind re-renders the form with that kind's fields.
        form.fields["kind"].widget.attrs.update({
            "hx-get": self.request.path,
            "hx-trigger": "change",
            "hx-include": "closest form",
            "hx-select": "#object-form",
            "hx-target": "#object-form",
            "hx-swap": "outerHTML",
        })
        return form


class UnitCreateView(UnitFormMixin, scoped.ScopedCreateView):
    pass


class UnitUpdateView(UnitFormMixin, scoped.ScopedUpdateView):
    pass


class UnitDeleteView(scoped.ScopedDeleteView):
    model = OrgUnit
    detail_url_name = "unit-detail"
    success_url = reverse_lazy("unit-list")


class UnitHistoryView(scoped.HistoryView):
    model = OrgUnit
    detail_url_name = "unit-detail"


# ---- members, edited in place --------------------------------------------------------------

def members_context(unit, user, editable, **extra):
    context = {
        "unit": unit,
        "members": unit.members.select_related("user"),
        "can_change": editable,
    }
    if editable and "member_form" not in extra:
        context["member_form"] = OrgMemberForm(user=user, prefix=MEMBER_PREFIX)
    return context | extra


class MembersSectionView(SectionView):
    """GET: the members section; POST: add a member."""

    parent_model = OrgUnit
    section_template = "org/partials/members.html"

    def section_context(self, parent, **extra):
        return members_context(parent, self.request.user, editable=True, **extra)

    def parent_url(self, parent):
        return reverse("unit-detail", args=[parent.pk])

    def post(self, request, pk):
        unit = self.get_parent()
        form = OrgMemberForm(request.POST, user=request.user, instance=OrgMember(unit=unit),
                             prefix=MEMBER_PREFIX)
        if self.save_form(form):
            return self.done(unit, _("Member added."))
        return self.render_section(unit, member_form=form)


class MemberEditView(MembersSectionView):
    """GET: the section with one member's row as a form; POST: save it."""

    def get_member(self, unit):
        members = OrgMember.objects.restrict(self.request.user, "change").filter(unit=unit)
        return get_object_or_404(members, pk=self.kwargs["member_pk"])

    def form(self, member, data=None):
        return OrgMemberForm(data, user=self.request.user, instance=member, prefix=f"edit-{member.pk}")

    def get(self, request, pk, member_pk):
        unit = self.get_parent()
        member = self.get_member(unit)
        return self.render_section(unit, editing=member.pk, edit_form=self.form(member))

    def post(self, request, pk, member_pk):
        unit = self.get_parent()
        member = self.get_member(unit)
        form = self.form(member, request.POST)
        if self.save_form(form):
            return self.done(unit, _("Member saved."))
        return self.render_section(unit, editing=member.pk, edit_form=form)


class MemberDeleteView(MemberEditView):
    http_method_names = ["post"]

    def post(self, request, pk, member_pk):
        unit = self.get_parent()
        self.get_member(unit).delete()
        return self.done(unit, _("Member removed."))
