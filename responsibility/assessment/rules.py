"""How an item's answer becomes its points: the one place the rule kinds are defined.

An answer is one number whose meaning the rule gives: FIXED, 1 when the standard is met and 0 when not;
DEDUCTION and BONUS, how many times (a whole number); RATIO, a rate in per cent (0 to 100). Points are
kept to two decimals, rounded half up, as the paper forms round them.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import ApplicationError
from responsibility.assessment.models import RuleKind

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# More occurrences than this is not an answer anyone writes (and would not change a floored score).
MAX_OCCURRENCES = 1000


class AnswerRefused(ApplicationError):
    """The answer is not one the item's rule accepts; nothing was recorded."""


@dataclass(frozen=True)
class Rule:
    """An item's rule with its figures (from a `SchemeItem`, or an imported row being checked)."""

    kind: str
    points: Decimal  # the item's points; a bonus item's cap
    per_occurrence: Decimal | None = None
    floor: Decimal = Decimal(0)

    @classmethod
    def of(cls, item) -> "Rule":
        return cls(kind=item.rule, points=item.points, per_occurrence=item.per_occurrence, floor=item.floor)


def points_round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def answer_parse(rule: Rule, value) -> Decimal:
    """The answer as a number the rule accepts, or AnswerRefused saying what it takes."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise AnswerRefused(
            _("“%(value)s” is not a number.") % {"value": value}, code="not_a_number"
        ) from None
    if not number.is_finite():
        raise AnswerRefused(_("“%(value)s” is not a number.") % {"value": value}, code="not_a_number")
    if rule.kind == RuleKind.FIXED and number not in (0, 1):
        raise AnswerRefused(_("Answer 1 when the standard is met and 0 when it is not."), code="fixed")
    if rule.kind in (RuleKind.DEDUCTION, RuleKind.BONUS) and (
        number != number.to_integral_value() or not 0 <= number <= MAX_OCCURRENCES
    ):
        raise AnswerRefused(
            _("Write how many times, a whole number from 0 to %(max)d.") % {"max": MAX_OCCURRENCES},
            code="occurrences",
        )
    if rule.kind == RuleKind.RATIO and not 0 <= number <= HUNDRED:
        raise AnswerRefused(_("Write a rate in per cent, from 0 to 100."), code="rate")
    return number


def rule_points(rule: Rule, answer: Decimal) -> Decimal:
    """The points an accepted answer (`answer_parse`) earns under the rule."""
    if rule.kind == RuleKind.FIXED:
        return rule.points if answer == 1 else Decimal(0).quantize(CENT)
    if rule.kind == RuleKind.DEDUCTION:
        return points_round(max(rule.points - answer * rule.per_occurrence, rule.floor))
    if rule.kind == RuleKind.RATIO:
        return points_round(rule.points * answer / HUNDRED)
    return points_round(min(answer * rule.per_occurrence, rule.points))


def rule_sentence(rule: Rule) -> str:
    """The rule as the item's page states it (评分方法)."""
    figures = {
        "points": points_text(rule.points),
        "per": points_text(rule.per_occurrence or Decimal(0)),
        "floor": points_text(rule.floor),
    }
    if rule.kind == RuleKind.FIXED:
        return _("Met: %(points)s points; not met: none.") % figures
    if rule.kind == RuleKind.DEDUCTION:
        return _("%(points)s points, less %(per)s for each occurrence, not below %(floor)s.") % figures
    if rule.kind == RuleKind.RATIO:
        return _("%(points)s points times the rate.") % figures
    return _("%(per)s points for each occurrence, at most %(points)s.") % figures


def points_text(value: Decimal) -> str:
    """Points as written on the forms: 2, 0.5, 1.25 (no trailing zeros)."""
    return format(Decimal(value).normalize(), "f")


def scheme_points(*, scored: Decimal, bonus: Decimal, total: Decimal, bonus_cap: Decimal) -> Decimal:
    """A unit's points: its scored points (never above the scheme's total) and its bonus, up to the cap."""
    return points_round(min(scored, total) + min(bonus, bonus_cap))


