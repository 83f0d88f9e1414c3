"""A round's results after objections: the approved scores, with each upheld objection's corrected
score in place of the one it corrected (the published rows themselves never change)."""

from decimal import Decimal

from django.db.models import Sum

from responsibility.assessment.models import AreaKind, AssessmentRound, ItemScore, Objection, ObjectionStatus
from responsibility.assessment.rules import scheme_points


def final_totals(*, assessment_round: AssessmentRound, unit_ids: list[int]) -> dict[int, Decimal]:
    """Each unit's result after objections: its approved scores with each upheld objection's corrected
    score instead, totalled as the scheme totals them (two grouped queries)."""
    scheme = assessment_round.scheme
    bonus_cap = sum((area.points for area in scheme.areas.all() if area.kind == AreaKind.BONUS), Decimal(0))
    sums: dict[int, dict[str, Decimal]] = {unit_id: {} for unit_id in unit_ids}
    approved = (
        ItemScore.objects.filter(unit_assessment_id__in=unit_ids)
        .values("unit_assessment_id", "item__area__kind")
        .annotate(points=Sum("approved_points"))
        .order_by()
    )
    for row in approved:
        sums[row["unit_assessment_id"]][row["item__area__kind"]] = row["points"] or Decimal(0)
    upheld = (
        Objection.objects.filter(unit_assessment_id__in=unit_ids, status=ObjectionStatus.UPHELD)
        .values_list(
            "unit_assessment_id", "score__item__area__kind", "score__approved_points", "corrected_points"
        )
        .order_by()
    )
    for unit_id, kind, was, now in upheld:
        sums[unit_id][kind] = sums[unit_id].get(kind, Decimal(0)) - was + now
    return {
        unit_id: scheme_points(
            scored=by_kind.get(AreaKind.SCORED, Decimal(0)),
            bonus=by_kind.get(AreaKind.BONUS, Decimal(0)),
            total=scheme.total_points,
            bonus_cap=bonus_cap,
        )
        for unit_id, by_kind in sums.items()
    }
