"""A round's totals: each unit's self-assessed and approved points, its result after objections (the
approved scores, with each upheld objection's corrected score in place of the one it corrected: the
published rows themselves never change), and the round's summary."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from responsibility.assessment.models import (
    AreaKind,
    AssessmentRound,
    ItemScore,
    Objection,
    ObjectionStatus,
    RoundStatus,
)
from responsibility.assessment.rules import grade_bands_of, grade_of, points_text, scheme_points


def scheme_bonus_cap(scheme) -> Decimal:
    """The most a scheme's bonus area adds (0 without one)."""
    return sum((area.points for area in scheme.areas.all() if area.kind == AreaKind.BONUS), Decimal(0))


def _sums_by_kind(unit_ids, columns: tuple[str, ...]) -> dict[int, dict[str, list[Decimal]]]:
    """Each unit's item scores summed by area kind (scored, bonus), one sum per column: one grouped
    query (`unit_ids` a list of card ids, or a queryset of them)."""
    sums: dict[int, dict[str, list[Decimal]]] = {unit_id: {} for unit_id in unit_ids}
    rows = (
        ItemScore.objects.filter(unit_assessment_id__in=unit_ids)
        .values_list("unit_assessment_id", "item__area__kind")
        .annotate(**{f"sum_{index}": Sum(column) for index, column in enumerate(columns)})
        .order_by()
    )
    for unit_id, kind, *values in rows:
        sums[unit_id][kind] = [value or Decimal(0) for value in values]
    return sums


def _scheme_total(scheme, bonus_cap: Decimal, by_kind: dict[str, list[Decimal]], column: int = 0) -> Decimal:
    """One column of a unit's sums totalled as the scheme totals: scored points never above the scheme's
    total, bonus points up to the bonus area's cap."""
    zero = [Decimal(0)] * (column + 1)
    return scheme_points(
        scored=by_kind.get(AreaKind.SCORED, zero)[column],
        bonus=by_kind.get(AreaKind.BONUS, zero)[column],
        total=scheme.total_points,
        bonus_cap=bonus_cap,
    )


def unit_totals(*, assessment_round: AssessmentRound, unit_ids: list[int]) -> dict[int, tuple]:
    """Each unit's self-assessed and approved totals from its item scores (one grouped query)."""
    scheme = assessment_round.scheme
    bonus_cap = scheme_bonus_cap(scheme)
    sums = _sums_by_kind(unit_ids, ("self_points", "approved_points"))
    return {
        unit_id: (_scheme_total(scheme, bonus_cap, by_kind, 0), _scheme_total(scheme, bonus_cap, by_kind, 1))
        for unit_id, by_kind in sums.items()
    }


def final_totals(*, assessment_round: AssessmentRound, unit_ids) -> dict[int, Decimal]:
    """Each unit's result after objections: its approved scores with each upheld objection's corrected
    score instead, totalled as the scheme totals them (two grouped queries; `unit_ids` a list of card
    ids, or a queryset of them)."""
    scheme = assessment_round.scheme
    bonus_cap = scheme_bonus_cap(scheme)
    sums = _sums_by_kind(unit_ids, ("approved_points",))
    upheld = (
        Objection.objects.filter(unit_assessment_id__in=unit_ids, status=ObjectionStatus.UPHELD)
        .values_list(
            "unit_assessment_id", "score__item__area__kind", "score__approved_points", "corrected_points"
        )
        .order_by()
    )
    for unit_id, kind, was, now in upheld:
        sums[unit_id].setdefault(kind, [Decimal(0)])[0] += now - was
    return {unit_id: _scheme_total(scheme, bonus_cap, by_kind) for unit_id, by_kind in sums.items()}


# --- The round's summary (its charts) ----------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal  # what the bar says (points, or how many units)
    percent: int  # its length, 0 to 100
    note: str = ""
    count: int = 0  # a bar of units: how many


@dataclass(frozen=True)
class Change:
    unit: str
    last: Decimal
    now: Decimal

    @property
    def delta(self) -> Decimal:
        return self.now - self.last


