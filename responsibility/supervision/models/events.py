"""The hash-chained supervision audit trail: its events and the head of its chain."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.appendonly import AppendOnlyModel
from core.audit import CHAIN_FORMAT_MORE_COLUMNS
from responsibility.supervision.models.inspections import InspectionPlan
from responsibility.supervision.models.problems import ProblemBatch


class InspectionEventKind(models.TextChoices):
    PLAN_CREATED = "plan_created", _("Plan created")
    PLAN_UPDATED = "plan_updated", _("Plan changed")
    PLAN_CLOSED = "plan_closed", _("Plan closed")
    DRAWN = "drawn", _("Units drawn")
    REDRAWN = "redrawn", _("Units drawn again")
    RESULT_RECORDED = "result_recorded", _("Result recorded")
    INSPECTION_COMPLETED = "inspection_completed", _("Inspection completed")
    BATCH_OPENED = "batch_opened", _("Problem list opened")
    BATCH_UPDATED = "batch_updated", _("Problem list changed")
    BATCH_RECONCILED = "batch_reconciled", _("Problem list reconciled")
    REPORT_ISSUED = "report_issued", _("Rectification report issued")
    CARRIED_OVER = "carried_over", _("Carried over")
    FINDING_RECORDED = "finding_recorded", _("Finding recorded")
    FINDING_UPDATED = "finding_updated", _("Finding changed")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    MEASURE_ADDED = "measure_added", _("Measure added")
    MEASURE_UPDATED = "measure_updated", _("Measure changed")
    MEASURE_REPORTED = "measure_reported", _("Measure reported done")
    RECHECK_DRAWN = "recheck_drawn", _("Closed problems drawn for a re-check")
    RECHECKED = "rechecked", _("Re-checked")
    SUBMITTED = "submitted", _("Rectification submitted")
    SENT_BACK = "sent_back", _("Sent back for more work")
    VERIFIED = "verified", _("Rectification verified")
    CLOSED = "closed", _("Ticked off the ledger")


class InspectionEvent(AppendOnlyModel):
    """Append-only, hash-chained record of every step of supervision (its own chain beside the letters')."""

    sequence = models.PositiveBigIntegerField(unique=True)
    # The plan the step was in (none for a problem list of another source), and the problem list
    # (问题清单) of a finding's step (format 3: hashed; none before format 3, and for a plan's own steps).
    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    batch = models.ForeignKey(
        ProblemBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    # What the step was about: "draw:3", "inspection:12", "batch:5" (a problem list), "finding:40" (a
    # finding and its rectification and measures).
    subject = models.CharField(_("about"), max_length=40)
    kind = models.CharField(_("action"), max_length=24, choices=InspectionEventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A person's own words (a reason, a summary); what the system knows goes in the payload.
    note = models.TextField(_("note"), blank=True)
    # The event's facts, by kind (supervision.audit says which and reads them out as a sentence).
    payload = models.JSONField(_("details"), default=dict, editable=False)
    # How the event hashes (core.audit): 1 for the events written before payloads, 2 since, 3 since
    # events name their problem list (`batch`).
    chain_format = models.PositiveSmallIntegerField(
        _("chain format"), default=CHAIN_FORMAT_MORE_COLUMNS, editable=False
    )
    # A fingerprint of what the step wrote (the draw's record hash, an evidence file's SHA-256).
    digest = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")
        ordering = ["sequence"]
        indexes = [models.Index(fields=["subject", "sequence"], name="inspectionevent_subject_idx")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.subject} {self.kind}"


class InspectionAuditHead(models.Model):
    """The end of the inspection audit chain, locked while an event is appended."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("inspection audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence} {self.last_hash[:12]}"
