"""A unit's 考核结果: the published result of one round, as a PDF in the letters' official layout.

Pure, like the other reports: it reads the round and the unit's card, renders our own template with the
core PDF engine and returns bytes. The fixed wording is Chinese, as in the letters; user text reaches the
HTML only through autoescaped variables. Two renderings: the issued result (PDF/A-3b with its number,
version, verification block and the chain anchor; the service seals it) and the working draft (工作稿).

The result says where the system's own records stood when its items were counted: the positions of the
letter, inspection and 一岗双责 chains the `indicators_counted` event recorded, and that event's digest of
every figure, so that the count can be redone against those positions.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.utils import timezone, translation

from core import clock
from core.audit import AUDIT_CHAINS
from core.pdf.engine import (
    DOCUMENT_LANGUAGE,
    OFFICIAL_DOCUMENT_STYLESHEETS,
    PDF_VARIANT,
    PdfRenderError,
    html_to_pdf,
)
from core.pdf.fonts import font_template_context
from responsibility.assessment.audit import ASSESSMENT_CHAIN
from responsibility.assessment.indicators import INDICATORS
from responsibility.assessment.models import (
    AssessmentEventKind,
    Objection,
    ObjectionStatus,
    UnitAssessment,
)
from responsibility.assessment.results import final_totals
from responsibility.assessment.rules import (
    Rule,
    answer_words,
    grade_bands_of,
    grade_bands_text,
    grade_of,
    points_text,
    ranks,
    rule_sentence,
)
from responsibility.letters.issued_reports import (
    ReportIssue,
    SealedBlock,
    report_fingerprint,
    report_sealed_block,
)
from responsibility.letters.pdf import chinese_numeral, document_date

TEMPLATE_NAME = "responsibility/pdf/assessment_result.html"


class AssessmentResultRenderError(PdfRenderError):
    """The result could not be laid out: nothing was produced."""


@dataclass
class ItemLine:
    number: str
    content: str
    rule: str
    answered_by_system: bool
    self_answer: str
    self_points: str
    approved_answer: str
    approved_points: str
    reason: str
    objection: str  # the objection and its answer, in a sentence; "" without one


@dataclass
class AreaBlock:
    numeral: str
    title: str
    points: str
    bonus: bool
    items: list[ItemLine] = field(default_factory=list)


@dataclass
class AssessmentResult:
    title: str
    round_name: str
    year: int
    unit: str
    scheme: str
    total_points: str
    approved_on: str
    self_points: str
    approved_points: str
    final_points: str
    corrected: bool  # an upheld objection changed the points
    grade: str
    rank: int
    units: int
    grades: str
    areas: list[AreaBlock]
    counted_at: str
    counted_heads: str  # 「责任书审计链第120号、监督检查审计链第58号、一岗双责审计链第33号」
    counted_digest: str
    generated_on: str
    sealed: SealedBlock | None = None


def assessment_result_read(*, unit_assessment: UnitAssessment) -> AssessmentResult:
    """What the unit's result says today (labels in the document's language)."""
    with translation.override(DOCUMENT_LANGUAGE):
        return assessment_result_context(unit_assessment=unit_assessment, today=clock.today())


def assessment_result_render(*, unit_assessment: UnitAssessment) -> bytes:
    """The working draft (工作稿): a plain PDF, never sealed."""
    return _pdf(
        assessment_result_read(unit_assessment=unit_assessment),
        subject=f"Assessment result {unit_assessment.pk}",
    )


def assessment_result_render_issued(*, report: AssessmentResult, issue: ReportIssue) -> bytes:
    """The issued result as PDF/A-3b, ready to seal."""
    resources: dict[str, tuple[str, bytes]] = {}
    with translation.override(DOCUMENT_LANGUAGE):
        sealed = report_sealed_block(issue, chain_name=ASSESSMENT_CHAIN.name, resources=resources)
    return _pdf(
        replace(report, sealed=sealed),
        resources=resources,
        pdf_variant=PDF_VARIANT,
        subject=f"Assessment result version {issue.version}",
    )


def assessment_result_fingerprint(report: AssessmentResult) -> str:
    return report_fingerprint(report)


def _pdf(report: AssessmentResult, *, resources=None, pdf_variant=None, subject: str) -> bytes:
    return html_to_pdf(
        template_name=TEMPLATE_NAME,
        context={"report": report, **font_template_context()},
        resources=resources,
        pdf_variant=pdf_variant,
        error=AssessmentResultRenderError,
        subject=subject,
        stylesheets=OFFICIAL_DOCUMENT_STYLESHEETS,
    )


def _day(moment: datetime.datetime | None) -> str:
    return document_date(timezone.localtime(moment).date()) if moment is not None else ""


def _objection_sentence(objection: Objection | None, rule: str) -> str:
    if objection is None:
        return ""
    lodged = f"{_day(objection.lodged_at)}提出异议：{objection.text}"
    if objection.status == ObjectionStatus.UPHELD:
        answer = (
            f"{_day(objection.answered_at)}予以采纳，核准分调整为{points_text(objection.corrected_points)}分"
            f"（{answer_words(objection.corrected_answer, rule)}），理由：{objection.reply}"
        )
    elif objection.status == ObjectionStatus.REJECTED:
        answer = f"{_day(objection.answered_at)}不予采纳，理由：{objection.reply}"
    else:
        answer = "待答复"
    return lodged + ("" if lodged.endswith(("。", "！", "？")) else "。") + answer


def assessment_result_context(*, unit_assessment: UnitAssessment, today: datetime.date) -> AssessmentResult:
    """Everything the result shows, in a fixed number of queries whatever the number of items."""
    card = UnitAssessment.objects.select_related("round__scheme", "round__approved_by", "unit").get(
        pk=unit_assessment.pk
    )
    assessment_round = card.round
    scheme = assessment_round.scheme
    everyone = list(assessment_round.units.all())
    finals = final_totals(assessment_round=assessment_round, unit_ids=[other.pk for other in everyone])
    order = sorted(everyone, key=lambda other: -finals[other.pk])
    rank = dict(zip((other.pk for other in order), ranks([finals[other.pk] for other in order]), strict=True))
    objections = {objection.score_id: objection for objection in card.objections.all()}
    areas: list[AreaBlock] = []
    scores = card.scores.select_related("item__area").order_by("item__area__number", "item__order")
    for score in scores:
        item, area = score.item, score.item.area
        if not areas or areas[-1].title != area.title:
            areas.append(
                AreaBlock(
                    numeral=f"（{chinese_numeral(len(areas) + 1)}）",
                    title=area.title,
                    points=points_text(area.points),
                    bonus=area.is_bonus,
                )
            )
        indicator = INDICATORS.get(item.indicator)
        areas[-1].items.append(
            ItemLine(
                number=item.number,
                content=item.content,
                rule=rule_sentence(Rule.of(item)),
                answered_by_system=indicator is not None,
                self_answer=(f"系统计算：{indicator.name} " if indicator else "")
                + answer_words(score.self_answer, item.rule),
                self_points=points_text(score.self_points) if score.self_points is not None else "未作答",
                approved_answer=answer_words(score.approved_answer, item.rule),
                approved_points=points_text(score.approved_points)
                if score.approved_points is not None
                else "—",
                reason=score.reason,
                objection=_objection_sentence(objections.get(score.pk), item.rule),
            )
        )
    counted = (
        assessment_round.events.filter(kind=AssessmentEventKind.INDICATORS_COUNTED)
        .order_by("-sequence")
        .first()
    )
    heads = counted.payload.get("heads", {}) if counted is not None else {}
    final = finals[card.pk]
    return AssessmentResult(
        title=f"{card.unit.name}{assessment_round.name}结果",
        round_name=assessment_round.name,
        year=assessment_round.year,
        unit=card.unit.name,
        scheme=f"{scheme.name}（第{scheme.version}版）",
        total_points=points_text(scheme.total_points),
        approved_on=_day(assessment_round.approved_at),
        self_points=points_text(card.self_points),
        approved_points=points_text(card.approved_points) if card.approved_points is not None else "—",
        final_points=points_text(final),
        corrected=card.approved_points is not None and final != card.approved_points,
        grade=grade_of(final, grade_bands_of(assessment_round)) if assessment_round.grade_bands else "",
        rank=rank[card.pk],
        units=len(everyone),
        grades=grade_bands_text(grade_bands_of(assessment_round)),
        areas=areas,
        counted_at=_day(assessment_round.counted_at),
        counted_heads="、".join(
            f"{AUDIT_CHAINS[name].label}第{sequence}号"
            for name, sequence in sorted(heads.items())
            if name in AUDIT_CHAINS
        ),
        counted_digest=counted.digest if counted is not None else "",
        generated_on=document_date(today),
    )
