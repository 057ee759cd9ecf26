from django.urls import path

from firegrid.tasks import views, views_incidents, views_oversight, views_scores

app_name = "tasks"

urlpatterns = [
    path("tasks/", views.TaskListView.as_view(), name="list"),
    path("tasks/new/", views.TaskCreateView.as_view(), name="new"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="detail"),
    path("tasks/<int:pk>/edit/", views.TaskUpdateView.as_view(), name="edit"),
    path("tasks/<int:pk>/history/", views.TaskHistoryView.as_view(), name="history"),
    path("tasks/<int:pk>/report/", views.ReportView.as_view(), name="report"),
    path("tasks/<int:pk>/milestones/", views.MilestoneAddView.as_view(), name="milestone-add"),
    path("tasks/evidence/<int:pk>/", views.EvidenceView.as_view(), name="evidence"),
    path("tasks/review/", views.ReviewView.as_view(), name="review"),
    path("tasks/units/", views.UnitListView.as_view(), name="units"),
    path("tasks/units/<int:pk>/", views.UnitTasksView.as_view(), name="unit"),
    path("tasks/duties/", views_oversight.DutyListView.as_view(), name="duties"),
    path("tasks/duties/<int:pk>/", views_oversight.DutyDetailView.as_view(), name="duty"),
    path("tasks/supervision/", views_oversight.SupervisionListView.as_view(), name="supervisions"),
    path("tasks/supervision/new/", views_oversight.SupervisionCreateView.as_view(), name="supervision-new"),
    path("tasks/supervision/<int:pk>/", views_oversight.SupervisionDetailView.as_view(), name="supervision"),
    path(
        "tasks/supervision/<int:pk>/respond/",
        views_oversight.SupervisionStepView.as_view(step="respond"),
        name="supervision-respond",
    ),
    path(
        "tasks/supervision/<int:pk>/close/",
        views_oversight.SupervisionStepView.as_view(step="close"),
        name="supervision-close",
    ),
    path("tasks/scores/", views_scores.ScoresView.as_view(), name="scores"),
    path("tasks/scores/export.xlsx", views_scores.ScoresExportView.as_view(), name="scores-xlsx"),
    path("tasks/schemes/", views_scores.SchemeListView.as_view(), name="schemes"),
    path("tasks/schemes/new/", views_scores.SchemeCreateView.as_view(), name="scheme-new"),
    path("tasks/schemes/<int:pk>/", views_scores.SchemeDetailView.as_view(), name="scheme"),
    path("tasks/incidents/", views_incidents.IncidentListView.as_view(), name="incidents"),
    path("tasks/incidents/new/", views_incidents.IncidentCreateView.as_view(), name="incident-new"),
    path("tasks/incidents/<int:pk>/", views_incidents.IncidentDetailView.as_view(), name="incident"),
    path(
        "tasks/incidents/<int:pk>/edit/", views_incidents.IncidentUpdateView.as_view(), name="incident-edit"
    ),
    path("tasks/incidents/<int:pk>/traceback/", views_incidents.TracebackView.as_view(), name="traceback"),
    path(
        "tasks/incidents/<int:pk>/traceback.pdf",
        views_incidents.TracebackPdfView.as_view(),
        name="traceback-pdf",
    ),
    path("tasks/targets/new/", views_incidents.TargetCreateView.as_view(), name="target-new"),
]
