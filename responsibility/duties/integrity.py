"""Sealed year-end reports held to what was sealed: each stored PDF to the SHA-256 taken when it was
issued, and that SHA-256 to the `report_issued` event that recorded it in the duty audit chain (PostgreSQL
refuses to change either row; a file replaced in or removed from storage shows here)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.integrity import IntegrityCheck, IntegrityProblem, integrity_check_register, sealed_pdf_problem
from responsibility.duties.models import DutyEvent, DutyEventKind, DutyReportDocument

BATCH_SIZE = 500


def duty_report_file_problem(document: DutyReportDocument, *, recorded: str | None) -> str:
    """Why the issued report no longer matches its record ("" when it does); `recorded` is the SHA-256
    its issuing event holds (None when the chain has no such event)."""
    if recorded is None:
        return _("The audit chain holds no event of its issue.")
    if recorded != document.sha256:
        return _("Its SHA-256 differs from the one the audit chain recorded when it was issued.")
    return sealed_pdf_problem(document.file, document.sha256)


def _duty_reports_check():
    recorded = dict(
        DutyEvent.objects.filter(kind=DutyEventKind.REPORT_ISSUED).values_list("subject", "digest")
    )
    documents = DutyReportDocument.objects.select_related("assignment").order_by("pk")
    for document in documents.iterator(chunk_size=BATCH_SIZE):
        reason = duty_report_file_problem(document, recorded=recorded.get(f"report:{document.pk}"))
        if reason:
            subject = _("Year-end report %(reference)s, version %(version)d") % {
                "reference": document.reference,
                "version": document.version,
            }
            yield IntegrityProblem(subject, reason)


integrity_check_register(
    IntegrityCheck("duty_reports", gettext_lazy("sealed year-end reports in storage"), _duty_reports_check)
)
