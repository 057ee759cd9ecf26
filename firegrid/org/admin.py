from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from firegrid.core.admin import ScopedAdmin
from firegrid.org.models import (
    FireManager,
    OrgMember,
    OrgUnit,
    Qualification,
    Region,
    ResidentialArea,
    RoleAssignment,
    User,
)


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "is_ancient_town"]
    list_filter = ["level", "kind", "is_ancient_town"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path"]


class OrgMemberInline(admin.TabularInline):
    model = OrgMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "region", "team_type", "is_active"]
    list_filter = ["kind", "team_type", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["region", "residential_area"]
    filter_horizontal = ["covered_regions"]
    inlines = [OrgMemberInline]


class FireManagerInline(admin.StackedInline):
    model = FireManager
    extra = 0
    raw_id_fields = ["user"]


@admin.register(ResidentialArea)
class ResidentialAreaAdmin(ScopedAdmin):
    list_display = ["name", "kind", "region", "built_year", "households"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    raw_id_fields = ["region"]
    inlines = [FireManagerInline]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["region", "unit"]


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("firegrid"), {"fields": ["full_name", "phone", "org_unit"]}),
    ]
    list_display = ["username", "full_name", "org_unit", "is_active", "is_staff"]
    raw_id_fields = ["org_unit"]
    inlines = [RoleAssignmentInline, QualificationInline]

    def get_queryset(self, request):
        return User.objects.restrict(request.user, "view")
