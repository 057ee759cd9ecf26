from django.urls import path

from firegrid.fieldapp import views

urlpatterns = [
    path("sw.js", views.service_worker, name="field-sw"),
    path("manifest.webmanifest", views.manifest, name="field-manifest"),
    path("field/", views.app, name="field-app"),
    path("field/api/today/", views.today, name="field-today"),
    path("field/api/sync/", views.sync_endpoint, name="field-sync"),
]
