from django.urls import path
from rest_framework.routers import DefaultRouter

from firegrid.tasks.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("tasks/reports", views.ProgressReportViewSet, basename="task-report")
router.register("tasks/duties", views.DutyViewSet, basename="task-duty")
router.register("tasks/responsibilities", views.ResponsibilityViewSet, basename="task-responsibility")
router.register("tasks/supervisions", views.SupervisionViewSet, basename="task-supervision")
router.register("tasks/incidents", views.FireIncidentViewSet, basename="task-incident")
router.register("tasks/targets", views.IncidentTargetViewSet, basename="task-target")
router.register("tasks/schemes", views.ScoreSchemeViewSet, basename="task-scheme")
router.register("tasks", views.KeyTaskViewSet, basename="task")

urlpatterns = [
    path("tasks/scores/", views.ScoresView.as_view(), name="task-scores"),
    path("tasks/scores/export/", views.ScoresExportView.as_view(), name="task-scores-export"),
    path("tasks/review/", views.ReviewView.as_view(), name="task-review"),
    *router.urls,
]
