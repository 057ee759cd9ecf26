from django.urls import path

from firegrid.places.views import places, public, rules

urlpatterns = [
    # places
    path("places/", places.PlaceListView.as_view(), name="place-list"),
    path("places/new/", places.PlaceCreateView.as_view(), name="place-create"),
    path("places/<int:pk>/", places.PlaceDetailView.as_view(), name="place-detail"),
    path("places/<int:pk>/edit/", places.PlaceUpdateView.as_view(), name="place-edit"),
    path("places/<int:pk>/history/", places.PlaceHistoryView.as_view(), name="place-history"),
    path("places/<int:pk>/sign.pdf", places.PlaceSignView.as_view(), name="place-sign"),
    # grading rules
    path("places/rules/", rules.RuleSetActiveView.as_view(), name="ruleset-active"),
    path("places/rules/edit/", rules.RuleSetEditView.as_view(), name="ruleset-edit"),
    path("places/rules/<int:pk>/", rules.RuleSetDetailView.as_view(), name="ruleset-detail"),
    # public: the page behind a place's code ("一码") and its QR
    path("q/<str:code>/", public.place_public, name="place-public"),
    path("q/<str:code>/qr.svg", public.place_qr_svg, name="place-qr-svg"),
    path("q/<str:code>/qr.png", public.place_qr_png, name="place-qr-png"),
]
