"""慧停车: the places (路内 segments and 路外 lots) and their spaces, the tariffs
they charge by (versioned), the plate cameras that watch them, what the cameras
saw (passages), the stays built from them (sessions), and the money: orders,
payments, refunds and each day's reconciliation. Money is integer fen."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.lib.fields import PathField
from pingan.parking import plates
from pingan.parking.tariffs import Rates


class Tariff(models.Model):
    """A named charging scheme; what it charges is in its versions."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TariffVersion(models.Model):
    """The rates of a tariff from a moment on. A stay is charged by the version
    valid when it began, however long it lasts."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateTimeField()
    free_minutes = models.PositiveIntegerField(default=0)
    free_deducted = models.BooleanField(default=False)
    first_minutes = models.PositiveIntegerField(default=0)
    first_fen = models.PositiveIntegerField(default=0)
    step_minutes = models.PositiveIntegerField(default=60)
    step_fen = models.PositiveIntegerField(default=0)
    night_from = models.TimeField(null=True, blank=True)
    night_until = models.TimeField(null=True, blank=True)
    night_step_minutes = models.PositiveIntegerField(default=60)
    night_step_fen = models.PositiveIntegerField(default=0)
    cap_fen = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["tariff", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["tariff", "valid_from"], name="parking_tariff_version_once"
            )
        ]

    def rates(self) -> Rates:
        return Rates(
            free_minutes=self.free_minutes,
            free_deducted=self.free_deducted,
            first_minutes=self.first_minutes,
            first_fen=self.first_fen,
            step_minutes=self.step_minutes,
            step_fen=self.step_fen,
            night_from=self.night_from,
            night_until=self.night_until,
            night_step_minutes=self.night_step_minutes,
            night_step_fen=self.night_step_fen,
            cap_fen=self.cap_fen,
        )


class PlaceKind(models.TextChoices):
    STREET = "street", _("路内")
    LOT = "lot", _("路外")


class Place(models.Model):
    """A 路内 segment (a road between two points, its numbered spaces) or a 路外
    lot (gates, capacity). `occupied` is the live count of its open sessions,
    changed in the same transaction as they are; `pingan parking recount` checks it."""

    code = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=10, choices=PlaceKind.choices)
    name = models.CharField(max_length=100)
    road = models.CharField(max_length=100, blank=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = PathField()
    lng = models.FloatField()
    lat = models.FloatField()
    line = models.JSONField(null=True, blank=True)  # a segment's [[lng, lat], [lng, lat]]
    capacity = models.PositiveIntegerField(default=0)
    occupied = models.IntegerField(default=0)
    opens = models.TimeField(null=True, blank=True)  # None: always open
    closes = models.TimeField(null=True, blank=True)
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="places")
    part = models.OneToOneField(
        "things.Part",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parking_place",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["region_path"], name="parking_place_path")]

    def __str__(self) -> str:
        return self.name

    @property
    def free(self) -> int:
        return max(self.capacity - self.occupied, 0)


class SpaceKind(models.TextChoices):
    ORDINARY = "ordinary", _("普通")
    ACCESSIBLE = "accessible", _("无障碍")
    CHARGING = "charging", _("新能源充电")
    FIXED = "fixed", _("固定/包月")


class Space(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="spaces")
    number = models.CharField(max_length=20)
    kind = models.CharField(max_length=12, choices=SpaceKind.choices, default=SpaceKind.ORDINARY)

    class Meta:
        ordering = ["place", "number"]
        constraints = [
            models.UniqueConstraint(fields=["place", "number"], name="parking_space_once")
        ]


class CameraRole(models.TextChoices):
    ENTRY = "entry", _("入口")
    EXIT = "exit", _("出口")
    OVERHEAD = "overhead", _("高位视频")


class PlateCamera(models.Model):
    """A plate-recognition camera, known by its serial number. One that pushes
    without being known is recorded (place empty, not accepted) for an
    administrator to place; until then its pushes are refused."""

    serial = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="cameras"
    )
    role = models.CharField(max_length=10, choices=CameraRole.choices, default=CameraRole.ENTRY)
    accepted = models.BooleanField(default=False)
    address = models.CharField(max_length=64, blank=True)
    part = models.OneToOneField(
        "things.Part", null=True, blank=True, on_delete=models.SET_NULL, related_name="plate_camera"
    )
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    refused = models.PositiveIntegerField(default=0)  # pushes refused while unknown

    class Meta:
        ordering = ["serial"]

    def __str__(self) -> str:
        return self.name or self.serial


class Direction(models.TextChoices):
    IN = "in", _("驶入")
    OUT = "out", _("驶出")


class Review(models.TextChoices):
    NONE = "", _("无需确认")
    NEEDED = "needed", _("待人工确认")
    CONFIRMED = "confirmed", _("已确认")
    CORRECTED = "corrected", _("已更正")


class Passage(models.Model):
    """One vehicle passing a gate or parking on / leaving a space, as a camera
    saw it: `at` is the camera's time (sessions are built by it), `received_at`
    ours. A second report of the same passage points at the first and is never
    paired."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="passages")
    camera = models.ForeignKey(
        PlateCamera, null=True, blank=True, on_delete=models.SET_NULL, related_name="passages"
    )
    source_id = models.CharField(
        max_length=64, blank=True
    )  # the camera's plateid or the sender's id
    plate = models.CharField(max_length=12, blank=True, db_index=True)  # normalised; "" 无牌车
    plate_raw = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=12, choices=plates.Kind.choices)
    colour = models.PositiveSmallIntegerField(
        choices=plates.Colour.choices, default=plates.Colour.UNKNOWN
    )
    valid = models.BooleanField(default=True)
    confidence = models.PositiveSmallIntegerField(default=100)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    space = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField()
    received_at = models.DateTimeField()
    offline = models.BooleanField(default=False)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    review = models.CharField(
        max_length=10, choices=Review.choices, default=Review.NONE, blank=True
    )
    # Why the entry barrier stayed closed (the lot full, closed hours): the car did
    # not come in, so the passage is kept but never paired.
    refused = models.CharField(max_length=40, blank=True, default="")
    image = models.FileField(upload_to="parking/%Y/%m/%d/", blank=True)
    order = 0  # in memory: where a passage not yet stored came in its batch

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["place", "plate", "at"], name="parking_passage_plate"),
            models.Index(fields=["received_at"], name="parking_passage_received"),
            models.Index(
                fields=["review"], name="parking_passage_review", condition=Q(review="needed")
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["camera", "source_id"],
                name="parking_passage_once",
                condition=~Q(source_id=""),
            )
        ]


