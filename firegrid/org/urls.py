from django.urls import path

from firegrid.org.views import areas, compliance, regions, staff, units
from firegrid.org.views.dashboard import home, portal_manager

urlpatterns = [
    path("", home, name="home"),
    # public: the page behind the QR code of a fire manager's display card
    path("p/manager/<str:token>/", portal_manager, name="portal-manager"),
    # regions
    path("regions/", regions.RegionTreeView.as_view(), name="region-list"),
    path("regions/new/", regions.RegionCreateView.as_view(), name="region-create"),
    path("regions/<int:pk>/", regions.RegionDetailView.as_view(), name="region-detail"),
    path("regions/<int:pk>/children/", regions.RegionChildrenView.as_view(), name="region-children"),
    path("regions/<int:pk>/edit/", regions.RegionUpdateView.as_view(), name="region-edit"),
    path("regions/<int:pk>/delete/", regions.RegionDeleteView.as_view(), name="region-delete"),
    path("regions/<int:pk>/history/", regions.RegionHistoryView.as_view(), name="region-history"),
    # compliance
    path("compliance/", compliance.ComplianceView.as_view(), name="compliance"),
    path("compliance/<int:pk>/", compliance.StreetComplianceView.as_view(), name="compliance-street"),
    # org units and their members
    path("org/units/", units.UnitListView.as_view(), name="unit-list"),
    path("org/units/new/", units.UnitCreateView.as_view(), name="unit-create"),
    path("org/units/<int:pk>/", units.UnitDetailView.as_view(), name="unit-detail"),
    path("org/units/<int:pk>/edit/", units.UnitUpdateView.as_view(), name="unit-edit"),
    path("org/units/<int:pk>/delete/", units.UnitDeleteView.as_view(), name="unit-delete"),
    path("org/units/<int:pk>/history/", units.UnitHistoryView.as_view(), name="unit-history"),
    path("org/units/<int:pk>/members/", units.MembersSectionView.as_view(), name="member-add"),
    path("org/units/<int:pk>/members/<int:member_pk>/edit/", units.MemberEditView.as_view(),
         name="member-edit"),
    path("org/units/<int:pk>/members/<int:member_pk>/delete/", units.MemberDeleteView.as_view(),
         name="member-delete"),
    # staff, roles, qualifications
    path("org/staff/", staff.StaffListView.as_view(), name="staff-list"),
    path("org/staff/new/", staff.StaffCreateView.as_view(), name="staff-create"),
    path("org/staff/<int:pk>/", staff.StaffDetailView.as_view(), name="staff-detail"),
    path("org/staff/<int:pk>/edit/", staff.StaffUpdateView.as_view(), name="staff-edit"),
    path("org/staff/<int:pk>/history/", staff.StaffHistoryView.as_view(), name="staff-history"),
    path("org/staff/<int:pk>/roles/", staff.RolesSectionView.as_view(), name="role-add"),
    path("org/staff/<int:pk>/roles/<int:role_pk>/delete/", staff.RoleDeleteView.as_view(),
         name="role-delete"),
    path("org/staff/<int:pk>/qualifications/", staff.QualificationsSectionView.as_view(),
         name="qualification-add"),
    path("org/staff/<int:pk>/qualifications/<int:qualification_pk>/delete/",
         staff.QualificationDeleteView.as_view(), name="qualification-delete"),
    # residential areas, fire managers, display cards
    path("org/areas/", areas.AreaListView.as_view(), name="area-list"),
    path("org/areas/new/", areas.AreaCreateView.as_view(), name="area-create"),
    path("org/areas/<int:pk>/", areas.AreaDetailView.as_view(), name="area-detail"),
    path("org/areas/<int:pk>/edit/", areas.AreaUpdateView.as_view(), name="area-edit"),
    path("org/areas/<int:pk>/delete/", areas.AreaDeleteView.as_view(), name="area-delete"),
    path("org/areas/<int:pk>/history/", areas.AreaHistoryView.as_view(), name="area-history"),
    path("org/areas/<int:pk>/card.pdf", areas.ManagerCardView.as_view(), name="area-card"),
    path("org/areas/<int:area_pk>/manager/new/", areas.ManagerCreateView.as_view(), name="manager-create"),
    path("org/managers/", areas.ManagerListView.as_view(), name="manager-list"),
    path("org/managers/<int:pk>/", areas.ManagerDetailView.as_view(), name="manager-detail"),
    path("org/managers/<int:pk>/edit/", areas.ManagerUpdateView.as_view(), name="manager-edit"),
    path("org/managers/<int:pk>/delete/", areas.ManagerDeleteView.as_view(), name="manager-delete"),
    path("org/managers/<int:pk>/history/", areas.ManagerHistoryView.as_view(), name="manager-history"),
]
