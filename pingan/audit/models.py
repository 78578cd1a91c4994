"""The audit journal: append-only, each row chained to the one before by a hash.

The application refuses to update or delete rows (here), and the database refuses
too (triggers in the migration); `pingan audit verify` finds rows changed or removed
by anyone who got past both.
"""

from __future__ import annotations

from django.db import models

from pingan.lib.fields import PathField


class AppendOnlyError(RuntimeError):
    pass


class JournalQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit journal is append-only")

    def delete(self):
        raise AppendOnlyError("the audit journal is append-only")


class JournalEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    region_path = PathField(blank=True, db_index=True)
    ip = models.CharField(max_length=45, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = JournalQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["object_type", "object_id"], name="journal_object")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the audit journal is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit journal is append-only")


# The hash the first row follows.
GENESIS = "0" * 64


class JournalHead(models.Model):
    """One row holding the last sequence number and hash. Appending locks it, which
    serialises writers, and it lets verify notice a deleted last row."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
    # Rows from this seq on are keyed (HMAC with the audit key); rows before it were
    # written before the key existed and carry a plain SHA-256. Checkpoints record it,
    # so moving it up to pass rewritten rows off as old ones is caught.
    keyed_from = models.PositiveBigIntegerField(default=1)


class Archive(models.Model):
    """A month of a partitioned history table taken out of the database into a file
    (history/services.py; the journal's by audit/archive.py). For the journal the
    row is the chain's anchor: verify starts after `last_seq` from `last_hash`,
    and the signature (the audit key) keeps anyone from moving the anchor to skip
    rows they removed."""

    table = models.CharField(max_length=64)
    month = models.DateField()
    rows = models.PositiveBigIntegerField(default=0)
    file = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    first_seq = models.PositiveBigIntegerField(default=0)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    signature = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["table", "month"]
        constraints = [models.UniqueConstraint(fields=["table", "month"], name="archive_once")]
