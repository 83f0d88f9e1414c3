"""Sealed 整改情况报告 held to what was sealed: each stored PDF to the SHA-256 taken when it was issued, and
that SHA-256 to the list's `report_issued` event that recorded it in the inspection audit chain
(PostgreSQL refuses to change either row; a file replaced in or removed from storage shows here)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.integrity import IntegrityCheck, IntegrityProblem, integrity_check_register, sealed_pdf_problem
from responsibility.supervision.models import (
    InspectionEvent,
    InspectionEventKind,
    RectificationReportDocument,
)

BATCH_SIZE = 500


def rectification_report_file_problem(document: RectificationReportDocument, *, recorded: set[str]) -> str:
    """Why the issued report no longer matches its record ("" when it does); `recorded`: the SHA-256s the
    list's `report_issued` events hold."""
    if document.sha256 not in recorded:
        return _("The audit chain holds no event of its issue with this SHA-256.")
    return sealed_pdf_problem(document.file, document.sha256)


def _rectification_reports_check():
    recorded: dict[int, set[str]] = {}
    events = InspectionEvent.objects.filter(kind=InspectionEventKind.REPORT_ISSUED)
    for batch_id, digest in events.values_list("batch_id", "digest"):
        recorded.setdefault(batch_id, set()).add(digest)
    documents = RectificationReportDocument.objects.select_related("batch").order_by("pk")
    for document in documents.iterator(chunk_size=BATCH_SIZE):
        reason = rectification_report_file_problem(document, recorded=recorded.get(document.batch_id, set()))
        if reason:
            subject = _("Rectification report %(reference)s, version %(version)d") % {
                "reference": document.reference,
                "version": document.version,
            }
            yield IntegrityProblem(subject, reason)


integrity_check_register(
    IntegrityCheck(
        "rectification_reports",
        gettext_lazy("sealed rectification reports in storage"),
        _rectification_reports_check,
    )
)
