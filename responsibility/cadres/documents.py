"""The sealed 述责述廉 (述廉〔2026〕N号): the accepted report and its 民主测评 results, issued by the
office once the rating closed, as a sealed, numbered document, one version after another
(core.sealed_reports). Its issue appends a `document_issued` event to the report's history in the
述责述廉 chain."""

import logging
from functools import partial

from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.locks import row_lock
from core.sealed_reports import ReportIssueResult, report_issue_facts, report_version_issue
from responsibility.cadres.audit import cadre_event_record
from responsibility.cadres.models import (
    CadreEventKind,
    IntegrityReport,
    IntegrityReportDocument,
    RatingStatus,
    integrity_report_reference,
)
from responsibility.cadres.permissions import CadreAction, cadre_check_permission

logger = logging.getLogger(__name__)


def integrity_report_document_issue(*, report: IntegrityReport, issued_by) -> ReportIssueResult:
    """Seal and archive the report with its rating results as its next version, which supersedes the earlier
    ones. One that reads exactly as its latest version is not issued again: that version is returned."""
    cadre_check_permission(user=issued_by, action=CadreAction.MANAGE_RATING)
    if report.rating_status != RatingStatus.CLOSED:
        raise ApplicationError(
            _("The report is sealed with its 民主测评 results: close the rating first."), code="rating"
        )
    # Imported here: WeasyPrint and pyHanko load only in the processes that render.
    from responsibility.cadres.report_pdf import (
        integrity_report_fingerprint,
        integrity_report_read,
        integrity_report_render_issued,
    )
    from responsibility.letters.issued_reports import issued_report_make

    pdf = integrity_report_read(report=report)
    fingerprint = integrity_report_fingerprint(pdf)

    def record_event(document: IntegrityReportDocument, superseded: IntegrityReportDocument | None) -> None:
        cadre_event_record(
            subject=f"report:{report.pk}",
            kind=CadreEventKind.DOCUMENT_ISSUED,
            actor=issued_by,
            payload=report_issue_facts(document, superseded),
            digest=document.sha256,
        )

    result = report_version_issue(
        versions=IntegrityReportDocument.objects.filter(report_id=report.pk),
        owner={"report_id": report.pk},
        lock_owner=lambda: row_lock(IntegrityReport, pk=report.pk),
        fingerprint=fingerprint,
        issued_by=issued_by,
        make=partial(
            issued_report_make,
            reference=integrity_report_reference(year=pdf.year, report_id=report.pk),
            fingerprint=fingerprint,
            render=lambda issue: integrity_report_render_issued(pdf=pdf, issue=issue),
        ),
        file_name=lambda version, code: f"{report.pk}-v{version}-{code}.pdf",
        record_event=record_event,
    )
    if result.issued:
        logger.info(
            "述责述廉 report %s sealed as version %d (%d bytes, %s)",
            report.pk,
            result.document.version,
            result.document.size,
            result.document.sha256,
        )
    return result
