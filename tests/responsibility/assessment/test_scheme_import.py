"""Importing a scheme from the office's spreadsheet: all or nothing, every problem named by its row."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from responsibility.assessment.models import (
    AnsweredBy,
    AreaKind,
    AssessmentScheme,
    RuleKind,
    SchemeArea,
    SchemeItem,
    SchemeStatus,
)
from responsibility.assessment.scheme_workbook import SchemeImportRefused, scheme_workbook
from responsibility.assessment.services.schemes import scheme_import
from tests.responsibility.assessment.workbooks import SOUND_ROWS, changed, scheme_xlsx

pytestmark = pytest.mark.django_db


def _refused(org, workbook) -> list[tuple[str, int | None, str]]:
    with pytest.raises(SchemeImportRefused) as refused:
        scheme_import(workbook_file=workbook, imported_by=org.office_admin)
    assert not AssessmentScheme.objects.exists()
    assert not SchemeArea.objects.exists() and not SchemeItem.objects.exists()
    return [(error.sheet, error.row, error.message) for error in refused.value.errors]


def test_a_sound_workbook_becomes_a_draft_with_its_areas_and_items_in_order(org):
    scheme = scheme_import(workbook_file=scheme_xlsx(), imported_by=org.office_admin)

    assert (scheme.name, scheme.version, scheme.status, scheme.total_points) == (
        "党风廉政建设责任制考核",
        1,
        SchemeStatus.DRAFT,
        Decimal(40),
    )
    areas = list(scheme.areas.order_by("number").values_list("number", "title", "kind", "points"))
    assert areas == [
        (1, "落实主体责任", AreaKind.SCORED, Decimal(25)),
        (2, "问题整改", AreaKind.SCORED, Decimal(15)),
        (3, "加分项", AreaKind.BONUS, Decimal(5)),
    ]
    items = list(
        SchemeItem.objects.filter(scheme=scheme)
        .order_by("area__number", "order")
        .values_list(
            "number",
            "rule",
            "points",
            "per_occurrence",
            "floor",
            "evidence_required",
            "answered_by",
            "indicator",
        )
    )
    assert items == [
        (
            "1.1",
            RuleKind.RATIO,
            Decimal(10),
            None,
            Decimal(0),
            False,
            AnsweredBy.SYSTEM,
            "letters_signed_on_time",
        ),
        ("1.2", RuleKind.FIXED, Decimal(5), None, Decimal(0), True, AnsweredBy.UNIT, ""),
        ("1.3", RuleKind.DEDUCTION, Decimal(10), Decimal(2), Decimal(0), True, AnsweredBy.UNIT, ""),
        (
            "2.1",
            RuleKind.RATIO,
            Decimal(10),
            None,
            Decimal(0),
            False,
            AnsweredBy.SYSTEM,
            "problems_rectified_on_time",
        ),
        (
            "2.2",
            RuleKind.DEDUCTION,
            Decimal(5),
            Decimal(1),
            Decimal(1),
            False,
            AnsweredBy.SYSTEM,
            "recheck_failures",
        ),
        ("3.1", RuleKind.BONUS, Decimal(4), Decimal(2), Decimal(0), True, AnsweredBy.UNIT, ""),
        ("3.2", RuleKind.BONUS, Decimal(3), Decimal(1), Decimal(0), True, AnsweredBy.UNIT, ""),
    ]
    assert len(scheme.source_sha256) == 64


def test_an_exported_scheme_imports_again_as_it_was(org):
    first = scheme_import(workbook_file=scheme_xlsx(), imported_by=org.office_admin)

    again = scheme_import(workbook_file=scheme_workbook(first), imported_by=org.office_admin)

    def contents(scheme):
        return (
            scheme.name,
            scheme.total_points,
            list(scheme.areas.order_by("number").values_list("number", "title", "kind", "points")),
            list(
                SchemeItem.objects.filter(scheme=scheme)
                .order_by("area__number", "order")
                .values_list(
                    "number",
                    "content",
                    "standard",
                    "rule",
                    "points",
                    "per_occurrence",
                    "floor",
                    "evidence_required",
                    "answered_by",
                    "indicator",
                )
            ),
        )

    assert contents(again) == contents(first)


def test_the_template_imports_as_it_is(org):
    scheme = scheme_import(workbook_file=scheme_workbook(None), imported_by=org.office_admin)

    assert scheme.areas.count() == 2 and SchemeItem.objects.filter(scheme=scheme).count() == 3


@pytest.mark.parametrize(
    ("rows", "sheet", "row", "words"),
    [
        # an area's scoring points that do not add up to the area's points
        (changed(1, c7=6), "评分细则", 2, "合计26分"),
        # a scoring point number used twice
        (changed(2, c3="1.2"), "评分细则", 4, "已在第3行使用"),
        # a bonus item's cap above the bonus area's
        (changed(5, c7=6), "评分细则", 7, "高于加分项总上限"),
        # a deduction without its points per occurrence
        (changed(2, c8=None), "评分细则", 4, "需要填写"),
        # a fixed item with points per occurrence
        (changed(1, c8=1), "评分细则", 3, "应留空"),
        # a floor at the item's points
        (changed(4, c9=5), "评分细则", 6, "应低于评分点的分值"),
        # an indicator the system does not compute
        (changed(0, c12="群众满意度"), "评分细则", 2, "没有“群众满意度”这一指标"),
        # the system answering with evidence required
        (changed(0, c10="是"), "评分细则", 2, "无需佐证材料"),
        # a rate indicator scored per occurrence
        (changed(0, c6="按次扣分", c8=1), "评分细则", 2, "是比率"),
        # a unit's item naming an indicator
        (changed(1, c12="问题按期整改率"), "评分细则", 3, "填报方为单位时"),
        # a rule nobody knows
        (changed(1, c6="酌情扣分"), "评分细则", 3, "不是有效的计分方式"),
        # points with three decimals, and negative points
        (changed(1, c7="4.999"), "评分细则", 3, "超过两位小数"),
        (changed(1, c7=-5), "评分细则", 3, "不是0到1000之间的分数"),
        # an area's title that differs on a later row
        (changed(1, c1="主体责任"), "评分细则", 3, "与同一方面第2行不一致"),
        # a formula where text is expected
        (changed(1, c4='=HYPERLINK("http://x")'), "评分细则", 3, "是公式"),
        # bonus items mixed into a scored area
        (changed(1, c6="按次加分", c8=1), "评分细则", 2, "同时包含加分项和计分项"),
    ],
)
def test_a_workbook_with_a_problem_is_refused_by_its_row_and_nothing_is_saved(org, rows, sheet, row, words):
    errors = _refused(org, scheme_xlsx(rows))

    assert any(error[0] == sheet and error[1] == row and words in error[2] for error in errors), errors


def test_scored_areas_that_do_not_add_up_to_the_total_are_refused_on_the_scheme_sheet(org):
    errors = _refused(org, scheme_xlsx(total=100))

    assert errors == [("考核方案", 2, "各计分方面分值合计40分，与总分100分不符。")]


def test_two_bonus_areas_are_refused(org):
    rows = [
        *SOUND_ROWS,
        (4, "其他加分", 2, "4.1", "获得荣誉", "", "按次加分", 2, 1, None, "否", "单位", None),
    ]

    errors = _refused(org, scheme_xlsx(rows))

    assert any("只能有一个加分项方面" in message for _sheet, _row, message in errors)


@pytest.mark.parametrize(
    ("workbook", "words"),
    [
        (b"not a spreadsheet", "不是 Excel"),
        (scheme_xlsx(scheme_rows=[]), "只填一行"),
        (scheme_xlsx(scheme_rows=[("甲", 40, ""), ("乙", 40, "")]), "只填一行"),
        (scheme_xlsx(rows=[]), "没有评分点"),
        (scheme_xlsx(total=0), "总分应大于0"),
    ],
)
def test_a_workbook_that_is_not_a_scheme_is_refused_with_what_is_wrong(org, workbook, words):
    with pytest.raises(SchemeImportRefused) as refused:
        scheme_import(workbook_file=workbook, imported_by=org.office_admin)

    messages = [str(refused.value), *(error.message for error in refused.value.errors)]
    assert any(words in message for message in messages), messages
    assert not AssessmentScheme.objects.exists()


@pytest.mark.parametrize("who", ["inspector", "secretary", "outsider"])
def test_only_the_office_imports_a_scheme(org, who):
    with pytest.raises(PermissionDenied):
        scheme_import(workbook_file=scheme_xlsx(), imported_by=getattr(org, who))

    assert not AssessmentScheme.objects.exists()
