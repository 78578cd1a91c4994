from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.lib.divisions import LABELS, Level


class Role(models.TextChoices):
    RESIDENT = "resident", _("公众")
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_LEADER = "grid_leader", _("网格长")
    VILLAGE_CENTRE = "village_centre", _("村/社区综治中心")
    TOWNSHIP_CENTRE = "township_centre", _("乡镇/街道综治中心")
    DISTRICT_CENTRE = "district_centre", _("区县综治中心（调度/指挥）")
    CITY_CENTRE = "city_centre", _("市综治中心（调度/指挥）")
    DEPARTMENT = "department", _("职能部门")
    LEADER = "leader", _("领导")
    PARKING = "parking", _("停车管理员")
    ADMIN = "admin", _("管理员")


# Groups of roles, each defined once here and imported where a rule needs it.
GRID_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER})  # who works a grid in the field
CENTRE_ROLES = frozenset(
    {Role.VILLAGE_CENTRE, Role.TOWNSHIP_CENTRE, Role.DISTRICT_CENTRE, Role.CITY_CENTRE}
)
# Who acts for a centre: the centres, and the administrator (as the district's).
CENTRE_STAFF = CENTRE_ROLES | {Role.ADMIN}
# Who sees plates (慧停车): the parking operator's staff and the district's centre.
PLATE_READERS = frozenset({Role.PARKING, Role.DISTRICT_CENTRE, Role.ADMIN})
# Who sees parking's figures and places (plates masked unless a plate reader).
PARKING_VIEWERS = PLATE_READERS | CENTRE_ROLES | {Role.LEADER}
# The level each centre acts at, the lowest 0: a centre acts on events at its level
# or below.
CENTRE_RANK: dict[str, int] = {
    Role.VILLAGE_CENTRE: 0,
    Role.TOWNSHIP_CENTRE: 1,
    Role.DISTRICT_CENTRE: 2,
    Role.ADMIN: 2,
    Role.CITY_CENTRE: 3,
}


# The level of tree node each staff role is bound to; None means "any level".
ROLE_LEVEL: dict[str, Level | None] = {
    Role.GRID_WORKER: Level.GRID,
    Role.GRID_LEADER: Level.GRID,
    Role.VILLAGE_CENTRE: Level.VILLAGE,
    Role.TOWNSHIP_CENTRE: Level.TOWNSHIP,
    Role.DISTRICT_CENTRE: Level.DISTRICT,
    Role.CITY_CENTRE: None,  # the city's platform: every district node in it
    Role.DEPARTMENT: None,
    Role.LEADER: None,
    Role.PARKING: None,
    Role.ADMIN: None,
}


class Department(models.Model):
    """职能部门: 城管, 林业, 派出所, 司法所, 市场监管 … Data, not code."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=32, help_text="城管 / 林业 / 派出所 …")
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="departments",
        help_text="the area the department serves",
    )

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RESIDENT)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    phone = models.CharField(max_length=20, blank=True)
    display_name = models.CharField(max_length=50, blank=True)

    @property
    def is_resident(self) -> bool:
        return self.role == Role.RESIDENT

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        binding_errors(self.role, self.region, self.department)


def binding_errors(role: str, region, department) -> None:
    """Staff must be bound to one node of the tree, at the level their role works at."""
    if role == Role.RESIDENT:
        return
    if role == Role.DEPARTMENT:
        if department is None:
            raise ValidationError({"department": "职能部门人员必须属于一个部门"})
        if region is None:
            region = department.region
    if region is None and role == Role.CITY_CENTRE:
        return  # the city's platform: its tree is the districts, all of them its own
    if region is None:
        raise ValidationError({"region": "工作人员必须绑定到区域树的一个节点"})
    expected = ROLE_LEVEL[role]
    if expected is not None and region.level != expected:
        raise ValidationError({"region": f"{Role(role).label}应绑定到{LABELS[expected]}一级的节点"})


class GrantKind(models.TextChoices):
    IDENTITY = "identity", _("查看完整身份证号")
    SENSITIVE = "sensitive", _("查看特殊人群等敏感数据")
    CONTACT = "contact", _("查看反映人姓名和电话（回访）")


class Grant(models.Model):
    """A separate, explicit grant for sensitive data, on top of the read scope."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    kind = models.CharField(max_length=20, choices=GrantKind.choices)
    granted_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="grants_given"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="grant_once")]


class RateCounter(models.Model):
    """A rate limit's count in its window, when there is no Redis: in the database,
    so every process sees it and a restart does not forget a lock."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)
