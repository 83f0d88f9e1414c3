"""Importing a problem list's problems and measures from the office's Excel workbook, all or nothing.

That is how the lists arrive (问题清单 → 任务清单 → 责任清单): one sheet, 问题清单, one row per measure. The
rows of one problem share its 问题序号; its first row holds the problem (unit, what it is, its category and
severity, the leader responsible, who sees it through, the aim) and every row one measure (what will be
done, its owner, its deadline). Units are named by their name or code; people by their name among the
holders of a post in the problem's unit, or by their account name.

Every row is read and checked before anything is written; then each problem is recorded by the one
service that records a problem (`services.problems.problem_record`), in one transaction: a problem it
refuses (a deadline past, a title already in the list) refuses the whole file, named by its rows. The
workbook is read by `core.workbooks`, as the organisation's is.
"""

import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook

from accounts.models import OrgUnit
from core.errors import ApplicationError
from core.workbooks import (
    SPREADSHEET_LANGUAGE,
    SheetReader,
    SheetRows,
    WorkbookColumn,
    WorkbookProblems,
    WorkbookRefused,
    WorkbookSheet,
    cell_date,
    cell_text,
    choice_words,
    workbook_bytes,
    workbook_sheets_read,
)
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.models import Finding, Measure, ProblemBatch, Rectification, Severity
from responsibility.supervision.permissions import problem_list_check_permission
from responsibility.supervision.services.measures import MAX_MEASURES, MeasureInput
from responsibility.supervision.services.problems import ProblemInput, problem_record
from responsibility.supervision.services.rectifications import people_of_unit

# A list is tens of problems, a 巡视 feedback's up to a few thousand measures; a file of more rows than
# this is not one list (bench/supervision imports a list of this many rows, in under 20 s).
MAX_IMPORT_ROWS = 5000

PROBLEMS_SHEET = WorkbookSheet(
    "problems",
    "问题清单",
    "problems",
    (
        WorkbookColumn("number", "问题序号", "number", required=True),
        WorkbookColumn("unit", "责任单位", "unit", required=True),
        WorkbookColumn("title", "问题", "problem", required=True),
        WorkbookColumn("description", "具体情况", "details"),
        WorkbookColumn("category", "问题类别", "category", required=True),
        WorkbookColumn("severity", "严重程度", "severity"),
        WorkbookColumn("responsible", "责任领导", "responsible", required=True),
        WorkbookColumn("owner", "整改责任人", "owner", required=True),
        WorkbookColumn("requirement", "整改目标", "aim", required=True),
        WorkbookColumn("action", "整改措施", "measure", required=True),
        WorkbookColumn("measure_owner", "措施责任人", "measure_owner", required=True),
        WorkbookColumn("deadline", "完成时限", "deadline", required=True),
    ),
)
# The problem's own columns: on its first row; a later row of the same problem leaves them empty or
# repeats them.
_PROBLEM_COLUMNS = (
    "unit",
    "title",
    "description",
    "category",
    "severity",
    "responsible",
    "owner",
    "requirement",
)


class ProblemImportRefused(WorkbookRefused):
    """The workbook was refused; `errors` lists every problem, by row. Nothing was written."""

    def __init__(self, message, *, errors=()):
        super().__init__(message, errors=errors, code="problem_import")


class _Problems(WorkbookProblems):
    refused = ProblemImportRefused


@dataclass
class _Problem:
    """One problem as read: its rows (Excel's numbers) and what will be recorded."""

    number: str
    rows: list[int] = field(default_factory=list)
    data: ProblemInput | None = None


