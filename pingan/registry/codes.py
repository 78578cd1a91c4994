"""Code tables of the 实有人口 common block (GB/T 2261 and practice) and of houses.
Codes are what imports and exports carry; labels are what people read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResidentType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    FLOATING = "floating", _("流动人口")
    FOREIGN = "foreign", _("境外人员")
    LEFT_BEHIND = "left_behind", _("留守人员")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    MOVED_OUT = "moved_out", _("已迁出")
    DEAD = "dead", _("已死亡")


class MaritalStatus(models.TextChoices):
    UNMARRIED = "10", _("未婚")
    MARRIED = "20", _("已婚")
    WIDOWED = "30", _("丧偶")
    DIVORCED = "40", _("离婚")
    UNKNOWN = "90", _("未说明")


class PoliticalStatus(models.TextChoices):
    CPC = "01", _("中共党员")
    CPC_PROBATION = "02", _("中共预备党员")
    LEAGUE = "03", _("共青团员")
    OTHER_PARTY = "04", _("民主党派")
    MASSES = "13", _("群众")


class Education(models.TextChoices):
    POSTGRADUATE = "10", _("研究生")
    UNIVERSITY = "20", _("大学本科")
    COLLEGE = "30", _("大专")
    SECONDARY = "40", _("中专/高中")
    JUNIOR = "70", _("初中")
    PRIMARY = "80", _("小学")
    NONE = "90", _("其他/未上学")


class HouseUse(models.TextChoices):
    HOME = "home", _("自住")
    RENTAL = "rental", _("出租")
    SHOP = "shop", _("商用")
    FACTORY = "factory", _("厂房/仓储")
    VACANT = "vacant", _("空置")


class LivingAs(models.TextChoices):
    OWNER = "owner", _("房主")
    FAMILY = "family", _("家庭成员")
    TENANT = "tenant", _("承租人")


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("非公有制经济组织")
    SOCIAL = "social", _("社会组织")
    PUBLIC = "public", _("机关事业单位")


class PlaceKind(models.TextChoices):
    SCHOOL = "school", _("学校")
    KEY_AREA = "key_area", _("治安重点地区")
    LINE = "line", _("护路护线线路")
    VENUE = "venue", _("重点场所")
