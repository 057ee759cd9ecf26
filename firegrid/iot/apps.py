from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IotConfig(AppConfig):
    name = "firegrid.iot"
    label = "iot"
    verbose_name = _("IoT monitoring")