class _Reader(SheetReader):
    """Reads one problem list sheet, reporting every problem against its row."""

    def __init__(self, sheet: SheetRows, problems: _Problems):
        super().__init__(sheet, problems)
        self.units_by_code = {unit.code: unit for unit in OrgUnit.objects.filter(is_active=True)}
        self.units_by_name: dict[str, list[OrgUnit]] = {}
        for unit in self.units_by_code.values():
            self.units_by_name.setdefault(unit.name, []).append(unit)
        self.people: dict[int, list] = {}  # unit id -> holders of a post in it or below
        self.categories = choice_words(ClauseCategory.choices)
        self.severities = choice_words(Severity.choices)

    def unit(self, row: int, cells: dict) -> OrgUnit | None:
        value = self.text(row, cells, "unit", required=True)
        if not value:
            return None
        unit = self.units_by_code.get(value)
        named = self.units_by_name.get(value, [])
        if unit is None and len(named) == 1:
            unit = named[0]
        if unit is None:
            self.problem(
                row,
                _("Several units are named “%(value)s”; write the unit's code.") % {"value": value}
                if len(named) > 1
                else _("There is no unit “%(value)s” (write its name or code).") % {"value": value},
            )
        return unit

    def person(self, row: int, cells: dict, key: str, unit: OrgUnit | None):
        value = self.text(row, cells, key, required=True)
        if not value or unit is None:
            return None
        if unit.pk not in self.people:
            self.people[unit.pk] = list(people_of_unit(unit_id=unit.pk))
        people = self.people[unit.pk]
        found = [person for person in people if person.username == value] or [
            person for person in people if person.full_name == value
        ]
        if len(found) == 1:
            return found[0]
        if found:
            self.problem(
                row,
                _("Several people named “%(value)s” hold a post in %(unit)s; write the account name.")
                % {"value": value, "unit": unit.name},
            )
        else:
            self.problem(
                row,
                _("“%(value)s” in “%(column)s” holds no post in %(unit)s.")
                % {"value": value, "column": self.column(key), "unit": unit.name},
            )
        return None

    def date(self, row: int, cells: dict, key: str):
        try:
            day = cell_date(cells.get(key))
        except ValueError:
            self.problem(
                row,
                _("“%(value)s” in “%(column)s” is not a date; write it as YYYY-MM-DD.")
                % {"value": cell_text(cells.get(key)), "column": self.column(key)},
            )
            return None
        if day is None:
            self.problem(row, _("“%(column)s” is required.") % {"column": self.column(key)})
        return day

    def read(self) -> list[_Problem]:
        """The problems of the sheet in the order of their first row, each with its measures."""
        found: dict[str, _Problem] = {}
        first: dict[str, dict] = {}
        measures: dict[str, list[MeasureInput]] = {}
        for row, cells in self.sheet.rows:
            number = self.text(row, cells, "number", required=True)
            if not number:
                continue
            problem = found.setdefault(number, _Problem(number=number))
            problem.rows.append(row)
            if number not in first:
                first[number] = {"row": row, "cells": cells, "unit": self.unit(row, cells)}
            else:
                self._same_problem(row, cells, first[number])
            unit = first[number]["unit"]
            action = self.text(
                row, cells, "action", required=True, max_length=Measure._meta.get_field("action").max_length
            )
            owner = self.person(row, cells, "measure_owner", unit)
            deadline = self.date(row, cells, "deadline")
            measures.setdefault(number, []).append(
                MeasureInput(action=action, owner=owner, deadline=deadline)
            )
        for number, problem in found.items():
            problem.data = self._problem_input(first[number], measures[number])
            if len(measures[number]) > MAX_MEASURES:
                self.problem(
                    problem.rows[0],
                    _("Problem %(number)s has %(count)d measures; a rectification may have at most %(max)d.")
                    % {"number": number, "count": len(measures[number]), "max": MAX_MEASURES},
                )
        return list(found.values())

    def _same_problem(self, row: int, cells: dict, first: dict) -> None:
        """A later row of a problem leaves the problem's columns empty or repeats its first row's."""
        for key in _PROBLEM_COLUMNS:
            value = cell_text(cells.get(key))
            if value and value != cell_text(first["cells"].get(key)):
                self.problem(
                    row,
                    _(
                        "“%(column)s” differs from row %(first)d of the same problem; leave it empty or "
                        "repeat it."
                    )
                    % {"column": self.column(key), "first": first["row"]},
                )

    def _problem_input(self, first: dict, measures: list[MeasureInput]) -> ProblemInput:
        row, cells, unit = first["row"], first["cells"], first["unit"]
        return ProblemInput(
            unit=unit,
            title=self.text(
                row, cells, "title", required=True, max_length=Finding._meta.get_field("title").max_length
            ),
            description=self.text(
                row, cells, "description", max_length=Finding._meta.get_field("description").max_length
            ),
            category=self.choice(row, cells, "category", words=self.categories),
            severity=self.choice(row, cells, "severity", words=self.severities, default=Severity.MINOR),
            responsible=self.person(row, cells, "responsible", unit),
            owner=self.person(row, cells, "owner", unit),
            requirement=self.text(
                row,
                cells,
                "requirement",
                required=True,
                max_length=Rectification._meta.get_field("requirement").max_length,
            ),
            measures=measures,
        )


