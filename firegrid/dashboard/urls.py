from django.urls import path

from firegrid.dashboard import views

urlpatterns = [path("dashboard/", views.DashboardView.as_view(), name="dashboard")]
api_urlpatterns = [path("dashboard/", views.DashboardAPIView.as_view(), name="api-dashboard")]