class SessionState(models.TextChoices):
    OPEN = "open", _("在场")
    CLOSED = "closed", _("已离场")
    STALE = "stale", _("无离场记录")
    EXIT_ONLY = "exit_only", _("无入场记录")


class Exemption(models.TextChoices):
    NONE = "", _("无")
    WHITELIST = "whitelist", _("白名单")
    PASS = "pass", _("月卡/固定车位")
    WAIVED = "waived", _("减免")


class Session(models.Model):
    """A stay at a place: an entry passage and an exit passage of one plate, or
    one of them alone (flagged). Its fee is by the tariff version valid at entry;
    `by_day` keeps what it charged each local day, for the daily cap."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="sessions")
    region_path = PathField()
    plate = models.CharField(max_length=12, blank=True)
    entry = models.OneToOneField(
        Passage, null=True, blank=True, on_delete=models.PROTECT, related_name="entered"
    )
    exit = models.OneToOneField(
        Passage, null=True, blank=True, on_delete=models.PROTECT, related_name="left"
    )
    entered_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=SessionState.choices)
    version = models.ForeignKey(
        TariffVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fee_fen = models.PositiveIntegerField(default=0)
    by_day = models.JSONField(default=dict, blank=True)
    paid_fen = models.PositiveIntegerField(default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    exemption = models.CharField(
        max_length=10, choices=Exemption.choices, default=Exemption.NONE, blank=True
    )
    arrears = models.BooleanField(default=False)  # 欠费: left unpaid past the grace
    ticket = models.CharField(max_length=8, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    # In memory while services.Timeline pairs passages; never stored.
    entry_p: Passage | None = None
    exit_p: Passage | None = None
    first_state: str = ""

    class Meta:
        ordering = ["-entered_at", "-id"]
        indexes = [
            models.Index(fields=["place", "state"], name="parking_session_state"),
            models.Index(fields=["plate", "arrears"], name="parking_session_owed"),
            models.Index(fields=["region_path", "left_at"], name="parking_session_left"),
            models.Index(fields=["entered_at"], name="parking_session_entered"),
        ]

    @property
    def due_fen(self) -> int:
        return max(self.fee_fen - self.paid_fen, 0)

    @property
    def minutes(self) -> int | None:
        if self.entered_at is None or self.left_at is None:
            return None
        return int((self.left_at - self.entered_at).total_seconds() // 60)


class Permit(models.Model):
    """A monthly pass or a fixed space (the space named), or a whitelisted plate
    (police, ambulance, fire): stays under it cost nothing."""

    class Kind(models.TextChoices):
        PASS = "pass", _("月卡")
        FIXED = "fixed", _("固定车位")
        WHITELIST = "whitelist", _("白名单")

    plate = models.CharField(max_length=12, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="permits"
    )  # None: every place
    space = models.ForeignKey(
        Space, null=True, blank=True, on_delete=models.SET_NULL, related_name="permits"
    )
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["plate", "valid_from"]


class OrderState(models.TextChoices):
    UNPAID = "unpaid", _("待支付")
    PAID = "paid", _("已支付")
    CLOSED = "closed", _("已关闭")
    REFUNDED = "refunded", _("已退款")


class Order(models.Model):
    """What a driver pays at once: every due stay of a plate the page showed, each a line."""

    number = models.CharField(max_length=32, unique=True)
    plate = models.CharField(max_length=12, blank=True)
    amount_fen = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=OrderState.choices, default=OrderState.UNPAID)
    gateway = models.CharField(max_length=20)
    code_url = models.CharField(max_length=300, blank=True)  # what the QR code says
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="lines")
    amount_fen = models.PositiveIntegerField()


class Payment(models.Model):
    """A gateway's word that money arrived, verified; the gateway's own id makes a
    repeated callback the same payment."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=20)
    gateway_id = models.CharField(max_length=64)
    amount_fen = models.PositiveIntegerField()
    paid_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    surplus = models.BooleanField(default=False)  # the order was already paid: to refund

    class Meta:
        ordering = ["-paid_at"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "gateway_id"], name="parking_payment_once")
        ]


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    number = models.CharField(max_length=32, unique=True)
    amount_fen = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    gateway_refund_id = models.CharField(max_length=64, blank=True)


class Reconciliation(models.Model):
    """One day's orders, payments and sessions set against each other."""

    day = models.DateField(unique=True)
    figures = models.JSONField(default=dict)
    problems = models.JSONField(default=list)
    made_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
