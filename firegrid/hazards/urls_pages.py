from django.urls import path

from firegrid.hazards.views import cases, documents, reporter, steps

# Staff pages under their own namespace: the API and the public portal use their own names.
app_name = "hazards"

urlpatterns = [
    path("hazards/", cases.CaseListView.as_view(), name="list"),
    path("hazards/new/", cases.CaseCreateView.as_view(), name="new"),
    path("hazards/nearby/", reporter.staff_nearby, name="nearby"),
    path("hazards/ledger.xlsx", documents.ledger_xlsx, name="ledger"),
    path("hazards/<int:pk>/", cases.CaseDetailView.as_view(), name="detail"),
    path("hazards/<int:pk>/notice.pdf", documents.notice_pdf, name="notice"),
    path("hazards/<int:pk>/files/<int:file_pk>/", cases.AttachmentView.as_view(), name="file"),
    path("hazards/<int:pk>/<slug:step>/", steps.StepView.as_view(), name="step"),
]
