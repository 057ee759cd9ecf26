"""People who follow a case besides its first reporter: someone who said "me too" instead of filing
a duplicate, and the reporters of a duplicate merged into it. Their contact is as private as the
reporter's (see hazards.privacy): only street and district staff see it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FollowerSource(models.TextChoices):
    ME_TOO = "me_too", _("Said “me too” instead of reporting again")
    MERGED = "merged", _("Reporter of a merged duplicate")


class CaseFollower(models.Model):
    case = models.ForeignKey(
        "hazards.HazardCase", on_delete=models.CASCADE, related_name="followers", verbose_name=_("case")
    )
    source = models.CharField(_("why"), max_length=10, choices=FollowerSource.choices)
    # the duplicate this follower came from (merged), so the staff can see where they first reported
    via_case = models.ForeignKey(
        "hazards.HazardCase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("first reported as"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("case follower")
        verbose_name_plural = _("case followers")

    def __str__(self):
        return f"{self.case_id} · {self.get_source_display()}"

    @property
    def has_contact(self):
        return bool(self.name or self.phone or self.email or self.user_id)
