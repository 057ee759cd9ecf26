"""Open311 GeoReport v2 under /open311/v2/: every resource as .xml (the spec's required format) or .json."""

from django.urls import re_path

from firegrid.hazards.open311 import views

FORMAT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^v2/discovery" + FORMAT, views.discovery, name="open311-discovery"),
    re_path(r"^v2/services" + FORMAT, views.services, name="open311-services"),
    re_path(r"^v2/services/(?P<code>[-\w]+)" + FORMAT, views.service_definition, name="open311-service"),
    re_path(r"^v2/requests" + FORMAT, views.requests, name="open311-requests"),
    re_path(r"^v2/requests/(?P<request_id>[-\w]+)" + FORMAT, views.request_detail, name="open311-request"),
    re_path(r"^v2/tokens/(?P<token>[-\w]+)" + FORMAT, views.token, name="open311-token"),
    re_path(r"^v2/(?P<rest>.*)$", views.not_found, name="open311-not-found"),
]
