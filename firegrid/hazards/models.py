"""Hazard cases: one case per hazard, whatever found it, with an immutable timeline of events."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from firegrid.core.roles import DISTRICT_WIDE, Role
from firegrid.core.scoping import RestrictedQuerySet, ScopeRules
from firegrid.hazards.choices import (
    OPEN_STATUSES,
    STATUS_COLOURS,
    CaseStatus,
    Channel,
    CloseReason,
    EventKind,
    Level,
    Severity,
    Source,
)
from firegrid.places.choices import Authority
from firegrid.places.models import CODE_ALPHABET

TRACKING_CODE_LENGTH = 10


def new_tracking_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(TRACKING_CODE_LENGTH))


class HazardCategory(models.Model):
    """A kind of hazard (data, editable in the admin); also the Open311 service list."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_zh = models.CharField(_("description (Chinese)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    group = models.CharField(_("group"), max_length=40, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    # checklist section codes whose failed items become cases of this category
    checklist_sections = models.JSONField(_("checklist sections"), default=list, blank=True)
    # place kinds for which this category is suggested first to a reporter
    place_kinds = models.JSONField(_("suggested for place kinds"), default=list, blank=True)
    # Open311 service definition attributes: [{code, datatype, required, description, values, order}]
    attributes = models.JSONField(_("extra questions"), default=list, blank=True)
    public = models.BooleanField(_("offered to the public"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("hazard category")
        verbose_name_plural = _("hazard categories")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def description(self):
        return self.description_en if (get_language() or "").startswith("en") else self.description_zh


class HazardCaseQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.exclude(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        """Open cases with a late step: the current one, a department's check-in, or the district's
        supervision deadline."""
        now = now or timezone.now()
        return self.open().filter(
            models.Q(step_due__lt=now)
            | models.Q(department__isnull=False, checked_in_at__isnull=True, checkin_due__lt=now)
            | models.Q(supervision_due__lt=now)
        )

    def public(self):
        return self.filter(is_public=True)


STAFF_ROLES = frozenset(set(Role) - {Role.UNIT_OWNER})

CASE_SCOPE = ScopeRules(
    region="region",
    sector="sector",
    unit="department",
    owner="place__owners",
    owner_roles=frozenset({Role.UNIT_OWNER}),
    write_roles=frozenset(set(Role)),
    district_wide_view=frozenset(DISTRICT_WIDE),
    # police stations see cases at the places they supervise
    role_filters={Role.POLICE_OFFICER: models.Q(authority=Authority.POLICE_STATION)},
)


class HazardCase(models.Model):
    """A fire hazard from report to closure. Change it only through `hazards.actions`."""

    tracking_code = models.CharField(
        _("tracking code"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    place = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazard_cases",
        verbose_name=_("place"),
    )
    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="hazard_cases", verbose_name=_("grid")
    )
    # copied from the place so scoping needs no join
    sector = models.CharField(_("sector"), max_length=30, blank=True)
    authority = models.CharField(_("supervising authority"), max_length=20, blank=True)
    lat = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lng = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"), max_length=4000)
    category = models.ForeignKey(
        HazardCategory, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    clauses = models.JSONField(_("GB 35181 elements"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.STAFF)
    external_ref = models.CharField(_("reference in the channel"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.REPORTED, db_index=True
    )
    close_reason = models.CharField(
        _("closing reason"), max_length=16, choices=CloseReason.choices, blank=True
    )
    level = models.CharField(_("held at"), max_length=12, choices=Level.choices, default=Level.GRID)
    finding = models.OneToOneField(
        "inspections.HazardRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case",
        verbose_name=_("inspection finding"),
    )
    attributes = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    responsible_party = models.CharField(_("responsible party"), max_length=120, blank=True)
    responsible_phone = models.CharField(_("responsible party's phone"), max_length=40, blank=True)
    # "not our responsibility": whose it is instead, shown to the reporter
    referred_to = models.CharField(_("whose responsibility instead"), max_length=120, blank=True)
    notice_number = models.CharField(_("notice number"), max_length=40, blank=True)
    deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    # deadline of the step the case is in now (confirm, rectify, re-inspect); the sweep watches it
    step_due = models.DateTimeField(_("current step due"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("current step overdue since"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    # 街镇吹哨、部门报到 and 督办
    department = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazard_cases",
        verbose_name=_("department called in"),
    )
    whistled_at = models.DateTimeField(_("whistle blown at"), null=True, blank=True)
    checkin_due = models.DateTimeField(_("department check-in due"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("department checked in at"), null=True, blank=True)
    checkin_overdue_at = models.DateTimeField(_("check-in overdue since"), null=True, blank=True)
    supervised_at = models.DateTimeField(_("supervised since"), null=True, blank=True)
    supervision_due = models.DateTimeField(_("supervision deadline"), null=True, blank=True)
    supervision_overdue_at = models.DateTimeField(_("supervision overdue since"), null=True, blank=True)
    # the reporter: visible only to roles that need it (see hazards.privacy)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reported by (account)"),
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    reporter_name = models.CharField(_("reporter's name"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=40, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    is_public = models.BooleanField(_("published"), default=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = HazardCaseQuerySet.as_manager()
    scope_rules = CASE_SCOPE

    class Meta:
        ordering = ["-id"]
        verbose_name = _("hazard case")
        verbose_name_plural = _("hazard cases")
        indexes = [
            models.Index(fields=["status", "step_due"], name="hazard_status_due_idx"),
            models.Index(fields=["region", "-id"], name="hazard_region_idx"),
            models.Index(fields=["sector", "-id"], name="hazard_sector_idx"),
            # the list's search looks a notice number or a channel's reference up whole (hazards.search)
            models.Index(fields=["notice_number"], name="hazard_notice_number_idx"),
            models.Index(fields=["external_ref"], name="hazard_external_ref_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__isnull=True, lng__isnull=True)
                | models.Q(lat__isnull=False, lng__isnull=False),
                name="hazard_lat_lng_together",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]

    def __str__(self):
        return f"{self.tracking_code} · {self.description[:40]}"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def is_overdue(self, now=None):
        now = now or timezone.now()
        if not self.is_open:
            return False
        late_checkin = (
            self.department_id and not self.checked_in_at and self.checkin_due and self.checkin_due < now
        )
        late_supervision = self.supervision_due is not None and self.supervision_due < now
        return bool((self.step_due is not None and self.step_due < now) or late_checkin or late_supervision)

    @property
    def street_code(self):
        """The street/town the case belongs to (second element of the region path)."""
        parts = [p for p in self.region.path.split("/") if p]
        return parts[1] if len(parts) > 1 else parts[0]

    @property
    def status_colour(self):
        return STATUS_COLOURS.get(self.status, "grey")

    def clean(self):
        if not (self.description or "").strip():
            raise ValidationError({"description": _("Describe the hazard.")})


class NoticeSequence(models.Model):
    """Rectification notices are numbered per street/town and year: T501-2026-0007."""

    street_code = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["street_code", "year"], name="notice_sequence_once")]

    def __str__(self):
        return f"{self.street_code}-{self.year}: {self.last}"

    @classmethod
    def next_number(cls, street_code, year):
        """The next number, under a row lock so two orders at once never share one."""
        cls.objects.get_or_create(street_code=street_code, year=year)
        row = cls.objects.select_for_update().get(street_code=street_code, year=year)
        row.last += 1
        row.save(update_fields=["last"])
        return f"{street_code}-{year}-{row.last:04d}"


class HazardEvent(models.Model):
    """One step on a case's timeline. Written once, never changed or deleted."""

    case = models.ForeignKey(HazardCase, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=CaseStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    # who acted, as shown on the timeline ("system", "public", a name): survives the account
    actor_label = models.CharField(_("by (as shown)"), max_length=120, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    is_public = models.BooleanField(_("shown to the public"), default=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
        indexes = [models.Index(fields=["case", "at"], name="hazard_event_case_idx")]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("Timeline events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Timeline events cannot be deleted."))


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo of the hazard")
    EVIDENCE = "evidence", _("Evidence of rectification")
    DOCUMENT = "document", _("Document")


class Attachment(models.Model):
    """A photo or document on a case, checked and cleaned on upload (see hazards.uploads)."""

    case = models.ForeignKey(HazardCase, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        HazardEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.PHOTO
    )
    file = models.FileField(_("file"), upload_to="hazards/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_public = models.BooleanField(_("shown to the public"), default=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.file.name


class Reminder(models.Model):
    """A reminder about a case, as recorded and as sent (or why it was not)."""

    case = models.ForeignKey(HazardCase, on_delete=models.CASCADE, related_name="reminders")
    event = models.ForeignKey(HazardEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20, default="email")
    address = models.CharField(_("address"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self):
        return f"{self.case_id} → {self.address or self.recipient_id}"


def hash_api_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


class Open311Client(models.Model):
    """A system allowed to POST service requests (a 12345 platform, an app); holds one api_key."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.OPEN311)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def issue(cls, name, channel=Channel.OPEN311):
        """Create a client and return (client, key); only the hash of the key is stored."""
        key = secrets.token_urlsafe(24)
        client = cls.objects.create(
            name=name, channel=channel, key_hash=hash_api_key(key), key_prefix=key[:8]
        )
        return client, key

    @classmethod
    def for_key(cls, key):
        if not key:
            return None
        return cls.objects.filter(key_hash=hash_api_key(key), is_active=True).first()


from firegrid.hazards.followers import CaseFollower  # noqa: E402, F401, I001  (a model of this app)
from firegrid.hazards.tally import CaseTally, ClosedCaseTally, OpenCaseTally  # noqa: E402, F401, I001  (models of this app)
