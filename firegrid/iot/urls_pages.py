from django.urls import path

from firegrid.iot import views

# Staff pages under their own namespace (the API uses its own names).
app_name = "iot"

urlpatterns = [
    path("iot/", views.LiveView.as_view(), name="live"),
    path("iot/live/alarms/", views.LiveAlarmsPart.as_view(), name="live-alarms"),
    path("iot/live/devices/", views.LiveDevicesPart.as_view(), name="live-devices"),
    path("iot/alarms/<int:pk>/", views.AlarmDetailView.as_view(), name="alarm"),
    path("iot/alarms/<int:pk>/<slug:step>/", views.AlarmStepView.as_view(), name="alarm-step"),
    path("iot/devices/", views.DeviceListView.as_view(), name="devices"),
    path("iot/devices/new/", views.DeviceCreateView.as_view(), name="device-new"),
    path("iot/devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device"),
    path("iot/devices/<int:pk>/rotate-key/", views.RotateKeyView.as_view(), name="device-rotate-key"),
]
