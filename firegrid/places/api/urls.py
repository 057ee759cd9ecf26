from rest_framework.routers import DefaultRouter

from firegrid.places.api import views

router = DefaultRouter()
router.register("places", views.PlaceViewSet, basename="place")
router.register("grading-rulesets", views.GradingRuleSetViewSet, basename="gradingruleset")

urlpatterns = router.urls
