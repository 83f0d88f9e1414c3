"""A unit's sealed 考核结果: issued by the office once the round is approved, as a sealed, numbered
document, one version after another (core.sealed_reports). Its issue appends the `result_issued` event to
the assessment chain, whose digest is the sealed file's SHA-256. A result that reads as its latest version
is not issued again; after an upheld objection it reads otherwise, and the next version supersedes.
"""

import logging

from django.utils.translation import gettext as _

from core.locks import row_lock
from core.sealed_reports import ReportIssueResult, report_version_issue
from responsibility.assessment.audit import assessment_event_record
from responsibility.assessment.models import (
    AssessmentEventKind,
    AssessmentResultDocument,
    UnitAssessment,
    assessment_result_reference,
)
from responsibility.assessment.permissions import round_check_open_permission
from responsibility.assessment.services.rounds import RoundRefused

logger = logging.getLogger(__name__)


def assessment_result_issue(*, unit_assessment: UnitAssessment, issued_by) -> ReportIssueResult:
    """Seal and archive the unit's published result as its next version (the office)."""
    round_check_open_permission(user=issued_by)
    # Imported here: WeasyPrint and pyHanko load only in the processes that render.
    from responsibility.assessment.result_report import (
        assessment_result_fingerprint,
        assessment_result_read,
        assessment_result_render_issued,
    )
    from responsibility.letters.issued_reports import issued_report_make

    card = UnitAssessment.objects.select_related("round", "unit").get(pk=unit_assessment.pk)
    if card.round.is_open:
        raise RoundRefused(
            _("The result is issued once the Party Group has approved the results."), code="not_published"
        )
    report = assessment_result_read(unit_assessment=card)
    fingerprint = assessment_result_fingerprint(report)
    reference = assessment_result_reference(year=card.round.year, unit_assessment_id=card.pk)

    def record_event(document, superseded) -> None:
        assessment_event_record(
            round=card.round,
            subject=f"unit:{card.pk}",
            kind=AssessmentEventKind.RESULT_ISSUED,
            actor=issued_by,
            digest=document.sha256,
            payload={
                "unit": {"id": card.unit_id, "name": card.unit.name},
                "version": document.version,
                "code": document.verification_code,
                "supersedes": superseded.version if superseded is not None else None,
                "anchor": document.anchor.number if document.anchor is not None else None,
                "points": report.final_points,
                "grade": report.grade,
            },
        )

    result = report_version_issue(
        versions=AssessmentResultDocument.objects.filter(unit_assessment_id=card.pk),
        owner={"unit_assessment_id": card.pk},
        lock_owner=lambda: row_lock(UnitAssessment, pk=card.pk),
        fingerprint=fingerprint,
        issued_by=issued_by,
        make=lambda version, code: issued_report_make(
            reference=reference,
            version=version,
            code=code,
            fingerprint=fingerprint,
            render=lambda issue: assessment_result_render_issued(report=report, issue=issue),
        ),
        file_name=lambda version, code: f"{card.pk}-v{version}-{code}.pdf",
        record_event=record_event,
    )
    if result.issued:
        logger.info(
            "Assessment result of unit assessment %s issued as version %d (%s)",
            card.pk,
            result.document.version,
            result.document.sha256,
        )
    return result
