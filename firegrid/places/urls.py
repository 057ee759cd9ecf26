from django.urls import include, path

# Page URLs of the place registry, one module per area so they can grow apart.
urlpatterns = [
    path("", include("firegrid.places.urls_pages")),
    path("", include("firegrid.places.urls_ledger")),
]
