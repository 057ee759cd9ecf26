"""Public hazard pages, no login: report a hazard, follow it by its tracking code."""

from django.urls import path

from firegrid.hazards import public_views, suggest
from firegrid.hazards.views import reporter

urlpatterns = [
    path("report/", public_views.report_form, name="portal-report"),
    path("track/", public_views.track_lookup, name="portal-track-lookup"),
    path("track/<str:code>/", public_views.track, name="portal-track"),
    path("track/<str:code>/photo/<int:pk>/", public_views.track_photo, name="portal-photo"),
    path("report/nearby/", reporter.public_nearby, name="portal-nearby"),
    path("report/suggest/", suggest.suggest_category, name="portal-suggest"),
    path("report/me-too/<int:pk>/", reporter.me_too, name="portal-me-too"),
    path("track/<str:code>/add/", reporter.add_information, name="portal-track-add"),
    path("track/<str:code>/not-fixed/", reporter.not_fixed, name="portal-not-fixed"),
]
