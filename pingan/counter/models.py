"""阳光政务: the catalogue of administrative service items (what each needs, who
handles it, how long it takes, whether it can be done online and how many trips to
the counter it costs) and residents' online applications with their history."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    LICENCE = "licence", _("行政许可")
    BENEFIT = "benefit", _("行政给付")
    CONFIRMATION = "confirmation", _("行政确认")
    RULING = "ruling", _("行政裁决")
    REWARD = "reward", _("行政奖励")
    OTHER_POWER = "other", _("其他行政权力")
    PUBLIC_SERVICE = "service", _("公共服务")


class ServiceItem(models.Model):
    """One item of the district's 政务服务事项目录, handled by one department at one
    level of the tree (the district, a township's 便民服务中心 or a village)."""

    code = models.CharField("事项编码", max_length=40, unique=True)
    name = models.CharField("事项名称", max_length=200)
    kind = models.CharField("事项类型", max_length=12, choices=ItemKind.choices)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="实施部门",
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="办理层级", on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    conditions = models.TextField("受理条件")
    materials = models.JSONField("申请材料", default=list)
    time_limit_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    fee = models.CharField("收费标准", max_length=100, default="不收费")
    online = models.BooleanField("可网上办理", default=False)
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=1)
    place = models.CharField("办理地点", max_length=200, blank=True)
    hours = models.CharField("办理时间", max_length=100, blank=True)
    phone = models.CharField("咨询电话", max_length=30, blank=True)
    basis = models.TextField("设定依据", blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "政务服务事项"
        indexes = [models.Index(fields=["active", "online"], name="item_online")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.region_path = self.region.path  # kept with the item, for scoping
        super().save(*args, **kwargs)

    @property
    def where(self) -> str:
        """Where it is handled, as a resident reads it: 全区 · 三合镇 · 三合镇 三合镇社区."""
        region = self.region
        if region.level == "district":
            return f"{region.name}（全区）"
        if region.level == "village" and region.parent_id:
            return f"{region.parent.name} {region.name}"  # type: ignore[union-attr]
        return region.name

    @property
    def visits_label(self) -> str:
        if self.visits == 0:
            return "零跑动"
        return "最多跑一次" if self.visits == 1 else f"到现场{self.visits}次"


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    MORE_REQUESTED = "more_requested", _("待补正材料")
    ACCEPTED = "accepted", _("已受理，办理中")
    APPROVED = "approved", _("已办结")
    REJECTED = "rejected", _("不予办理")


class Application(models.Model):
    """A resident's online application for one item. The applicant's numbers are
    kept encrypted, with masked copies for the pages."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="applications")
    receipt = models.CharField(max_length=10, unique=True)
    state = models.CharField(
        max_length=16, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    # Copied from the item when submitted: who handles it and where, for scoping.
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    applicant_name = models.CharField("申请人", max_length=50)
    phone_encrypted = models.TextField()
    phone_masked = models.CharField(max_length=20)
    id_number_encrypted = models.TextField()
    id_number_masked = models.CharField(max_length=18)
    details = models.TextField("申请说明", blank=True)
    submitted_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField("承诺办结时间", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["state", "region_path"], name="application_state")]

    def __str__(self) -> str:
        return f"{self.item.name}（{self.receipt}）"


class ApplicationStep(models.Model):
    """Every change of an application, as the resident and the staff see it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=16)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class Attachment(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    step = models.ForeignKey(ApplicationStep, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="counter/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
