from rest_framework.routers import DefaultRouter

from firegrid.org.api import views

router = DefaultRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("org-units", views.OrgUnitViewSet, basename="orgunit")
router.register("org-members", views.OrgMemberViewSet, basename="orgmember")
router.register("residential-areas", views.ResidentialAreaViewSet, basename="residentialarea")
router.register("fire-managers", views.FireManagerViewSet, basename="firemanager")
router.register("users", views.UserViewSet, basename="user")
router.register("role-assignments", views.RoleAssignmentViewSet, basename="roleassignment")
router.register("qualifications", views.QualificationViewSet, basename="qualification")

urlpatterns = router.urls
