"""A round's results as an Excel workbook: the units (rank, totals, grade, points by area), then every
item of every unit (answer, points, approved score and reason).

Written with openpyxl's write-only mode, reading the item scores as a stream: the memory it takes does
not grow with the round. Text stays text (`core.spreadsheets.text_cell`); points are numbers.
"""

import io
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.spreadsheets import sheet_create, text_cell
from responsibility.assessment.models import AssessmentRound, ItemScore, RoundStatus, UnitAssessment
from responsibility.assessment.rules import answer_words, grade_bands_of, grade_of, ranks

# Item scores read from the database a batch at a time.
CHUNK = 2000


def _number(value: Decimal | None):
    """Points as a number Excel shows as written (2, 0.5), or an empty cell."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def round_results_workbook(
    assessment_round: AssessmentRound, cards: list[UnitAssessment], finals: dict[int, Decimal] | None = None
) -> bytes:
    """The round's results for `cards` (the units the reader may see, in the order to list them); once
    published, `finals` are their points after objections, which rank and grade them."""
    workbook = Workbook(write_only=True)
    approved = assessment_round.status == RoundStatus.APPROVED
    bands = grade_bands_of(assessment_round)
    areas = list(assessment_round.scheme.areas.order_by("number"))
    by_area: dict[tuple[int, int], Decimal] = {
        (row["unit_assessment_id"], row["item__area_id"]): row["points"]
        for row in ItemScore.objects.filter(unit_assessment__in=[card.pk for card in cards])
        .values("unit_assessment_id", "item__area_id")
        .annotate(points=Sum("approved_points"))
        .order_by()
    }
    columns = [
        (_("Rank"), 6),
        (_("Unit"), 28),
        (_("Status"), 12),
        (_("Self-assessed points"), 12),
        (_("Approved points"), 12),
        (_("Final points"), 12),
        (_("Grade"), 8),
        *((f"{area.number}. {area.title}" if not area.is_bonus else area.title, 14) for area in areas),
    ]
    sheet = sheet_create(workbook, _("Results"), columns)
    finals = finals or {}
    places = ranks([finals[card.pk] for card in cards]) if approved else [None] * len(cards)
    for card, place in zip(cards, places, strict=True):
        sheet.append(
            [
                place,
                text_cell(sheet, card.unit.name),
                text_cell(sheet, card.get_status_display()),
                _number(card.self_points),
                _number(card.approved_points),
                _number(finals.get(card.pk)),
                text_cell(sheet, grade_of(finals.get(card.pk, card.approved_points), bands))
                if card.approved_points is not None
                else None,
                *(_number(by_area.get((card.pk, area.pk))) for area in areas),
            ]
        )
    details = sheet_create(
        workbook,
        _("Scores by item"),
        [
            (_("Unit"), 28),
            (_("No."), 6),
            (_("What is assessed"), 40),
            (_("Self-assessment"), 10),
            (_("Self-assessed points"), 10),
            (_("Explanation"), 40),
            (_("Approved answer"), 10),
            (_("Approved points"), 10),
            (_("Reason"), 40),
        ],
    )
    names = {card.pk: card.unit.name for card in cards}
    scores = (
        ItemScore.objects.filter(unit_assessment__in=list(names))
        .select_related("item")
        .order_by(
            "unit_assessment__unit__sort_order",
            "unit_assessment__unit__code",
            "item__area__number",
            "item__order",
        )
    )
    for score in scores.iterator(chunk_size=CHUNK):
        item = score.item
        details.append(
            [
                text_cell(details, names[score.unit_assessment_id]),
                text_cell(details, item.number),
                text_cell(details, item.content),
                text_cell(details, answer_words(score.self_answer, item.rule)),
                _number(score.self_points),
                text_cell(details, score.explanation),
                text_cell(
                    details,
                    answer_words(score.approved_answer, item.rule)
                    if score.approved_points is not None
                    else "",
                ),
                _number(score.approved_points),
                text_cell(details, score.reason),
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
