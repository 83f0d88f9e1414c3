"""Importing a problem list from the office's spreadsheet: every row, or none and each problem by its row."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from core.errors import ApplicationError
from responsibility.supervision import problem_import
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import Finding, InspectionEvent, Measure, ProblemBatch
from responsibility.supervision.problem_import import (
    ProblemImportRefused,
    problem_list_import,
    problem_list_template_workbook,
)
from tests.responsibility.inspections.problem_workbooks import HEADER, _day, good_rows, workbook_of

pytestmark = pytest.mark.django_db


def _written() -> tuple:
    return Finding.objects.count(), Measure.objects.count(), InspectionEvent.objects.count()


def test_a_good_file_records_every_problem_with_its_measures(supervision, problem_list):
    problems = problem_list_import(
        batch=problem_list,
        workbook_file=workbook_of(good_rows(supervision)),
        imported_by=supervision.org.office_admin,
    )

    head, staff, other = supervision.org.heads[0], supervision.org.staff[0], supervision.org.heads[1]
    assert [(problem.number, problem.title, problem.unit.name) for problem in problems] == [
        (1, "调查研究不够深入", "法制工作委员会"),
        (2, "预算审查监督不够有力", "财政经济工作委员会"),
    ]
    first, second = problems
    assert [(m.action, m.owner, m.deadline) for m in first.measures.order_by("number")] == [
        ("制定年度调研计划。", head, _day(30)),
        ("形成专题调研报告。", staff, _day(60)),
    ]
    assert (second.severity, second.category, second.rectification.owner, second.rectification.deadline) == (
        "moderate",
        "rules",
        other,
        _day(45),
    )
    assert inspection_chain_verify() is None


def test_the_template_reads_back_with_the_sheet_and_columns_the_import_expects():
    workbook = load_workbook(io.BytesIO(problem_list_template_workbook()))

    assert workbook.sheetnames == ["问题清单", "填写说明"]
    assert [cell.value for cell in workbook["问题清单"][1]] == HEADER
    assert workbook["问题清单"].max_row == 3  # an example problem of two measures


def test_every_bad_row_is_reported_with_its_number_and_nothing_is_written(supervision, problem_list):
    head = supervision.org.heads[0].full_name
    rows = good_rows(supervision) + [
        [3, "不存在的单位", "问题三", "", "作风建设", "", head, head, "目标", "措施", head, _day(10)],
        [4, "法制工作委员会", "问题四", "", "作风建设", "", "查无此人", head, "目标", "措施", head, _day(10)],
        [5, "法制工作委员会", "问题五", "", "作风建设", "", head, head, "目标", "措施", head, "下个月"],
        [6, "法制工作委员会", "问题六", "", "作风建设", "", head, head, "目标", "", head, _day(10)],
        [7, "法制工作委员会", "问题七", "", "不知道", "", head, head, "目标", "措施", head, _day(10)],
        [8, "法制工作委员会", "问题八", "", "作风建设", "", head, head, "目标", "措施", head, "2026-02-30"],
        [1, "财政经济工作委员会", None, None, None, None, None, None, None, "第三条措施", head, _day(10)],
    ]  # fmt: skip
    before = _written()

    with pytest.raises(ProblemImportRefused) as refused:
        problem_list_import(
            batch=problem_list, workbook_file=workbook_of(rows), imported_by=supervision.org.office_admin
        )

    found = [(error.row, error.message) for error in refused.value.errors]
    assert [row for row, _message in found] == [5, 6, 7, 8, 9, 10, 11]
    assert "不存在的单位" in found[0][1]
    assert "查无此人" in found[1][1] and "法制工作委员会" in found[1][1]
    assert "下个月" in found[2][1]
    assert "整改措施" in found[3][1]
    assert "不知道" in found[4][1] and "作风建设" in found[4][1]
    assert "2026-02-30" in found[5][1]
    assert "责任单位" in found[6][1] and "2" in found[6][1]  # differs from the problem's first row
    assert _written() == before


def test_a_problem_the_service_refuses_refuses_the_file_by_its_rows(supervision, problem_list):
    rows = good_rows(supervision)
    rows[2][11] = _day(-1)  # problem 2's measure was due yesterday
    before = _written()

    with pytest.raises(ProblemImportRefused) as refused:
        problem_list_import(
            batch=problem_list, workbook_file=workbook_of(rows), imported_by=supervision.org.office_admin
        )

    [error] = refused.value.errors
    assert error.row == 4 and error.message.startswith("Problem 2:")
    assert _written() == before  # problem 1, recorded first, was rolled back


def test_the_same_file_imported_twice_records_its_problems_once(supervision, problem_list):
    file = workbook_of(good_rows(supervision))
    problem_list_import(batch=problem_list, workbook_file=file, imported_by=supervision.org.office_admin)
    before = _written()

    with pytest.raises(ProblemImportRefused) as refused:
        problem_list_import(batch=problem_list, workbook_file=file, imported_by=supervision.org.office_admin)

    assert [error.row for error in refused.value.errors] == [2, 4]
    assert _written() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a spreadsheet", "not an Excel .xlsx"),
        (workbook_of([], title="Sheet1"), "no sheet named"),
        (workbook_of([[1]], header=HEADER[:-1]), "no column"),
        (workbook_of([]), "no problem to import"),
    ],
)
def test_a_file_that_is_not_a_problem_list_is_refused(supervision, problem_list, content, expected):
    before = _written()

    with pytest.raises(ProblemImportRefused) as refused:
        problem_list_import(
            batch=problem_list, workbook_file=content, imported_by=supervision.org.office_admin
        )

    assert expected in str(refused.value) + " ".join(error.message for error in refused.value.errors)
    assert _written() == before


def test_a_file_of_more_rows_than_one_list_holds_is_refused_before_any_row_is_read(
    supervision, problem_list, monkeypatch
):
    # the rule at a small limit: a file of exactly the limit imports, one row more is refused
    monkeypatch.setattr(problem_import, "MAX_IMPORT_ROWS", 3)
    file = workbook_of(good_rows(supervision))
    too_many = workbook_of([*good_rows(supervision), [3, "法制工作委员会", "多余的问题"]])
    before = _written()

    with pytest.raises(ProblemImportRefused) as refused:
        problem_list_import(
            batch=problem_list, workbook_file=too_many, imported_by=supervision.org.office_admin
        )

    assert [error.message for error in refused.value.errors] == [
        "The sheet has 4 rows; import at most 3 at a time."
    ]
    assert _written() == before
    assert (
        len(
            problem_list_import(
                batch=problem_list, workbook_file=file, imported_by=supervision.org.office_admin
            )
        )
        == 2
    )


def test_only_the_office_and_the_team_import_and_never_into_a_plans_list(supervision, problem_list):
    file = workbook_of(good_rows(supervision))
    for user in (supervision.org.heads[0], supervision.org.outsider):
        with pytest.raises(PermissionDenied):
            problem_list_import(batch=problem_list, workbook_file=file, imported_by=user)

    with pytest.raises(ApplicationError) as refused:
        problem_list_import(
            batch=ProblemBatch.objects.get(plan=supervision.plan),
            workbook_file=file,
            imported_by=supervision.org.inspector,
        )
    assert refused.value.code == "plan_batch"
    assert not Finding.objects.filter(plan__isnull=True).exists()


def test_a_formula_is_refused_not_read_as_its_value(supervision, problem_list):
    """A cell Excel computes is refused with its row, before the rows are read (as a direction control is)."""
    rows = good_rows(supervision)
    rows[2][2] = '=HYPERLINK("http://example.org","预算审查监督不够有力")'
    before = _written()

    with pytest.raises(ProblemImportRefused) as refused:
        problem_list_import(
            batch=problem_list, workbook_file=workbook_of(rows), imported_by=supervision.org.office_admin
        )

    [error] = refused.value.errors
    assert error.row == 4 and "formula" in error.message and "问题" in error.message
    assert _written() == before
