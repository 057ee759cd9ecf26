"""What the offline field app has sent: one row per client-generated id, so a sync replayed (a lost
answer, a second tab, a flaky network) finds its row and gets the same answer, and nothing is done twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncRecord(models.Model):
    client_id = models.UUIDField(_("client id"), unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20)
    inspection = models.ForeignKey(
        "inspections.Inspection", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # a step on an existing hazard case recorded offline (kind "case_step")
    case = models.ForeignKey(
        "hazards.HazardCase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(_("answer sent"), default=dict)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("field app sync")
        verbose_name_plural = _("field app syncs")

    def __str__(self):
        return f"{self.client_id} · {self.kind}"
