from rest_framework.routers import DefaultRouter

from firegrid.hazards.api import views

router = DefaultRouter()
router.register("hazards", views.HazardCaseViewSet, basename="hazardcase")
router.register("hazard-categories", views.HazardCategoryViewSet, basename="hazardcategory")

urlpatterns = router.urls
