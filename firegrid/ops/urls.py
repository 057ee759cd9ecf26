from django.urls import path

from firegrid.ops import views

app_name = "ops"

urlpatterns = [
    path("exports/", views.export_list, name="exports"),
    path("exports/<uuid:pk>/", views.export_detail, name="export"),
    path("exports/<uuid:pk>/progress/", views.export_progress, name="export-progress"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export-download"),
]
