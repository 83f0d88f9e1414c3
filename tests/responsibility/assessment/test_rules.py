"""Each rule kind with the points worked out by hand, and the answers each refuses."""

from decimal import Decimal

import pytest

from responsibility.assessment.models import RuleKind
from responsibility.assessment.rules import (
    AnswerRefused,
    Rule,
    answer_parse,
    grade_bands_parse,
    grade_bands_text,
    grade_of,
    rule_points,
    rule_sentence,
    scheme_points,
)

D = Decimal


def _points(rule: Rule, answer) -> Decimal:
    return rule_points(rule, answer_parse(rule, answer))


def test_fixed_points_are_all_or_nothing():
    rule = Rule(kind=RuleKind.FIXED, points=D(5))

    assert _points(rule, 1) == D("5")
    assert _points(rule, "0") == D("0.00")


@pytest.mark.parametrize(
    ("occurrences", "expected"),
    [(0, "10"), (1, "8"), (3, "4"), (4, "3"), (50, "3")],  # 10 − 2n, never below the floor of 3
)
def test_a_deduction_takes_so_much_a_time_down_to_its_floor(occurrences, expected):
    rule = Rule(kind=RuleKind.DEDUCTION, points=D(10), per_occurrence=D(2), floor=D(3))

    assert _points(rule, occurrences) == D(expected)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("100", "20.00"), ("87.5", "17.50"), ("33.333", "6.67"), ("0", "0.00"), ("0.025", "0.01")],
)
def test_a_ratio_is_the_points_times_the_rate_rounded_half_up_to_the_cent(rate, expected):
    # 20 × 33.333 % = 6.6666 → 6.67; 20 × 0.025 % = 0.005 → 0.01
    rule = Rule(kind=RuleKind.RATIO, points=D(20))

    assert _points(rule, rate) == D(expected)


@pytest.mark.parametrize(("occurrences", "expected"), [(0, "0"), (1, "1.5"), (2, "3"), (3, "4"), (9, "4")])
def test_a_bonus_gives_so_much_a_time_up_to_its_cap(occurrences, expected):
    rule = Rule(kind=RuleKind.BONUS, points=D(4), per_occurrence=D("1.5"))

    assert _points(rule, occurrences) == D(expected)


@pytest.mark.parametrize(
    ("kind", "answer", "code"),
    [
        (RuleKind.FIXED, "2", "fixed"),
        (RuleKind.FIXED, "0.5", "fixed"),
        (RuleKind.DEDUCTION, "1.5", "occurrences"),
        (RuleKind.DEDUCTION, "-1", "occurrences"),
        (RuleKind.BONUS, "1001", "occurrences"),
        (RuleKind.RATIO, "100.01", "rate"),
        (RuleKind.RATIO, "-3", "rate"),
        (RuleKind.RATIO, "百分之九十", "not_a_number"),
        (RuleKind.DEDUCTION, "NaN", "not_a_number"),
        (RuleKind.BONUS, "Infinity", "not_a_number"),
        (RuleKind.FIXED, "", "not_a_number"),
    ],
)
def test_an_answer_the_rule_does_not_take_is_refused_with_what_it_takes(kind, answer, code):
    rule = Rule(
        kind=kind, points=D(10), per_occurrence=D(1) if kind in (RuleKind.DEDUCTION, RuleKind.BONUS) else None
    )

    with pytest.raises(AnswerRefused) as refused:
        answer_parse(rule, answer)

    assert refused.value.code == code


def test_a_units_points_cap_the_scored_part_at_the_total_and_the_bonus_at_its_cap():
    assert scheme_points(scored=D("93.5"), bonus=D(7), total=D(100), bonus_cap=D(5)) == D("98.5")
    assert scheme_points(scored=D(100), bonus=D(2), total=D(100), bonus_cap=D(5)) == D(102)


def test_each_rule_is_stated_as_a_sentence_with_its_figures():
    assert (
        rule_sentence(Rule(kind=RuleKind.DEDUCTION, points=D("10.00"), per_occurrence=D("0.50"), floor=D(3)))
        == "满分10分，每发生一次扣0.5分，最低3分。"
    )
    assert rule_sentence(Rule(kind=RuleKind.BONUS, points=D(4), per_occurrence=D(2))) == (
        "每次加2分，最多加4分。"
    )


# --- Grade bands ---


def test_grade_bands_read_as_the_office_writes_them_and_grade_each_total():
    bands = grade_bands_parse("好 90；较好 80;一般 60\n差 0", highest=Decimal(105))
    assert [(band.name, band.lowest) for band in bands] == [
        ("好", Decimal("90.00")),
        ("较好", Decimal("80.00")),
        ("一般", Decimal("60.00")),
        ("差", Decimal("0.00")),
    ]
    assert [
        grade_of(Decimal(points), bands) for points in ("105", "90", "89.99", "80", "60", "59.5", "0")
    ] == [
        "好",
        "好",
        "较好",
        "较好",
        "一般",
        "差",
        "差",
    ]
    assert grade_bands_text(bands) == "好 90；较好 80；一般 60；差 0"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "好 90",  # one grade
        "好 90；较好 80；一般 60",  # the last does not start at 0
        "好 90；较好 95；差 0",  # not fewer points each time
        "好 90；好 80；差 0",  # a name twice
        "好 110；差 0",  # above the most a unit can score
        "好 -1；差 0",
        "好；差 0",  # no figure
        "好 九十；差 0",
        "特别特别特别特别好 90；差 0",  # a name too long
        "好 90；较好 80；一般 60；差 0；甲 -1；乙 -2；丙 -3",  # too many
    ],
)
def test_grade_bands_that_do_not_read_are_refused(text):
    with pytest.raises(AnswerRefused) as refused:
        grade_bands_parse(text, highest=Decimal(105))
    assert refused.value.code == "grades"
