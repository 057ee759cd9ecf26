from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken

from firegrid.core import views as core_views
from firegrid.core.urlindex import indexed_path
from firegrid.dashboard import map_urls, report_urls
from firegrid.dashboard import urls as dashboard_urls
from firegrid.ops import endpoints as ops_endpoints

# Swagger UI with its start-up script served as a file (no inline script); its page and widgets carry
# inline styles, so this one view also allows those (Content-Security-Policy block in settings.py).
relax_styles = csp_update({"style-src": [UNSAFE_INLINE]})
api_docs = relax_styles(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

api_v1 = [
    path("auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("ping", core_views.ping, name="api-ping"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api_docs, name="api-docs"),
    path("", include("firegrid.org.api.urls")),
    path("", include("firegrid.places.api.urls")),
    path("", include("firegrid.inspections.api.urls")),
    path("", include("firegrid.hazards.api.urls")),
    path("", include("firegrid.iot.api.urls")),
    path("", include("firegrid.facilities.api.urls")),
    path("", include("firegrid.outreach.api.urls")),
    path("", include("firegrid.tasks.api.urls")),
    path("", include(dashboard_urls.api_urlpatterns)),
    path("", include(map_urls.api_urlpatterns)),
    path("", include(report_urls.api_urlpatterns)),
]

# the site's pages: its apps' urlconfs, mounted at the root as one include
pages = [
    path("", include("firegrid.places.urls")),
    path("", include("firegrid.inspections.urls")),
    path("", include("firegrid.org.urls")),
    path("open311/", include("firegrid.hazards.open311.urls")),
    path("", include("firegrid.hazards.urls_public")),
    path("", include("firegrid.hazards.urls_pages")),
    path("", include("firegrid.iot.urls_pages")),
    path("", include("firegrid.iot.gb26875.urls")),
    path("", include("firegrid.facilities.urls_pages")),
    path("", include("firegrid.outreach.urls_pages")),
    path("", include("firegrid.outreach.urls_public")),
    path("", include("firegrid.tasks.urls_pages")),
    path("", include("firegrid.dashboard.urls")),
    path("", include(map_urls.urlpatterns)),
    path("", include(report_urls.urlpatterns)),
    path("", include("firegrid.fieldapp.urls")),
    path("", include("firegrid.ops.urls")),
]

# api_v1 and pages resolve through an index of their patterns' literal prefixes (firegrid/core/urlindex.py,
# issue 12): the same ResolverMatch as Django's walk, without trying ~900 patterns a request
urlpatterns = [
    # liveness, readiness and Prometheus metrics (firegrid/ops; answered ahead of the other middleware)
    path("healthz", ops_endpoints.healthz, name="healthz"),
    path("readyz", ops_endpoints.readyz, name="readyz"),
    path("metrics", ops_endpoints.metrics_view, name="metrics"),
    indexed_path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    indexed_path("", include(pages)),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
