"""Links to the platforms of the levels above and below (市县乡互联互通): each peer
with its address and signing keys, the code tables between the two, and the
messages in both directions. Every message sent is a row of the outbox, written
in the transaction of the change it tells; every message received is a row of
the inbox, written in the transaction of its effect. docs/links.md."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    UPPER = "upper", _("上级平台")
    LOWER = "lower", _("下级平台")


class Link(models.Model):
    """Another installation: the peer's region code (海东市 630200 above a district,
    平安区 630203 below a city), where it listens, and the keys both sides sign
    with (Standard Webhooks `whsec_…`; the first signs alone unless rotating: every
    key listed signs, and a signature by any of them is accepted)."""

    name = models.CharField(max_length=50)
    side = models.CharField(max_length=8, choices=Side.choices)
    region_code = models.CharField(max_length=12, unique=True)
    base_url = models.URLField()
    keys = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["side", "region_code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.region_code}，{self.get_side_display()}）"


class MappingKind(models.TextChoices):
    CATEGORY = "category", _("事件类别")
    DEPARTMENT = "department", _("职能部门")
    REGION = "region", _("区划")


class Mapping(models.Model):
    """One code of ours and the peer's code for the same thing. A code with no row
    is never guessed: the message waits and the code is listed (Unmapped)."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="mappings")
    kind = models.CharField(max_length=12, choices=MappingKind.choices)
    ours = models.CharField(max_length=32)
    theirs = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "kind", "ours"], name="links_mapping_ours"),
            models.UniqueConstraint(fields=["link", "kind", "theirs"], name="links_mapping_theirs"),
        ]


class Unmapped(models.Model):
    """A code a message needed that no mapping row translates, for the administrator."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="unmapped")
    kind = models.CharField(max_length=12, choices=MappingKind.choices)
    code = models.CharField(max_length=32)
    direction = models.CharField(max_length=8)  # "out": ours to send, "in": theirs received
    times = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["link", "kind", "code", "direction"], name="links_unmapped_once"
            )
        ]


class Message(models.Model):
    """The outbox: one message to one link. `body` holds the exact bytes signed and
    sent (every retry sends them again under the same webhook id). `subject` and
    `seq` order the messages of one thing (an event): the receiver applies them
    in seq order, and the sender sends a subject's next only after its last.
    Seq 0: a message on its own (a ping, a day's figures), in no order."""

    class State(models.TextChoices):
        WAITING = "waiting", _("待发送")
        DELIVERED = "delivered", _("已送达")
        DEAD = "dead", _("投递失败（待处理）")

    link = models.ForeignKey(Link, on_delete=models.PROTECT, related_name="messages")
    webhook_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=40)
    subject = models.CharField(max_length=80)
    seq = models.PositiveIntegerField()
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=40, blank=True)  # the claim's token
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    answer = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["state", "next_at"], name="links_message_due"),
            models.Index(fields=["link", "subject", "seq"], name="links_message_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "subject", "seq"],
                condition=models.Q(seq__gt=0),
                name="links_message_seq_once",
            )
        ]


class Received(models.Model):
    """The inbox: one message accepted from one link, with the answer it was given
    (a repeat of its webhook id gets that answer again). A message ahead of its
    subject's next seq is held until the ones before it arrive."""

    class State(models.TextChoices):
        APPLIED = "applied", _("已处理")
        HELD = "held", _("等待前序消息")

    link = models.ForeignKey(Link, on_delete=models.PROTECT, related_name="received")
    webhook_id = models.CharField(max_length=40)
    body_hash = models.CharField(max_length=64)
    type = models.CharField(max_length=40)
    subject = models.CharField(max_length=80)
    seq = models.PositiveIntegerField()
    body = models.TextField()
    state = models.CharField(max_length=8, choices=State.choices)
    answer = models.JSONField(default=dict)
    received_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["link", "webhook_id"], name="links_received_once"),
            models.UniqueConstraint(
                fields=["link", "subject", "seq"],
                condition=models.Q(seq__gt=0),
                name="links_received_seq_once",
            ),
        ]
        indexes = [models.Index(fields=["link", "subject", "state"], name="links_received_subject")]


class Subject(models.Model):
    """How far the messages of one thing from one link have been applied: the row
    is locked while one is, so two arriving at once are applied one after the
    other, in order."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="subjects")
    name = models.CharField(max_length=80)
    applied_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "name"], name="links_subject_once")]


class LinkedEvent(models.Model):
    """An event that lives on both sides of a link, known on both by where it was
    born: the platform's code and its id there (the key every message about it
    carries)."""

    link = models.ForeignKey(Link, on_delete=models.PROTECT, related_name="events")
    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(max_length=12)
    origin_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["origin", "origin_id"], name="links_event_origin")
        ]

    @property
    def subject(self) -> str:
        return f"event/{self.origin}/{self.origin_id}"


class Figures(models.Model):
    """A lower platform's running counts of one day, as it sent them (the latest
    sending of the day replaces the one before)."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="figures")
    day = models.DateField()
    data = models.JSONField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["link", "day"], name="links_figures_day")]


class Checkpoint(models.Model):
    """The head of a lower platform's journal as it said it was (seq, hash). A later
    one that names a seq already known with another hash means its history was
    rewritten: the row is kept, flagged, and shown on the links page."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="checkpoints")
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    received_at = models.DateTimeField()
    conflict = models.BooleanField(default=False)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["link", "seq"], name="links_checkpoint_seq")]
