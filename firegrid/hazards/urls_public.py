"""Public hazard pages, no login: report a hazard, follow it by its tracking code."""

from django.urls import path

from firegrid.hazards import public_views

urlpatterns = [
    path("report/", public_views.report_form, name="portal-report"),
    path("track/", public_views.track_lookup, name="portal-track-lookup"),
    path("track/<str:code>/", public_views.track, name="portal-track"),
    path("track/<str:code>/photo/<int:pk>/", public_views.track_photo, name="portal-photo"),
]
