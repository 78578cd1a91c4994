"""The event closed loop: categories, events, their assignments to departments,
the timeline, photos, and the idempotency record for phone submissions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.lib.fields import PathField


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Category(models.Model):
    """大类/小类, with the default department and the time limits of each step.
    Data, not code: loaded from categories.json, edited in the admin."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=50)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    domain = models.CharField(max_length=16, help_text="综治 / 城管 / 林业 …")
    department_kind = models.CharField(
        max_length=32, blank=True, help_text="kind of the default handling department"
    )
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    # Working hours to accept and to dispatch, working days to handle, working
    # hours to verify once handled.
    accept_hours = models.PositiveSmallIntegerField(default=4)
    dispatch_hours = models.PositiveSmallIntegerField(default=4)
    handle_days = models.PositiveSmallIntegerField(default=5)
    verify_hours = models.PositiveSmallIntegerField(default=16)
    # Likely duplicates: open events of the same category this close and this recent.
    dedupe_metres = models.PositiveIntegerField(default=100)
    dedupe_days = models.PositiveSmallIntegerField(default=7)
    # Escalate to the next level automatically when a step is overdue.
    auto_escalate = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name  # type: ignore[union-attr]

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None


class State(models.TextChoices):
    REPORTED = "reported", _("待受理")
    ACCEPTED = "accepted", _("已立案")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")
    DISPATCHED = "dispatched", _("已派遣待签收")
    RETURNED = "returned", _("退回")
    HANDLING = "handling", _("处置中")
    SUSPENDED = "suspended", _("缓办")
    HANDLED = "handled", _("处置完毕待核查")
    CLOSED = "closed", _("已结案待评价")
    ARCHIVED = "archived", _("评价归档")
    WITHDRAWN = "withdrawn", _("撤回")
    VOIDED = "voided", _("作废")


