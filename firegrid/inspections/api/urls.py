from rest_framework.routers import DefaultRouter

from firegrid.inspections.api import draws, views

router = DefaultRouter()
router.register("checklists", views.ChecklistVersionViewSet, basename="checklistversion")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("draws", draws.RandomDrawViewSet, basename="randomdraw")
router.register("hazard-records", views.HazardRecordViewSet, basename="hazardrecord")

urlpatterns = router.urls
