"""A unit's sealed 考核结果, and the round's 考核结果通报 (every unit ranked): issued by the office once the
round is approved, as sealed, numbered documents, one version after another (core.sealed_reports). Each
issue appends its event to the assessment chain, whose digest is the sealed file's SHA-256. A document
that reads as its latest version is not issued again; after an upheld objection it reads otherwise, and
the next version supersedes.
"""

import logging
from functools import partial

from django.utils.translation import gettext as _

from core.locks import row_lock
from core.sealed_reports import ReportIssueResult, report_issue_facts, report_version_issue
from responsibility.assessment.audit import assessment_event_record
from responsibility.assessment.models import (
    AssessmentEventKind,
    AssessmentResultDocument,
    AssessmentRound,
    AssessmentRoundResultDocument,
    UnitAssessment,
    assessment_result_reference,
    round_result_reference,
)
from responsibility.assessment.permissions import round_check_open_permission
from responsibility.assessment.services.rounds import RoundRefused

logger = logging.getLogger(__name__)


def _published_check(assessment_round: AssessmentRound) -> None:
    """Results are sealed once the Party Group has approved them."""
    if assessment_round.is_open:
        raise RoundRefused(
            _("The result is issued once the Party Group has approved the results."), code="not_published"
        )


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
    _published_check(card.round)
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
                **report_issue_facts(document, superseded),
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
        make=partial(
            issued_report_make,
            reference=reference,
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


def round_result_issue(*, assessment_round: AssessmentRound, issued_by) -> ReportIssueResult:
    """Seal and archive the round's 考核结果通报 (every unit ranked) as its next version (the office)."""
    round_check_open_permission(user=issued_by)
    from responsibility.assessment.round_report import (
        round_result_fingerprint,
        round_result_read,
        round_result_render_issued,
    )
    from responsibility.letters.issued_reports import issued_report_make

    locked_round = AssessmentRound.objects.get(pk=assessment_round.pk)
    _published_check(locked_round)
    report = round_result_read(assessment_round=locked_round)
    fingerprint = round_result_fingerprint(report)
    reference = round_result_reference(year=locked_round.year, round_id=locked_round.pk)

    def record_event(document, superseded) -> None:
        assessment_event_record(
            round=locked_round,
            subject=f"round:{locked_round.pk}",
            kind=AssessmentEventKind.ROUND_RESULT_ISSUED,
            actor=issued_by,
            digest=document.sha256,
            payload={
                **report_issue_facts(document, superseded),
                "units": len(report.units),
            },
        )

    return report_version_issue(
        versions=AssessmentRoundResultDocument.objects.filter(round_id=locked_round.pk),
        owner={"round_id": locked_round.pk},
        lock_owner=lambda: row_lock(AssessmentRound, pk=locked_round.pk),
        fingerprint=fingerprint,
        issued_by=issued_by,
        make=partial(
            issued_report_make,
            reference=reference,
            fingerprint=fingerprint,
            render=lambda issue: round_result_render_issued(report=report, issue=issue),
        ),
        file_name=lambda version, code: f"round-{locked_round.pk}-v{version}-{code}.pdf",
        record_event=record_event,
    )
