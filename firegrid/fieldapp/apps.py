from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldappConfig(AppConfig):
    name = "firegrid.fieldapp"
    verbose_name = _("Offline field app")
