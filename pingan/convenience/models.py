"""Convenience services at the door: appointments with the village or community
centre (户政, legal consultation), and property services (物业) made visible: each
estate's company, what it does for what fee, and its complaint record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppointmentKind(models.TextChoices):
    HOUSEHOLD = "household", _("户政业务（户口、身份证）")
    LEGAL = "legal", _("法律咨询")


class Slot(models.TextChoices):
    MORNING = "am", _("上午 9:00–12:00")
    AFTERNOON = "pm", _("下午 14:30–17:30")


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("已预约")
    DONE = "done", _("已办理")
    MISSED = "missed", _("未到")
    CANCELLED = "cancelled", _("已取消")


class Appointment(models.Model):
    kind = models.CharField("预约事项", max_length=10, choices=AppointmentKind.choices)
    village = models.ForeignKey(
        "regions.Region", verbose_name="村/社区", on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    day = models.DateField("日期")
    slot = models.CharField("时段", max_length=2, choices=Slot.choices)
    name = models.CharField("姓名", max_length=50)
    phone_encrypted = models.TextField()
    phone_masked = models.CharField(max_length=20)
    note = models.CharField("想办的事", max_length=500, blank=True)
    receipt = models.CharField(max_length=10, unique=True)
    state = models.CharField(
        max_length=10, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["day", "slot", "created_at"]
        indexes = [models.Index(fields=["village", "kind", "day", "slot"], name="appointment_slot")]


class Estate(models.Model):
    """A residential estate (小区) and the company serving it."""

    name = models.CharField("小区名称", max_length=100)
    village = models.ForeignKey(
        "regions.Region", verbose_name="所在社区", on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    address = models.CharField("地址", max_length=200)
    lng = models.FloatField("经度")
    lat = models.FloatField("纬度")
    households = models.PositiveIntegerField("户数", default=0)
    company = models.CharField("物业服务企业", max_length=100)
    company_phone = models.CharField("物业电话", max_length=30)
    manager = models.CharField("项目负责人", max_length=50, blank=True)
    contract_until = models.DateField("合同到期", null=True, blank=True)

    class Meta:
        ordering = ["region_path", "name"]
        verbose_name = verbose_name_plural = "小区物业"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.region_path = self.village.path
        super().save(*args, **kwargs)


class EstateService(models.Model):
    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="services")
    name = models.CharField("服务项目", max_length=100)
    fee = models.CharField("收费标准", max_length=100)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["id"]


class PropertyComplaint(models.Model):
    """A resident's complaint about an estate's property service: an event of
    category 物业服务 in the closed loop, listed on the estate's record."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="complaints")
    event = models.OneToOneField(
        "events.Event", on_delete=models.PROTECT, related_name="property_complaint"
    )
    summary = models.CharField("投诉内容", max_length=100)  # shown on the estate's record
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
