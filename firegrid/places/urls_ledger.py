from django.urls import path

from firegrid.places import views_ledger as views

urlpatterns = [
    path("places/ledger/", views.ledger_home, name="place-ledger"),
    path("places/ledger/template.xlsx", views.template_download, name="place-template"),
    path("places/ledger/import/", views.PlaceImportView.as_view(), name="place-import"),
    path("places/ledger/export.xlsx", views.export, name="place-export"),
]