@dataclass(frozen=True)
class RoundSummary:
    by_area: list[Bar]  # each area's average points, of its points
    grades: list[Bar]  # how many units in each grade, of the units graded
    changes: list[Change]  # each unit's points this round and in last year's round of the same scheme
    last_round: AssessmentRound | None


def _percent(part: Decimal, whole: Decimal) -> int:
    return 0 if not whole else max(0, min(100, int((Decimal(100) * part / whole).to_integral_value())))


def unit_points(
    *, pk: int, approved: Decimal | None, self_points: Decimal, finals: dict[int, Decimal]
) -> Decimal:
    """The points a unit stands at: its final points once published, else approved, else self-assessed."""
    if pk in finals:
        return finals[pk]
    return approved if approved is not None else self_points


def round_summary(
    *, assessment_round: AssessmentRound, cards, shown: list, finals: dict[int, Decimal]
) -> RoundSummary:
    """The figures of a round's summary: each area's average and the units by grade over `cards` (a
    queryset of the units the reader sees), and the change from last year of the units `shown` on the
    page; a fixed number of queries whatever the number of units."""
    approved_round = assessment_round.status == RoundStatus.APPROVED
    column = "approved_points" if approved_round else "self_points"
    units = list(cards.order_by().values_list("pk", "approved_points", "self_points"))
    count = len(units)
    areas = list(assessment_round.scheme.areas.order_by("number"))
    cap = {area.pk: area.points for area in areas}
    sums: dict[int, Decimal] = {}
    rows = (
        ItemScore.objects.filter(unit_assessment__in=cards.values("pk"))
        .values_list("unit_assessment_id", "item__area_id")
        .annotate(points=Sum(column))
        .order_by()
    )
    for _card, area_id, points in rows:  # a unit's area at most its points (the bonus area's cap)
        sums[area_id] = sums.get(area_id, Decimal(0)) + min(points or Decimal(0), cap[area_id])
    by_area = []
    for area in areas:
        average = sums.get(area.pk, Decimal(0)) / count if count else Decimal(0)
        label = area.title if area.is_bonus else f"{area.number}. {area.title}"
        by_area.append(
            Bar(
                label=label,
                value=average.quantize(Decimal("0.1")),
                percent=_percent(average, area.points),
                note=points_text(area.points),
            )
        )
    bands = grade_bands_of(assessment_round)
    graded = [
        grade_of(unit_points(pk=pk, approved=approved, self_points=self_points, finals=finals), bands)
        for pk, approved, self_points in units
        if approved is not None
    ]
    grades = (
        [
            Bar(
                label=band.name,
                value=Decimal(graded.count(band.name)),
                count=graded.count(band.name),
                percent=_percent(Decimal(graded.count(band.name)), Decimal(len(graded))),
            )
            for band in bands
        ]
        if graded
        else []
    )
    last_round = (
        AssessmentRound.objects.filter(
            scheme__code=assessment_round.scheme.code,
            year=assessment_round.year - 1,
            status=RoundStatus.APPROVED,
        )
        .order_by("-approved_at")
        .first()
    )
    changes = []
    reviewed = [card for card in shown if card.approved_points is not None]  # reviewed: points that hold
    if last_round is not None and reviewed:
        last_cards = {
            card.unit_id: card for card in last_round.units.filter(unit_id__in=[c.unit_id for c in reviewed])
        }
        last_finals = final_totals(
            assessment_round=last_round, unit_ids=[card.pk for card in last_cards.values()]
        )
        for card in reviewed:
            before = last_cards.get(card.unit_id)
            if before is not None:
                now = unit_points(
                    pk=card.pk, approved=card.approved_points, self_points=card.self_points, finals=finals
                )
                changes.append(Change(unit=card.unit.name, last=last_finals[before.pk], now=now))
    return RoundSummary(by_area=by_area, grades=grades, changes=changes, last_round=last_round)