class Channel(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员上报")
    PUBLIC = "public", _("群众扫码上报")
    HOTLINE = "hotline", _("12345热线")
    VIDEO = "video", _("视频巡查")
    ASSIGNMENT = "assignment", _("上级交办")
    OPEN311 = "open311", _("Open311接口")
    SCREENING = "screening", _("矛盾纠纷排查")
    FACILITY = "facility", _("部件报损")


# The channels by which grid workers report what they found themselves: their
# work, as against residents' QR reports, the hotline or the cameras.
WORKER_CHANNELS = (Channel.GRID_WORKER, Channel.SCREENING)


class Level(models.TextChoices):
    """Which centre currently holds the event."""

    VILLAGE = "village", _("村/社区")
    TOWNSHIP = "township", _("乡镇/街道")
    DISTRICT = "district", _("区县")
    CITY = "city", _("市")  # escalated beyond the district, on the city's platform


class Event(models.Model):
    receipt = models.CharField(max_length=12, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="events")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.REPORTED)
    version = models.PositiveIntegerField(default=1)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.VILLAGE)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)

    description = models.TextField()
    address = models.CharField(max_length=200, blank=True)
    lng = models.FloatField()
    lat = models.FloatField()
    grid = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="events")
    region_path = PathField()

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_events",
    )
    reporter_name = models.CharField(max_length=50, blank=True)
    reporter_phone = models.CharField(max_length=20, blank=True)
    source_ref = models.CharField(
        max_length=64, blank=True, help_text="hotline ticket, camera id, upper-level case no."
    )

    lead_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_events",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )

    step_started_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    warned = models.BooleanField(default=False)
    overdue = models.BooleanField(default=False)
    pending_request = models.CharField(
        max_length=16, blank=True, help_text="extension or suspension awaiting approval"
    )
    pending_days = models.PositiveSmallIntegerField(default=0)
    rework_count = models.PositiveSmallIntegerField(default=0)
    supervised = models.BooleanField(default=False)
    # The region code of the platform holding the event when that is not this one
    # (events/handover.py): the district's copy of what it escalated, the city's of
    # what it assigned down. Blank: held here.
    held_by = models.CharField(max_length=12, blank=True)
    # Who may verify once handled (events/duty.py Tier): 0 the grid worker, up to 3
    # the township centre when no one below can act or the time limit ran out.
    verify_tier = models.PositiveSmallIntegerField(default=0)
    called_back_at = models.DateTimeField(null=True, blank=True, help_text="回访")
    supervise_deadline = models.DateTimeField(null=True, blank=True)

    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    centre_score = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["region_path", "state", "id"], name="event_queue"),
            models.Index(fields=["state", "deadline"], name="event_deadline"),
            # Likely duplicates: a narrow band of latitude within one category.
            models.Index(fields=["category", "lat"], name="event_nearby"),
            # Closed in a period: the district's (the assessment), a village's.
            models.Index(fields=["closed_at"], name="event_closed"),
            models.Index(fields=["region_path", "closed_at"], name="event_closed_path"),
            # The few events overdue or supervised, counted for the overview without
            # reading every open one (the flag first: the queries always ask for True).
            models.Index(fields=["overdue", "region_path"], name="event_overdue"),
            models.Index(fields=["supervised", "state", "region_path"], name="event_supervised"),
            # The few urgent ones, which head the queue.
            models.Index(
                fields=["region_path", "id"],
                condition=~models.Q(urgency="normal"),
                name="event_urgent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt} {self.category.name}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class Assignment(models.Model):
    """A department's part in an event: one lead, any number of assisting (协同)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(max_length=8, choices=AssignmentRole.choices)
    # The department's own choice of who handles it (指定承办人).
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["department", "active"], name="assignment_todo")]


class Step(models.Model):
    """The event's timeline: every transition, with who, when, the note and photos."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True, help_text="shown on the resident's page")
    data = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class Photo(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    step = models.ForeignKey(Step, null=True, blank=True, on_delete=models.SET_NULL)
    original = models.FileField(upload_to="photos/original/%Y/%m/")
    public = models.FileField(
        upload_to="photos/public/%Y/%m/", help_text="re-encoded without EXIF (no location)"
    )
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    @property
    def stage(self) -> str:
        """What the photo shows, by the step it came with: 处置前 (the report's),
        处置后 (the department's after handling) or 核查 (the verifier's)."""
        action = self.step.action if self.step_id else "report"  # type: ignore[union-attr]
        if action in ("handle", "resolve_on_spot"):
            return "处置后"
        return "核查" if action.startswith("verify") else "处置前"


class Submission(models.Model):
    """A write from a phone, by its client-made UUID: a replay returns the first
    result, the same UUID with another body is refused."""

    client_uuid = models.UUIDField(unique=True)
    body_hash = models.CharField(max_length=64)
    event = models.ForeignKey(Event, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)


class ApiKey(models.Model):
    """Keys for Open311 POST. Only the hash is stored."""

    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)


class DailyCount(models.Model):
    """Events by the day they were reported, township and current state: what the
    overview and the big screen sum instead of counting a district's million
    events. Kept by the services in the transaction of every intake and change of
    state (events/counts.py); `pingan recount --check` compares it with the events."""

    day = models.DateField()
    township_path = PathField()
    state = models.CharField(max_length=16)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "township_path", "state"], name="daily_count_key"
            )
        ]
        # "Open now" sums the few rows of the open states over every day: without
        # this, a province's two years of rows are read for it (bench/province.py).
        indexes = [models.Index(fields=["state", "township_path"], name="daily_count_state")]


class DailyIntake(models.Model):
    """Events by the day they were reported, township, category (大类) and channel,
    which never change after intake."""

    day = models.DateField()
    township_path = PathField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "township_path", "category", "channel"], name="daily_intake_key"
            )
        ]


class DailyClosed(models.Model):
    """Events by the day they were closed (核查通过) and township."""

    day = models.DateField()
    township_path = PathField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "township_path"], name="daily_closed_key")
        ]


class WorkCalendarDay(models.Model):
    """A day of the State Council's holiday arrangement, entered by the district when
    the year's notice comes out before chinese-calendar knows it: a holiday, or a
    weekend day worked instead (调休). Time limits count by these first."""

    day = models.DateField("日期", unique=True)
    workday = models.BooleanField("上班", help_text="勾选：调休上班；不勾选：放假")
    note = models.CharField("说明", max_length=60, help_text="如：春节、国庆节调休上班")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day"]
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'上班' if self.workday else '放假'} {self.note}"


class RatingCode(models.Model):
    """The code texted to the phone a report gave, which its rating needs: the
    receipt alone is not proof enough to speak for the reporter."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="rating_code")
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
