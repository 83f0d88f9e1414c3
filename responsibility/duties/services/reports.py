"""The year-end report (年度履职报告): issued as a sealed, numbered document, one version after another
(core.sealed_reports). Its issue appends a `report_issued` event to the duty audit chain.
"""

import logging
from functools import partial

from core.locks import row_lock
from core.sealed_reports import ReportIssueResult, report_issue_facts, report_version_issue
from responsibility.duties.audit import duty_event_record
from responsibility.duties.models import (
    DutyAssignment,
    DutyEventKind,
    DutyReportDocument,
    duty_report_reference,
)
from responsibility.duties.permissions import DutyAction, duty_check_permission

logger = logging.getLogger(__name__)


def duty_report_issue(*, assignment: DutyAssignment, issued_by) -> ReportIssueResult:
    """Seal and archive the assignment's year-end report as its next version, which supersedes the earlier
    ones (core.sealed_reports). A report that reads exactly as its latest version is not issued again: that
    version is returned."""
    duty_check_permission(user=issued_by, action=DutyAction.ISSUE_REPORT, assignment=assignment)
    # Imported here: WeasyPrint and pyHanko load only in the processes that render.
    from responsibility.duties.pdf import duty_report_fingerprint, duty_report_read, duty_report_render_issued
    from responsibility.letters.issued_reports import issued_report_make

    report = duty_report_read(assignment=assignment)
    fingerprint = duty_report_fingerprint(report)

    def record_event(document: DutyReportDocument, superseded: DutyReportDocument | None) -> None:
        duty_event_record(
            assignment_id=assignment.pk,
            subject=f"report:{document.pk}",
            kind=DutyEventKind.REPORT_ISSUED,
            actor=issued_by,
            payload={
                **report_issue_facts(document, superseded),
                "sha256": document.sha256,
            },
            digest=document.sha256,
        )

    result = report_version_issue(
        versions=DutyReportDocument.objects.filter(assignment_id=assignment.pk),
        owner={"assignment_id": assignment.pk},
        lock_owner=lambda: row_lock(DutyAssignment, pk=assignment.pk),
        fingerprint=fingerprint,
        issued_by=issued_by,
        make=partial(
            issued_report_make,
            reference=duty_report_reference(year=assignment.year, assignment_id=assignment.pk),
            fingerprint=fingerprint,
            render=lambda issue: duty_report_render_issued(report=report, issue=issue),
        ),
        file_name=lambda version, code: f"{assignment.pk}-v{version}-{code}.pdf",
        record_event=record_event,
    )
    if result.issued:
        document = result.document
        logger.info(
            "Year-end report of duty assignment %s issued as version %d (%d bytes, %s)",
            assignment.pk,
            document.version,
            document.size,
            document.sha256,
        )
    return result
