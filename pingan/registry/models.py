"""The 9+X basic data: people, households, houses, organisations and places, and
the category records (特殊人群, 重点青少年, 出租房, X categories …) attached to them.

Every row carries the materialised path of its grid, so "my subtree" is one
indexed prefix match. Nothing here is ever deleted: people move out or die,
records end, and the history says when and who.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.lib.fields import PathField
from pingan.registry.codes import (
    Education,
    HouseUse,
    LivingAs,
    MaritalStatus,
    OrganisationKind,
    PersonStatus,
    PlaceKind,
    PoliticalStatus,
    ResidentType,
)


class Anchored(models.Model):
    """Anything that belongs to one grid."""

    grid = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = PathField()
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Household(models.Model):
    grid = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="households")
    region_path = PathField()
    number = models.CharField("户号", max_length=32, unique=True)
    address = models.CharField(max_length=200)
    village_group = models.CharField("自然村/小区", max_length=100, blank=True)
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["region_path", "id"], name="household_path"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.address}"


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Person(models.Model):
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    grid = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="people")
    region_path = PathField()
    name = models.CharField(max_length=50)
    gender = models.CharField(max_length=1, choices=Gender.choices)
    birth_date = models.DateField()
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    relation_to_head = models.CharField("与户主关系", max_length=20, blank=True)
    id_number_encrypted = models.TextField()
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField(max_length=18)
    phone_encrypted = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField("联系方式", max_length=20, blank=True)
    former_name = models.CharField("曾用名", max_length=50, blank=True)
    native_place = models.CharField("籍贯", max_length=50, blank=True)
    marital_status = models.CharField(
        "婚姻状况", max_length=2, choices=MaritalStatus.choices, blank=True
    )
    political_status = models.CharField(
        "政治面貌", max_length=2, choices=PoliticalStatus.choices, blank=True
    )
    education = models.CharField("学历", max_length=2, choices=Education.choices, blank=True)
    religion = models.CharField("宗教信仰", max_length=20, blank=True)
    occupation = models.CharField("职业", max_length=50, blank=True)
    workplace = models.CharField("服务处所", max_length=100, blank=True)
    registered_address = models.CharField("户籍地详址", max_length=200, blank=True)
    current_address = models.CharField("现住地详址", max_length=200, blank=True)
    resident_type = models.CharField(
        "人口类型", max_length=12, choices=ResidentType.choices, default=ResidentType.REGISTERED
    )
    status = models.CharField(
        "状态", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    house = models.ForeignKey(
        "House", null=True, blank=True, on_delete=models.SET_NULL, related_name="occupants"
    )
    living_as = models.CharField("居住关系", max_length=8, choices=LivingAs.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["region_path", "id"],
                name="person_path",
            ),
            models.Index(fields=["name"], name="person_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id_number_masked}"


# The 实有人口 common block: the fields of a person a clerk fills in, in the order
# the forms, the import templates and the exports show them. Each field's label
# (verbose_name) and code table (choices) are on the field itself: the services,
# the forms, imports and exports read them from here, none types them again.
COMMON_BLOCK = (
    "ethnicity",
    "relation_to_head",
    "former_name",
    "native_place",
    "marital_status",
    "political_status",
    "education",
    "religion",
    "occupation",
    "workplace",
    "registered_address",
    "current_address",
    "resident_type",
    "living_as",
)


def common_block() -> list[models.Field]:
    # Every name is a concrete field of Person, never a relation.
    return [cast(models.Field, Person._meta.get_field(name)) for name in COMMON_BLOCK]


class House(Anchored):
    """房屋: where people live or work; a rental house carries its tenants."""

    number = models.CharField("房屋编号", max_length=32, unique=True)
    use = models.CharField("用途", max_length=8, choices=HouseUse.choices, default=HouseUse.HOME)
    area = models.DecimalField("面积(㎡)", max_digits=8, decimal_places=1, null=True, blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="houses_owned"
    )
    owner_name = models.CharField("房主", max_length=50, blank=True)

    class Meta:
        indexes = [models.Index(fields=["region_path", "id"], name="house_path")]

    def __str__(self) -> str:
        return f"{self.number} {self.address}"


class Organisation(Anchored):
    """非公有制经济组织, 社会组织 and other units that category records attach to."""

    kind = models.CharField("类别", max_length=12, choices=OrganisationKind.choices)
    name = models.CharField("名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    employees = models.PositiveIntegerField("员工数", null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["region_path", "id"], name="organisation_path")]

    def __str__(self) -> str:
        return self.name


class Place(Anchored):
    """Schools, key areas, guarded lines and other places records attach to."""

    kind = models.CharField("类别", max_length=10, choices=PlaceKind.choices)
    name = models.CharField("名称", max_length=100)
    code = models.CharField("编码", max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["region_path", "id"], name="place_path")]

    def __str__(self) -> str:
        return self.name


class MoveKind(models.TextChoices):
    REGISTER = "register", _("入住登记")
    MOVE = "move", _("迁移")
    MOVE_OUT = "move_out", _("迁出")
    DEATH = "death", _("死亡注销")
    CORRECT = "correct", _("信息更正")


class PersonHistory(models.Model):
    """What happened to a person, in order: registered, moved, corrected, moved out.

    Who and which grids are kept without database constraints or indexes: a history
    row records what was, is only read through its person, and an import writes
    one per person (226,127 at once in the seed's district)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="history")
    kind = models.CharField(max_length=10, choices=MoveKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
    )
    from_grid = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    to_grid = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    note = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]


