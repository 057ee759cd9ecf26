from django.urls import include, path

from firegrid.inspections import public_views

urlpatterns = [
    path("public/draws/", public_views.draw_list, name="public-draws"),
    path("public/draws/<int:pk>/", public_views.draw_detail, name="public-draw"),
    path("public/draws/<int:pk>/record.json", public_views.draw_record, name="public-draw-record"),
    path("", include("firegrid.inspections.urls_pages")),
]
