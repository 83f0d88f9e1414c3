"""A problem list's 整改情况报告: issued, once the list is reconciled, as a sealed, numbered document, one
version after another (core.sealed_reports). Its issue appends the list's `report_issued` event to the
inspection audit chain, whose digest is the sealed file's SHA-256.
"""

import logging
from functools import partial

from core.locks import row_lock
from core.sealed_reports import ReportIssueResult, report_issue_facts, report_version_issue
from responsibility.supervision.audit import inspection_events_append
from responsibility.supervision.models import (
    InspectionEventKind,
    ProblemBatch,
    RectificationReportDocument,
    rectification_report_reference,
)
from responsibility.supervision.permissions import rectification_report_check_issue_permission
from responsibility.supervision.services.problems import _batch_event

logger = logging.getLogger(__name__)


def rectification_report_issue(*, batch: ProblemBatch, issued_by) -> ReportIssueResult:
    """Seal and archive the reconciled list's report as its next version, which supersedes the earlier
    ones. A report that reads exactly as its latest version is not issued again: that version is
    returned (a second click, or nothing changed since)."""
    rectification_report_check_issue_permission(user=issued_by, batch=batch)
    # Imported here: WeasyPrint and pyHanko load only in the processes that render.
    from responsibility.letters.issued_reports import issued_report_make
    from responsibility.supervision.rectification_report import (
        rectification_report_fingerprint,
        rectification_report_read,
        rectification_report_render_issued,
    )

    report = rectification_report_read(batch=batch)
    fingerprint = rectification_report_fingerprint(report)
    reference = rectification_report_reference(year=batch.year, batch_id=batch.pk)

    def record_event(document, superseded) -> None:
        inspection_events_append(
            events=[
                _batch_event(
                    batch,
                    kind=InspectionEventKind.REPORT_ISSUED,
                    actor=issued_by,
                    payload={
                        **report_issue_facts(document, superseded),
                        "problems": report.figures.problems,
                        "closed": report.figures.closed,
                    },
                    digest=document.sha256,
                )
            ]
        )

    result = report_version_issue(
        versions=RectificationReportDocument.objects.filter(batch_id=batch.pk),
        owner={"batch_id": batch.pk},
        lock_owner=lambda: row_lock(ProblemBatch, pk=batch.pk),
        fingerprint=fingerprint,
        issued_by=issued_by,
        make=partial(
            issued_report_make,
            reference=reference,
            fingerprint=fingerprint,
            render=lambda issue: rectification_report_render_issued(report=report, issue=issue),
        ),
        file_name=lambda version, code: f"{batch.pk}-v{version}-{code}.pdf",
        record_event=record_event,
    )
    if result.issued:
        document = result.document
        logger.info(
            "Rectification report of problem list %s issued as version %d (%d bytes, %s)",
            batch.pk,
            document.version,
            document.size,
            document.sha256,
        )
    return result
