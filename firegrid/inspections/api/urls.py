from django.urls import path
from rest_framework.routers import DefaultRouter

from firegrid.inspections.api import draws, planning, views

router = DefaultRouter()
router.register("checklists", views.ChecklistVersionViewSet, basename="checklistversion")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("draws", draws.RandomDrawViewSet, basename="randomdraw")
router.register("plans", planning.InspectionPlanViewSet, basename="inspectionplan")
router.register("plan-items", planning.PlanItemViewSet, basename="planitem")
router.register("campaigns", planning.CampaignViewSet, basename="campaign")
router.register("hazard-records", views.HazardRecordViewSet, basename="hazardrecord")

urlpatterns = [path("coverage/", planning.CoverageView.as_view(), name="coverage"), *router.urls]
