"""The grid worker's day on record: household visits, key-place inspections,
comprehensive work, video checks and patrols; the registry changes made in the
field, with their approval and conflicts; and the ledger of what each phone
synced, so a replayed queue changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.lib.fields import PathField


class Kind(models.TextChoices):
    VISIT = "visit", _("入户走访")
    INSPECTION = "inspection", _("重点场所排查")
    GENERAL = "general", _("综合工作")
    VIDEO = "video", _("视频巡查")
    PATROL = "patrol", _("巡逻")


class WorkRecord(models.Model):
    """One piece of fieldwork: who, when (the phone's clock), where (GPS), what."""

    kind = models.CharField(max_length=12, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = PathField()
    at = models.DateTimeField()
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    note = models.TextField()
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(
        "registry.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A visit: what was learned ({"needs": "…", "disputes": "…"}); an inspection:
    # each checklist item's answer and the hazards found; a video check: the camera.
    findings = models.JSONField(default=dict, blank=True)
    track = models.JSONField(default=list, blank=True)  # a patrol: [[lng, lat, epoch s], …]
    distance_m = models.PositiveIntegerField(default=0)
    events = models.ManyToManyField("events.Event", blank=True, related_name="+")
    client_uuid = models.UUIDField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["region_path", "at"], name="work_path"),
            models.Index(fields=["by", "at"], name="work_by"),
            models.Index(fields=["household", "at"], name="work_household"),
            models.Index(fields=["at"], name="work_at"),  # a whole district's period
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class WorkPhoto(models.Model):
    record = models.ForeignKey(WorkRecord, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="fieldwork/%Y/%m/")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)


class ChangeKind(models.TextChoices):
    PERSON_CREATE = "person_create", _("新增人员")
    PERSON_UPDATE = "person_update", _("修改人员信息")
    HOUSEHOLD_CREATE = "household_create", _("新增户")
    HOUSEHOLD_UPDATE = "household_update", _("修改户信息")
    HOUSE_CREATE = "house_create", _("新增房屋")
    RECORD_ADD = "record_add", _("登记类别")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待村（社区）审核")
    APPLIED = "applied", _("已生效")
    REJECTED = "rejected", _("已驳回")
    CONFLICT = "conflict", _("有冲突，待网格员处理")
    DISCARDED = "discarded", _("已放弃")


class Change(models.Model):
    """A registry change made on the phone. An update carries the values the worker
    saw (`base`); if the server copy moved on meanwhile, the change waits as a
    conflict with the server's values beside it, and nothing is overwritten."""

    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    status = models.CharField(max_length=10, choices=ChangeStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = PathField()
    target_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    base = models.JSONField(default=dict, blank=True)
    server = models.JSONField(default=dict, blank=True)
    result_id = models.BigIntegerField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=200, blank=True)
    client_uuid = models.UUIDField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["region_path", "status"], name="change_path")]


class FieldPolicy(models.Model):
    """A village's rules for its grid workers: whether their registry changes wait
    for the village officer, and after how many days an unvisited household
    becomes a task."""

    village = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="+")
    approve_changes = models.BooleanField("网格员修改需村（社区）审核", default=False)
    visit_every_days = models.PositiveSmallIntegerField("入户走访周期（天）", default=90)


class InspectionTask(models.Model):
    """An inspection of a place assigned to a grid worker, done by a WorkRecord."""

    place = models.ForeignKey("registry.Place", on_delete=models.PROTECT, related_name="+")
    region_path = PathField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    done = models.ForeignKey(WorkRecord, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["assignee", "done"], name="inspection_todo")]


class Receipt(models.Model):
    """Each item a phone synced, by its client UUID, with the first answer given:
    a replay gets that answer again; the same UUID with another body is refused."""

    client_uuid = models.UUIDField(unique=True)
    body_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