# --- Grade bands (等次) ------------------------------------------------------------------------------

# A round's grades unless the office sets others: the lowest points of each, best first.
DEFAULT_GRADE_BANDS = "好 90；较好 80；一般 60；差 0"
MAX_GRADES = 6
MAX_GRADE_NAME = 8


@dataclass(frozen=True)
class GradeBand:
    name: str
    lowest: Decimal  # the fewest points that earn it


def grade_bands_parse(text: str, *, highest: Decimal) -> list[GradeBand]:
    """Grade bands as the office writes them (「好 90；较好 80；一般 60；差 0」): best first, each with the
    fewest points that earn it, strictly fewer each time, the last at 0 so that every unit has a grade,
    none above the most a unit can score (`highest`). AnswerRefused says what is wrong."""
    parts = [part.strip() for part in str(text or "").replace(";", "；").replace("\n", "；").split("；")]
    parts = [part for part in parts if part]
    if not 2 <= len(parts) <= MAX_GRADES:
        raise AnswerRefused(
            _(
                "Write from 2 to %(max)d grades, best first, each with its lowest points: "
                "好 90；较好 80；一般 60；差 0."
            )
            % {"max": MAX_GRADES},
            code="grades",
        )
    bands: list[GradeBand] = []
    for part in parts:
        name, _space, figure = part.rpartition(" ")
        name = name.strip()
        try:
            lowest = Decimal(figure.strip())
        except InvalidOperation:
            lowest = None
        if not name or len(name) > MAX_GRADE_NAME or lowest is None or not lowest.is_finite():
            raise AnswerRefused(
                _("“%(part)s” is not a grade and its lowest points, such as “较好 80”.") % {"part": part},
                code="grades",
            )
        if lowest < 0 or lowest > highest:
            raise AnswerRefused(
                _("The lowest points of “%(name)s” must be from 0 to %(highest)s.")
                % {"name": name, "highest": points_text(highest)},
                code="grades",
            )
        if bands and (lowest >= bands[-1].lowest or name in {band.name for band in bands}):
            raise AnswerRefused(
                _("Grades go from best to worst, each with fewer points and its own name (“%(name)s”).")
                % {"name": name},
                code="grades",
            )
        bands.append(GradeBand(name=name, lowest=points_round(lowest)))
    if bands[-1].lowest != 0:
        raise AnswerRefused(
            _("The last grade starts at 0 points, so that every unit has a grade."), code="grades"
        )
    return bands


def grade_of(points: Decimal, bands: list[GradeBand]) -> str:
    """The best grade whose lowest points the unit reached."""
    return next(band.name for band in bands if points >= band.lowest)


def grade_bands_text(bands: list[GradeBand]) -> str:
    return "；".join(f"{band.name} {points_text(band.lowest)}" for band in bands)


def grade_bands_of(assessment_round) -> list[GradeBand]:
    """A round's grade bands as it stores them."""
    return [GradeBand(name=name, lowest=Decimal(lowest)) for name, lowest in assessment_round.grade_bands]


def answer_words(value: Decimal | None, rule: str) -> str:
    """An answer as its rule reads it: met or not, so many times, a rate; a dash when unanswered."""
    if value is None:
        return "—"
    if rule == RuleKind.FIXED:
        return _("Met") if value == 1 else _("Not met")
    if rule == RuleKind.RATIO:
        return f"{points_text(value)}%"
    return _("%(count)s times") % {"count": points_text(value)}


def ranks(points: list[Decimal]) -> list[int]:
    """Ranks of totals listed best first: equal points share a rank (并列), the next rank counts them all
    (90, 90, 85 rank 1, 1, 3)."""
    result: list[int] = []
    for position, value in enumerate(points, start=1):
        result.append(result[-1] if result and value == points[position - 2] else position)
    return result
