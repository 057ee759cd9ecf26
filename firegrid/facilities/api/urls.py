from django.urls import path
from rest_framework.routers import DefaultRouter

from firegrid.facilities.api import views

# Everything under /api/v1/facilities/. Facility ids are digits, so facilities/plans/ and the other
# fixed paths never reach the facility detail route. Route names follow DRF (facility-list,
# facility-detail, facility-geojson: the name the command view's map layer asks for).
router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("facilities/checks", views.FacilityCheckViewSet, basename="facility-check")
router.register("facilities/plans", views.ConstructionPlanViewSet, basename="facility-plan")
router.register("facilities/policies", views.AncientTownPolicyViewSet, basename="facility-policy")
router.register("facilities/rulesets", views.FacilityRuleSetViewSet, basename="facility-ruleset")
router.register("facilities", views.FacilityViewSet, basename="facility")

urlpatterns = [
    path("facilities/coverage/", views.CoverageView.as_view(), name="facility-coverage"),
    path(
        "facilities/coverage/geojson/", views.CoverageGeoJSONView.as_view(), name="facility-coverage-geojson"
    ),
    path("facilities/compliance/", views.ComplianceView.as_view(), name="facility-compliance"),
    path("facilities/ledger/import/", views.LedgerImportView.as_view(), name="facility-ledger-import"),
    path("facilities/ledger/export/", views.LedgerExportView.as_view(), name="facility-ledger-export"),
    *router.urls,
]
