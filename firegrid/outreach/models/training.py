"""Training (seed 002 §三(四), §四(三)): sessions for the key groups, who attended and passed, the
certificates issued to those who passed (with expiry), and online learning records imported from a
learning platform (seed 000 §2: 全民消防学习云平台).

A certificate held by a platform user is also an org Qualification (kind "training", or
"enforcement" for an enforcement-staff session certified by the fire rescue agency), so the same
record decides whether they may inspect (`User.is_trained()`, `User.can_inspect()`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firegrid.core.models import AuditedModel
from firegrid.core.scoping import RestrictedQuerySet
from firegrid.outreach.choices import AttendanceResult, AudienceGroup, TrainingMode
from firegrid.outreach.scopes import org_scope


class TrainingSession(AuditedModel):
    topic = models.CharField(_("topic"), max_length=200)
    audience = models.CharField(_("audience group"), max_length=24, choices=AudienceGroup.choices)
    mode = models.CharField(
        _("mode"), max_length=12, choices=TrainingMode.choices, default=TrainingMode.IN_PERSON
    )
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, default=2, validators=[MinValueValidator(0)]
    )
    trainer = models.CharField(_("trainer"), max_length=120)
    organiser = models.CharField(_("organised by"), max_length=120, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("region")
    )
    certificate_valid_days = models.PositiveIntegerField(
        _("certificates valid for (days)"),
        default=3 * 365,
        validators=[MinValueValidator(1), MaxValueValidator(20 * 365)],
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("region", owner="attendances__user")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self):
        return f"{self.held_on} {self.topic}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:session", args=[self.pk])

    def is_held(self, on=None):
        return self.held_on <= (on or timezone.localdate())


class Attendance(AuditedModel):
    """One person at a session: a platform user, or someone named (a landlord, a property manager)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_attendances",
        verbose_name=_("platform user"),
    )
    name = models.CharField(_("name"), max_length=60)
    group = models.CharField(_("key group"), max_length=24, choices=AudienceGroup.choices)
    organisation = models.CharField(_("organisation or place"), max_length=120, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=AttendanceResult.choices, default=AttendanceResult.ATTENDED
    )
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("session__region", owner="user")

    class Meta:
        ordering = ["session", "name", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=models.Q(user__isnull=False),
                name="outreach_attend_once",
                violation_error_message=_("This person is already on the session's list."),
            )
        ]

    def __str__(self):
        return f"{self.name} · {self.session}"

    def clean(self):
        if self.user_id and not self.name:
            self.name = str(self.user)[:60]
        if self.result == AttendanceResult.PASSED and self.session_id and not self.session.is_held():
            raise ValidationError({"result": _("A session that has not been held yet cannot be passed.")})


class Certificate(AuditedModel):
    """Issued to one passed attendance; valid from issue to expiry."""

    attendance = models.OneToOneField(
        Attendance, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("attendance")
    )
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    issued_by = models.CharField(_("issued by"), max_length=120, blank=True)
    qualification = models.OneToOneField(
        "org.Qualification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_certificate",
        verbose_name=_("staff qualification"),
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("attendance__session__region", owner="attendance__user")

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("training certificate")
        verbose_name_plural = _("training certificates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")),
                name="outreach_certificate_expires_after_issue",
                violation_error_message=_("The expiry date must be after the issue date."),
            )
        ]

    def __str__(self):
        return f"{self.number} · {self.attendance.name}"

    def is_valid(self, on=None):
        on = on or timezone.localdate()
        return self.revoked_on is None and self.issued_on <= on <= self.expires_on


class LearningRecord(AuditedModel):
    """A course completed on an online learning platform, imported from its xlsx/CSV export."""

    platform = models.CharField(_("platform"), max_length=60)
    external_id = models.CharField(_("record id on the platform"), max_length=80)
    name = models.CharField(_("name"), max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_records",
        verbose_name=_("platform user"),
    )
    group = models.CharField(_("key group"), max_length=24, choices=AudienceGroup.choices)
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="learning_records", verbose_name=_("region")
    )
    course = models.CharField(_("course"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    completed_on = models.DateField(_("completed on"))
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )

    objects = RestrictedQuerySet.as_manager()
    scope_rules = org_scope("region", owner="user")

    class Meta:
        ordering = ["-completed_on", "-id"]
        verbose_name = _("online learning record")
        verbose_name_plural = _("online learning records")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"],
                name="outreach_learning_once",
                violation_error_message=_("This platform record has already been imported."),
            )
        ]

    def __str__(self):
        return f"{self.name} · {self.course}"
