from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "firegrid.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from firegrid.core import audit, authversion, choicefetch, ormspeed

        audit.connect()
        authversion.connect()
        ormspeed.install()
        choicefetch.install()
