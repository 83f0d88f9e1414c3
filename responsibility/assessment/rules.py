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
