from django.urls import path

from firegrid.dashboard import map_views

urlpatterns = [path("map/", map_views.MapView.as_view(), name="map")]
api_urlpatterns = [
    path("map/grids/", map_views.MapGridsAPIView.as_view(), name="api-map-grids"),
    path("map/hazards/", map_views.MapHazardsAPIView.as_view(), name="api-map-hazards"),
    path("map/devices/", map_views.MapDevicesAPIView.as_view(), name="api-map-devices"),
]
