from django.urls import path

from firegrid.facilities import views, views_ledger, views_plans

# Staff pages under their own namespace; the API's route names (facility-list, facility-geojson…)
# are the DRF router's.
app_name = "facilities"

urlpatterns = [
    path("facilities/", views.FacilityListView.as_view(), name="list"),
    path("facilities/new/", views.FacilityCreateView.as_view(), name="new"),
    path("facilities/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("facilities/compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("facilities/<int:pk>/", views.FacilityDetailView.as_view(), name="detail"),
    path("facilities/<int:pk>/edit/", views.FacilityUpdateView.as_view(), name="edit"),
    path("facilities/<int:pk>/survey/", views.SurveyView.as_view(), name="survey"),
    path("facilities/<int:pk>/history/", views.FacilityHistoryView.as_view(), name="history"),
    path("facilities/checks/<int:pk>/photo/", views.CheckPhotoView.as_view(), name="check-photo"),
    # annual construction plans and their evaluations
    path("facilities/plans/", views_plans.PlanListView.as_view(), name="plans"),
    path("facilities/plans/new/", views_plans.PlanCreateView.as_view(), name="plan-new"),
    path("facilities/plans/<int:pk>/", views_plans.PlanDetailView.as_view(), name="plan"),
    path("facilities/plans/<int:pk>/edit/", views_plans.PlanUpdateView.as_view(), name="plan-edit"),
    path("facilities/plans/<int:pk>/evaluate/", views_plans.PlanEvaluateView.as_view(), name="plan-evaluate"),
    # 一镇一策 / 一村一策
    path("facilities/policies/", views_plans.PolicyListView.as_view(), name="policies"),
    path("facilities/policies/new/", views_plans.PolicyCreateView.as_view(), name="policy-new"),
    path("facilities/policies/<int:pk>/", views_plans.PolicyDetailView.as_view(), name="policy"),
    path("facilities/policies/<int:pk>/edit/", views_plans.PolicyUpdateView.as_view(), name="policy-edit"),
    path("facilities/policies/<int:pk>/file/", views_plans.PolicyFileView.as_view(), name="policy-file"),
    # the Excel ledger
    path("facilities/ledger/", views_ledger.ledger_home, name="ledger"),
    path("facilities/ledger/template.xlsx", views_ledger.template_download, name="ledger-template"),
    path("facilities/ledger/import/", views_ledger.ImportView.as_view(), name="ledger-import"),
    path("facilities/ledger/export.xlsx", views_ledger.export, name="ledger-export"),
]
