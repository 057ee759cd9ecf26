from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "firegrid.dashboard"
    label = "dashboard"
    verbose_name = _("Command view")

    def ready(self):
        from firegrid.dashboard import cache

        # a write to anything the figures count makes the cached figures stale (dashboard.cache)
        for name, signal in (("save", post_save), ("delete", post_delete)):
            for sender in cache.WATCHED:
                signal.connect(cache.written, sender=sender, dispatch_uid=f"dashboard-{name}-{sender}")
            for sender in cache.ORG_WATCHED:
                uid = f"dashboard-org-{name}-{sender}"
                signal.connect(cache.org_written, sender=sender, dispatch_uid=uid)
