"""A round's 考核结果通报: every unit's rank, points and grade as published, as a PDF in the letters'
official layout (like `result_report`, of which it is the round's counterpart). Pure: it reads the round,
renders our own template and returns bytes; the fixed wording is Chinese; user text only through
autoescaped variables. The issued version is PDF/A with its number, version and verification block.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone, translation

from core import clock
from core.pdf.engine import (
    DOCUMENT_LANGUAGE,
    PdfRenderError,
)
from responsibility.assessment.audit import ASSESSMENT_CHAIN
from responsibility.assessment.models import AssessmentRound, Objection, ObjectionStatus
from responsibility.assessment.results import final_totals
from responsibility.assessment.rules import grade_bands_of, grade_bands_text, grade_of, points_text, ranks
from responsibility.letters.issued_reports import (
    ReportIssue,
    SealedBlock,
    issued_report_render,
    report_fingerprint,
)
from responsibility.letters.pdf import document_date

TEMPLATE_NAME = "responsibility/pdf/assessment_round_result.html"


class RoundResultRenderError(PdfRenderError):
    """The results could not be laid out: nothing was produced."""


@dataclass
class UnitLine:
    rank: int
    unit: str
    self_points: str
    approved_points: str
    final_points: str
    grade: str
    upheld: int  # objections upheld


@dataclass
class GradeLine:
    grade: str
    units: int


@dataclass
class RoundResult:
    title: str
    round_name: str
    year: int
    scheme: str
    approved_on: str
    grades: str
    units: list[UnitLine]
    by_grade: list[GradeLine]
    objections: int
    upheld: int
    generated_on: str
    sealed: SealedBlock | None = None


def round_result_read(*, assessment_round: AssessmentRound) -> RoundResult:
    with translation.override(DOCUMENT_LANGUAGE):
        return round_result_context(assessment_round=assessment_round, today=clock.today())


def round_result_render_issued(*, report: RoundResult, issue: ReportIssue) -> bytes:
    return issued_report_render(
        report=report,
        issue=issue,
        chain_name=ASSESSMENT_CHAIN.name,
        template_name=TEMPLATE_NAME,
        error=RoundResultRenderError,
        subject=f"Assessment results version {issue.version}",
    )


def round_result_fingerprint(report: RoundResult) -> str:
    return report_fingerprint(report)


def round_result_context(*, assessment_round: AssessmentRound, today: datetime.date) -> RoundResult:
    """Every unit of the round, ranked by final points: a fixed number of queries."""
    assessment_round = AssessmentRound.objects.select_related("scheme").get(pk=assessment_round.pk)
    cards = list(assessment_round.units.select_related("unit"))
    finals = final_totals(assessment_round=assessment_round, unit_ids=[card.pk for card in cards])
    cards.sort(key=lambda card: (-finals[card.pk], card.unit.sort_order, card.unit.code))
    bands = grade_bands_of(assessment_round)
    objections = list(
        Objection.objects.filter(unit_assessment__round=assessment_round).values_list(
            "unit_assessment_id", "status"
        )
    )
    upheld: dict[int, int] = {}
    for card_id, status in objections:
        if status == ObjectionStatus.UPHELD:
            upheld[card_id] = upheld.get(card_id, 0) + 1
    lines = [
        UnitLine(
            rank=place,
            unit=card.unit.name,
            self_points=points_text(card.self_points),
            approved_points=points_text(card.approved_points) if card.approved_points is not None else "—",
            final_points=points_text(finals[card.pk]),
            grade=grade_of(finals[card.pk], bands) if bands else "",
            upheld=upheld.get(card.pk, 0),
        )
        for card, place in zip(cards, ranks([finals[card.pk] for card in cards]), strict=True)
    ]
    scheme = assessment_round.scheme
    return RoundResult(
        title=f"关于{assessment_round.name}结果的通报",
        round_name=assessment_round.name,
        year=assessment_round.year,
        scheme=f"{scheme.name}（第{scheme.version}版）",
        approved_on=document_date(timezone.localtime(assessment_round.approved_at).date())
        if assessment_round.approved_at
        else "",
        grades=grade_bands_text(bands),
        units=lines,
        by_grade=[
            GradeLine(grade=band.name, units=sum(1 for line in lines if line.grade == band.name))
            for band in bands
        ],
        objections=len(objections),
        upheld=sum(upheld.values()),
        generated_on=document_date(today),
    )
