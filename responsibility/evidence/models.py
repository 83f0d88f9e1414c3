"""Evidence files: what an uploaded proof is, and the one record it belongs to."""

import functools
import operator

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock

# The records an evidence file may belong to (exactly one of them).
EVIDENCE_OWNERS = (
    "check_result",
    "finding",
    "rectification",
    "measure",
    "batch",
    "performance_record",
    "item_score",
    "file_document",
)


class EvidenceFile(models.Model):
    """An uploaded file that proves something (佐证材料). Checked by content, hashed, served as a download.

    It belongs to exactly one record: a check result, a finding, a rectification, a rectification measure,
    a problem list (its documents: the feedback, the meeting's list), a performance record, a unit's
    self-assessment of an assessment item or a document of a cadre's 廉政档案.
    """

    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    check_result = models.ForeignKey(
        "responsibility.CheckResult", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    finding = models.ForeignKey(
        "responsibility.Finding", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    rectification = models.ForeignKey(
        "responsibility.Rectification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
    )
    measure = models.ForeignKey(
        "responsibility.Measure", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    batch = models.ForeignKey(
        "responsibility.ProblemBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    performance_record = models.ForeignKey(
        "responsibility.PerformanceRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
    )
    item_score = models.ForeignKey(
        "responsibility.ItemScore", on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    file_document = models.ForeignKey(
        "responsibility.FileDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="evidencefile_one_owner",
                condition=functools.reduce(
                    operator.or_,
                    (
                        Q(**{f"{owner}__isnull": owner != chosen for owner in EVIDENCE_OWNERS})
                        for chosen in EVIDENCE_OWNERS
                    ),
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