def problem_list_import(*, batch: ProblemBatch, workbook_file, imported_by) -> list[Finding]:
    """Record every problem of the workbook in the list, with its measures; all or none.

    Refused with every problem found, by row (ProblemImportRefused), or for the list itself
    (ApplicationError: an inspection plan's list, a reconciled one)."""
    problem_list_check_permission(user=imported_by)
    sheets = workbook_sheets_read(
        workbook_bytes(workbook_file, refused=ProblemImportRefused),
        (PROBLEMS_SHEET,),
        problems_class=_Problems,
        refuse_formulas=True,
    )
    sheet = sheets["problems"]
    problems = _Problems()
    if not sheet.rows:
        problems.add(sheet.title, None, _("The sheet has no problem to import."))
    elif len(sheet.rows) > MAX_IMPORT_ROWS:
        problems.add(
            sheet.title,
            None,
            _("The sheet has %(count)d rows; import at most %(max)d at a time.")
            % {"count": len(sheet.rows), "max": MAX_IMPORT_ROWS},
        )
    read = [] if problems else _Reader(sheet, problems).read()
    problems.items.sort(key=lambda error: error.row or 0)  # in the order of the rows, as Excel shows them
    problems.raise_if_any()
    with transaction.atomic():
        recorded = []
        for problem in read:
            try:
                recorded.append(problem_record(batch=batch, data=problem.data, recorded_by=imported_by))
            except ApplicationError as error:
                if error.code in ("plan_batch", "reconciled"):
                    raise  # the list itself, not a row
                problems.add(
                    sheet.title,
                    problem.rows[0],
                    _("Problem %(number)s: %(reason)s") % {"number": problem.number, "reason": str(error)},
                )
        problems.raise_if_any()  # rolls back the problems recorded before
    return recorded


def problem_import_summary(count: int) -> str:
    return ngettext(
        "%(count)d problem imported with its measures.",
        "%(count)d problems imported with their measures.",
        count,
    ) % {"count": count}


# --- The template the office downloads ---------------------------------------------------------------


def problem_list_template_workbook() -> bytes:
    """The 问题清单 sheet with its header and an example problem of two measures, and a sheet of the words
    the category and severity columns accept."""
    with translation.override(SPREADSHEET_LANGUAGE):
        return _template_workbook()


def _template_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = PROBLEMS_SHEET.name
    sheet.append([column.header for column in PROBLEMS_SHEET.columns])
    sheet.append(
        [
            1,
            "法制工作委员会",
            "调查研究不够深入",
            "班子成员到基层调研次数偏少。",
            str(ClauseCategory.WORK_STYLE.label),
            str(Severity.MINOR.label),
            "张伟",
            "张伟",
            "建立基层联系点制度，调研成果及时转化。",
            "制定年度调研计划。",
            "张伟",
            "2027-01-31",
        ]
    )
    sheet.append(
        [1, None, None, None, None, None, None, None, None, "形成专题调研报告。", "刘娜", "2027-03-31"]
    )
    widths = (8, 18, 28, 32, 12, 10, 10, 10, 32, 32, 10, 12)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    words = workbook.create_sheet("填写说明")
    words.append(["列", "可填写的内容"])
    words.append(["问题序号", "同一问题的多条整改措施各占一行，问题序号相同；问题内容只需填在第一行。"])
    words.append(["责任单位", "单位名称或编码。"])
    words.append(["责任领导、整改责任人、措施责任人", "在责任单位任职人员的姓名（重名时填写账号）。"])
    words.append(["问题类别", "、".join(str(label) for _value, label in ClauseCategory.choices)])
    words.append(["严重程度", "、".join(str(label) for _value, label in Severity.choices) + "（不填为一般）"])
    words.append(["完成时限", "日期，如 2027-01-31，不早于导入当天，不晚于三年后。"])
    words.column_dimensions["A"].width = 30
    words.column_dimensions["B"].width = 80
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
