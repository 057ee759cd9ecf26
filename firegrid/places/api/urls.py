from django.urls import include, path
from rest_framework.routers import DefaultRouter

from firegrid.places.api import views

router = DefaultRouter()
router.register("places", views.PlaceViewSet, basename="place")
router.register("grading-rulesets", views.GradingRuleSetViewSet, basename="gradingruleset")

# the ledger's places/import/ and places/export/ come before the router's places/<pk>/
urlpatterns = [path("places/", include("firegrid.places.api.ledger")), *router.urls]
