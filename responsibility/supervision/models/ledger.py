"""The whole ledger's counts of a day, kept in the database beside the cache (`supervision.ledger_counts`)."""

from django.db import models


class KeptLedgerCounts(models.Model):
    """One day's counts of every finding as at a position of the inspection audit chain: what a reading
    starts from when the cache has lost them (a cache restarted without persistence, another process's
    memory), so that only the blocks changed since are counted again.

    Derived, not evidence: `counts` is signed with the secret key (`django.core.signing`), so a row
    changed in the database is not read, and the position is checked against the chain before use. The
    latest full count replaces the row; days before are removed.
    """

    day = models.DateField(unique=True)
    sequence = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    counts = models.TextField()
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.day.isoformat()} @ {self.sequence}"
