"""The anchors (链头存证): where every audit chain's head stood at a moment, timestamped by an RFC 3161
service, each anchor chained to the one before it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.appendonly import AppendOnlyModel


class AnchorReason(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")  # the daily beat task, mailed to the audit administrators
    SEAL = "seal", _("Sealing a document")  # printed into the sealed PDF (a letter, a year-end report)
    MANUAL = "manual", _("On request")  # manage.py anchor_audit_chains


class ChainAnchor(AppendOnlyModel):
    """One anchor: every chain's (last sequence, last hash), the digest of that statement, and the
    timestamp token a time-stamping authority signed over the digest (none when no service is set up,
    or it failed: then `timestamp_error` says why and the anchor still stands as a dated record)."""

    number = models.PositiveBigIntegerField(_("number"), unique=True)
    reason = models.CharField(_("reason"), max_length=16, choices=AnchorReason.choices)
    # What was being sealed (the letter's reference), for a seal anchor.
    subject = models.CharField(_("subject"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"))
    # {"letter": {"sequence": 12, "hash": "…"}, "inspection": {…}, …}: every registered chain.
    heads = models.JSONField(_("chain heads"))
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    timestamp_url = models.CharField(_("time-stamping service"), max_length=300, blank=True)
    timestamp_token = models.BinaryField(_("timestamp token"), blank=True, default=b"")
    timestamped_at = models.DateTimeField(_("timestamp time"), null=True, blank=True)
    timestamp_error = models.CharField(_("timestamp error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("chain anchor")
        verbose_name_plural = _("chain anchors")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                name="chainanchor_reason_valid", condition=models.Q(reason__in=AnchorReason.values)
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.digest[:12]}"

    @property
    def is_timestamped(self) -> bool:
        return bool(self.timestamp_token)
