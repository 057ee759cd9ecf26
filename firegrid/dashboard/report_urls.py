from django.urls import path

from firegrid.dashboard import report_views as views

urlpatterns = [
    path("reports/", views.index, name="reports"),
    path("reports/assessment/<int:year>.pdf", views.assessment_pdf, name="report-assessment-pdf"),
    path("reports/assessment/<int:year>.xlsx", views.assessment_xlsx, name="report-assessment-xlsx"),
    path("reports/ledgers/<slug:name>.xlsx", views.ledger_xlsx, name="report-ledger"),
    path("reports/exchange/export.json", views.export_json, name="report-exchange-export"),
    path("reports/exchange/import/", views.import_page, name="report-exchange-import"),
]
api_urlpatterns = [
    path("exchange/export/", views.ExchangeExportAPIView.as_view(), name="api-exchange-export"),
    path("exchange/import/", views.ExchangeImportAPIView.as_view(), name="api-exchange-import"),
]
