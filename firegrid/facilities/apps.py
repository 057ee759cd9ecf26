from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "firegrid.facilities"
    label = "facilities"
    verbose_name = _("Public fire facilities")

    def ready(self):
        # the map layers of this app join the command view's registry (dashboard.map_layers)
        from firegrid.facilities import map_layers  # noqa: F401
