from django.urls import path
from rest_framework.routers import DefaultRouter

from firegrid.outreach.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("outreach/sessions", views.SessionViewSet, basename="outreach-session")
router.register("outreach/attendance", views.AttendanceViewSet, basename="outreach-attendance")
router.register("outreach/certificates", views.CertificateViewSet, basename="outreach-certificate")
router.register("outreach/learning", views.LearningRecordViewSet, basename="outreach-learning")
router.register("outreach/households", views.HouseholdViewSet, basename="outreach-household")
router.register("outreach/visits", views.VisitViewSet, basename="outreach-visit")
router.register("outreach/devices", views.DeviceViewSet, basename="outreach-device")
router.register("outreach/volunteers", views.VolunteerViewSet, basename="outreach-volunteer")
router.register("outreach/activities", views.ActivityViewSet, basename="outreach-activity")
router.register("outreach/hours", views.HoursViewSet, basename="outreach-hours")
router.register("outreach/selections", views.SelectionViewSet, basename="outreach-selection")
router.register("outreach/sites", views.SiteViewSet, basename="outreach-site")
router.register("outreach/publicity", views.PublicityViewSet, basename="outreach-publicity")

urlpatterns = [
    path("outreach/survey-results/", views.SurveyResultsView.as_view(), name="outreach-survey-results"),
    path("outreach/export/<slug:name>/", views.ExportView.as_view(), name="outreach-export"),
    *router.urls,
]
