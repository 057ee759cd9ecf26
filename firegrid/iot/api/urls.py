from django.urls import path
from rest_framework.routers import DefaultRouter

from firegrid.iot.api import views
from firegrid.iot.api.telemetry import TelemetryView

router = DefaultRouter()
router.register("iot/devices", views.DeviceViewSet, basename="iot-device")
router.register("iot/alarms", views.AlarmViewSet, basename="iot-alarm")
router.register("iot/alarm-rules", views.AlarmRuleViewSet, basename="iot-alarmrule")

urlpatterns = [
    path("iot/telemetry", TelemetryView.as_view(), name="iot-telemetry"),
    *router.urls,
]
