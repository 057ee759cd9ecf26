from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "firegrid.tasks"
    verbose_name = _("Tasks, supervision, scoring and incidents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from firegrid.dashboard.assessment import register_fire_source
        from firegrid.tasks.incidents import fire_rows

        register_fire_source(fire_rows)