# ---- category records: the nine GB/T 31000 categories and the X categories --------


class Subject(models.TextChoices):
    PERSON = "person", _("人员")
    HOUSEHOLD = "household", _("户")
    HOUSE = "house", _("房屋")
    ORGANISATION = "organisation", _("组织")
    PLACE = "place", _("场所")


class Group(models.TextChoices):
    ORGANS = "1", _("综治组织及业务")
    POPULATION = "2", _("实有人口")
    SPECIAL = "3", _("特殊人群")
    YOUTH = "4", _("重点青少年")
    ORGANISATIONS = "5", _("非公有制经济组织和社会组织")
    SECURITY = "6", _("社会治安")
    DISPUTES = "7", _("矛盾纠纷排查化解")
    CAMPUS = "8", _("校园及周边安全")
    LINES = "9", _("护路护线")
    LOCAL = "X", _("自定义类别")


class Definition(models.Model):
    """A category of records, defined as data: its fields live in `fields` (the
    current version) and in DefinitionVersion (every version), so an administrator
    adds 独居老人 or 退役军人 without a code change or a migration."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    group = models.CharField("大类", max_length=1, choices=Group.choices)
    subject = models.CharField("登记对象", max_length=12, choices=Subject.choices)
    sensitive = models.BooleanField("敏感", default=False)
    builtin = models.BooleanField(default=False)
    # Days between follow-up visits per risk level, e.g. {"high": 30, "medium": 60}.
    visit_days = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    fields = models.JSONField(default=list)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["group", "code"]

    def __str__(self) -> str:
        return self.name


class DefinitionVersion(models.Model):
    definition = models.ForeignKey(Definition, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    fields = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["definition", "version"], name="definition_version")
        ]


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class Record(models.Model):
    """One subject's membership of a category (张三 is 社区矫正人员), with the values
    of the category's fields as they were defined when entered, a risk level, the
    responsible helper and the next follow-up visit."""

    definition = models.ForeignKey(Definition, on_delete=models.PROTECT, related_name="records")
    version = models.PositiveIntegerField()
    subject = models.CharField(max_length=12, choices=Subject.choices)
    subject_id = models.BigIntegerField()
    grid = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = PathField()
    values = models.JSONField(default=dict)
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, blank=True)
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_visit_due = models.DateField(null=True, blank=True)
    last_visit_at = models.DateTimeField(null=True, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    # 矛盾纠纷 is resolved through the event closed loop: dispatch, handling, 督办.
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["region_path", "id"], name="record_path"),
            models.Index(fields=["definition", "region_path"], name="record_category"),
            models.Index(fields=["subject", "subject_id"], name="record_subject"),
            models.Index(fields=["next_visit_due"], name="record_due"),
        ]


class Visit(models.Model):
    """A follow-up (帮扶/走访) of a record: who went, when, what was found."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="visits")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    note = models.TextField()
    risk_level = models.CharField(max_length=8, choices=RiskLevel.choices, blank=True)

    class Meta:
        ordering = ["-at"]


class ImportJob(models.Model):
    """One uploaded spreadsheet on its way into the registry. Every bad row is kept
    with its reason; nothing is committed unless all rows pass, or the user chose
    "valid rows only"."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("校验中")
        DONE = "done", _("已导入")
        REFUSED = "refused", _("有错误，未导入")
        FAILED = "failed", _("出错")

    kind = models.CharField(max_length=32)  # "people" or a definition code
    file_name = models.CharField(max_length=200)
    stored_file = models.CharField(max_length=300)
    valid_only = models.BooleanField(default=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    checked = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [[row, column, message], …]
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)


# ---- running counts, kept by the database itself -----------------------------------


class PopulationCount(models.Model):
    """Active people per grid, kept by triggers on registry_person (migration 0006):
    every write path, imports and COPY included, moves the count in the same
    statement, so the overview sums ~300 rows instead of counting a million."""

    region_path = PathField(unique=True)
    count = models.IntegerField(default=0)


class RecordCount(models.Model):
    """Open category records per grid and category, kept the same way."""

    region_path = PathField()
    definition = models.ForeignKey(
        Definition, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_path", "definition"], name="record_count_key")
        ]
