"""An assessment scheme as the office's Excel workbook: read and checked all or nothing, and written back.

Two sheets. 考核方案: one row, the scheme's name, its total points and a description. 评分细则: one row
per scoring point (评分点), in order; the rows of an area share its 方面序号, and its first row holds the
area's title and points. An area whose items are all 按次加分 is the scheme's bonus area (加分项): its
points are the most its items add together.

Every row is read and checked before anything is written (`scheme_read`), and every problem is reported
by its row: points that do not add up (an area's items against the area, the scored areas against the
total), a number used twice, a rule's figures missing or out of range, an indicator the system does not
compute. The export (`scheme_workbook`) writes the same layout, so an exported scheme imports again as
it was, the way a new version starts.
"""

import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.workbooks import (
    SPREADSHEET_LANGUAGE,
    SheetReader,
    SheetRows,
    WorkbookColumn,
    WorkbookProblems,
    WorkbookRefused,
    WorkbookSheet,
    cell_text,
    choice_words,
    workbook_bytes,
    workbook_sheets_read,
)
from responsibility.assessment.indicators import INDICATORS, IndicatorKind
from responsibility.assessment.models import (
    AnsweredBy,
    AreaKind,
    AssessmentScheme,
    RuleKind,
    SchemeArea,
    SchemeItem,
)

MAX_AREAS = 20
MAX_ITEMS = 300
MAX_POINTS = Decimal(1000)

SCHEME_SHEET = WorkbookSheet(
    "scheme",
    "考核方案",
    "scheme",
    (
        WorkbookColumn("name", "方案名称", "name", required=True),
        WorkbookColumn("total", "总分", "total", required=True),
        WorkbookColumn("description", "说明", "description"),
    ),
)
ITEMS_SHEET = WorkbookSheet(
    "items",
    "评分细则",
    "items",
    (
        WorkbookColumn("area_number", "方面序号", "area_number", required=True),
        WorkbookColumn("area", "考核方面", "area", required=True),
        WorkbookColumn("area_points", "方面分值", "area_points", required=True),
        WorkbookColumn("number", "评分点序号", "number", required=True),
        WorkbookColumn("content", "考核内容", "content", required=True),
        WorkbookColumn("standard", "评分标准", "standard"),
        WorkbookColumn("rule", "计分方式", "rule", required=True),
        WorkbookColumn("points", "分值", "points", required=True),
        WorkbookColumn("per_occurrence", "每次分值", "per_occurrence"),
        WorkbookColumn("floor", "最低得分", "floor"),
        WorkbookColumn("evidence", "需要佐证", "evidence"),
        WorkbookColumn("answered_by", "填报方", "answered_by"),
        WorkbookColumn("indicator", "系统指标", "indicator"),
    ),
)
# An area's own columns: on its first row; a later row of the same area leaves them empty or repeats them.
_AREA_COLUMNS = ("area", "area_points")
YES, NO = "是", "否"


class SchemeImportRefused(WorkbookRefused):
    """The workbook was refused; `errors` lists every problem, by row. Nothing was written."""

    def __init__(self, message, *, errors=()):
        super().__init__(message, errors=errors, code="scheme_import")


class _Problems(WorkbookProblems):
    refused = SchemeImportRefused


@dataclass
class ItemRead:
    row: int
    number: str
    content: str
    standard: str
    rule: str
    points: Decimal
    per_occurrence: Decimal | None
    floor: Decimal
    evidence_required: bool
    answered_by: str
    indicator: str


@dataclass
class AreaRead:
    row: int  # its first row
    number: int
    title: str
    points: Decimal
    items: list[ItemRead] = field(default_factory=list)

    @property
    def kind(self) -> str:
        bonus = [item.rule == RuleKind.BONUS for item in self.items]
        return AreaKind.BONUS if bonus and all(bonus) else AreaKind.SCORED


@dataclass
class SchemeRead:
    """A scheme as read from a workbook and found sound: what `scheme_import` writes."""

    name: str
    total_points: Decimal
    description: str
    areas: list[AreaRead]
    sha256: str = ""


class _Reader(SheetReader):
    def __init__(self, sheet: SheetRows, problems: _Problems):
        super().__init__(sheet, problems)
        self.rules = choice_words(RuleKind.choices)
        self.answerers = choice_words(AnsweredBy.choices)
        with translation.override(SPREADSHEET_LANGUAGE):
            self.indicators = {str(indicator.name): code for code, indicator in INDICATORS.items()}
        self.indicators.update({code: code for code in INDICATORS})

    def points(self, row: int, cells: dict, key: str, *, required=False) -> Decimal | None:
        """Points: a positive or nought number of at most two decimals, below MAX_POINTS."""
        raw = cells.get(key)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            value = cell_text(raw)  # a number Excel holds: never a formula, whatever its sign
        else:
            value = self.text(row, cells, key, required=required)
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0 or number >= MAX_POINTS:
            self.problem(
                row,
                _("“%(value)s” in “%(column)s” is not a number of points from 0 to %(max)s.")
                % {"value": value, "column": self.column(key), "max": MAX_POINTS},
            )
            return None
        if number != number.quantize(Decimal("0.01")):
            self.problem(
                row,
                _("“%(value)s” in “%(column)s” has more than two decimals.")
                % {"value": value, "column": self.column(key)},
            )
            return None
        return number

    def read(self) -> list[AreaRead]:
        areas: dict[int, AreaRead] = {}
        first_cells: dict[int, dict] = {}
        numbers: dict[str, int] = {}
        for row, cells in self.sheet.rows:
            area_number = self._area_number(row, cells)
            if area_number is None:
                continue
            area = areas.get(area_number)
            if area is None:
                area = areas[area_number] = AreaRead(
                    row=row,
                    number=area_number,
                    title=self.text(
                        row,
                        cells,
                        "area",
                        required=True,
                        max_length=SchemeArea._meta.get_field("title").max_length,
                    ),
                    points=self.points(row, cells, "area_points", required=True) or Decimal(0),
                )
                first_cells[area_number] = cells
            else:
                self._same_area(row, cells, first_cells[area_number], area.row)
            item = self._item(row, cells)
            if item is None:
                continue
            if item.number in numbers:
                self.problem(
                    row,
                    _("Scoring point %(number)s is already on row %(first)d; each number is used once.")
                    % {"number": item.number, "first": numbers[item.number]},
                )
            numbers.setdefault(item.number, row)
            area.items.append(item)
        return sorted(areas.values(), key=lambda area: area.number)

    def _area_number(self, row: int, cells: dict) -> int | None:
        value = self.text(row, cells, "area_number", required=True)
        if not value:
            return None
        if not value.isdigit() or not 0 < int(value) <= 99:
            self.problem(
                row,
                _("“%(value)s” in “%(column)s” is not a number from 1 to 99.")
                % {"value": value, "column": self.column("area_number")},
            )
            return None
        return int(value)

    def _same_area(self, row: int, cells: dict, first: dict, first_row: int) -> None:
        for key in _AREA_COLUMNS:
            value = cell_text(cells.get(key))
            if value and value != cell_text(first.get(key)):
                self.problem(
                    row,
                    _(
                        "“%(column)s” differs from row %(first)d of the same area; leave it empty or "
                        "repeat it."
                    )
                    % {"column": self.column(key), "first": first_row},
                )

    def _item(self, row: int, cells: dict) -> ItemRead | None:
        field_length = lambda name: SchemeItem._meta.get_field(name).max_length  # noqa: E731
        number = self.text(row, cells, "number", required=True, max_length=field_length("number"))
        content = self.text(row, cells, "content", required=True, max_length=field_length("content"))
        standard = self.text(row, cells, "standard", max_length=field_length("standard"))
        rule = self.choice(row, cells, "rule", words=self.rules)
        points = self.points(row, cells, "points", required=True)
        per_occurrence = self.points(row, cells, "per_occurrence")
        floor = self.points(row, cells, "floor")
        evidence = self.choice(row, cells, "evidence", words={YES: YES, NO: NO}, default=NO)
        answered_by = self.choice(row, cells, "answered_by", words=self.answerers, default=AnsweredBy.UNIT)
        indicator = self.text(row, cells, "indicator")
        if not (number and content and rule and points is not None):
            return None
        item = ItemRead(
            row=row,
            number=number,
            content=content,
            standard=standard,
            rule=rule,
            points=points,
            per_occurrence=per_occurrence,
            floor=floor or Decimal(0),
            evidence_required=evidence == YES,
            answered_by=answered_by,
            indicator="",
        )
        self._rule_check(item)
        item.indicator = self._indicator_check(item, indicator)
        return item

    def _rule_check(self, item: ItemRead) -> None:
        row, figures = item.row, {"column": self.column("per_occurrence")}
        if item.points == 0:
            self.problem(row, _("A scoring point is worth more than 0 points."))
        if item.rule in (RuleKind.DEDUCTION, RuleKind.BONUS):
            if not item.per_occurrence:
                self.problem(row, _("This rule needs “%(column)s”, more than 0.") % figures)
        elif item.per_occurrence is not None:
            self.problem(row, _("Leave “%(column)s” empty for this rule.") % figures)
        if item.floor and item.rule != RuleKind.DEDUCTION:
            self.problem(row, _("Only a deduction has a “%(column)s”.") % {"column": self.column("floor")})
        elif item.floor >= item.points > 0:
            self.problem(
                row,
                _("“%(column)s” must be below the item's points.") % {"column": self.column("floor")},
            )

    def _indicator_check(self, item: ItemRead, value: str) -> str:
        row, column = item.row, self.column("indicator")
        if item.answered_by == AnsweredBy.UNIT:
            if value:
                self.problem(row, _("Leave “%(column)s” empty when the unit answers.") % {"column": column})
            return ""
        if item.evidence_required:
            self.problem(row, _("The system answers from its own records: it needs no evidence."))
        if not value:
            self.problem(
                row, _("Name the indicator the system answers with in “%(column)s”.") % {"column": column}
            )
            return ""
        code = self.indicators.get(value)
        if code is None:
            self.problem(
                row,
                _("The system computes no indicator “%(value)s”; use one of: %(choices)s.")
                % {
                    "value": value,
                    "choices": "、".join(name for name in self.indicators if name not in INDICATORS),
                },
            )
            return ""
        wanted = (
            (RuleKind.RATIO,)
            if INDICATORS[code].kind == IndicatorKind.RATE
            else (
                RuleKind.DEDUCTION,
                RuleKind.BONUS,
            )
        )
        if item.rule not in wanted:
            self.problem(
                row,
                _("The indicator “%(indicator)s” gives a rate, scored by share of a rate.")
                % {"indicator": INDICATORS[code].name}
                if INDICATORS[code].kind == IndicatorKind.RATE
                else _("The indicator “%(indicator)s” gives a count, scored per occurrence.")
                % {"indicator": INDICATORS[code].name},
            )
        return code


def _scheme_row(sheet: SheetRows, problems: _Problems) -> tuple[str, Decimal, str] | None:
    if len(sheet.rows) != 1:
        problems.add(sheet.title, None, _("The sheet holds one row: the scheme's name and total points."))
        return None
    row, cells = sheet.rows[0]
    reader = _Reader(sheet, problems)
    name = reader.text(
        row, cells, "name", required=True, max_length=AssessmentScheme._meta.get_field("name").max_length
    )
    total = reader.points(row, cells, "total", required=True)
    description = reader.text(
        row, cells, "description", max_length=AssessmentScheme._meta.get_field("description").max_length
    )
    if total == 0:
        problems.add(sheet.title, row, _("The total is more than 0 points."))
    if not name or not total:
        return None
    return name, total, description


def _sums_check(
    areas: list[AreaRead], total: Decimal, *, sheets: dict[str, SheetRows], problems: _Problems
) -> None:
    """Points that add up: each scored area's items to the area, the scored areas to the total; a bonus
    item's cap within the bonus area's."""
    items_title, scheme_title = sheets["items"].title, sheets["scheme"].title
    bonus_areas = [area for area in areas if area.kind == AreaKind.BONUS]
    for area in areas:
        rules = {item.rule == RuleKind.BONUS for item in area.items}
        if len(rules) > 1:
            problems.add(
                items_title,
                area.row,
                _(
                    "Area %(number)d mixes bonus items with scored ones; put the bonus items in an area "
                    "of their own."
                )
                % {"number": area.number},
            )
            continue
        if area.kind == AreaKind.BONUS:
            for item in area.items:
                if item.points > area.points:
                    problems.add(
                        items_title,
                        item.row,
                        _("The cap of bonus item %(number)s (%(points)s) is above the bonus area's %(cap)s.")
                        % {"number": item.number, "points": item.points, "cap": area.points},
                    )
            continue
        added = sum((item.points for item in area.items), Decimal(0))
        if added != area.points:
            problems.add(
                items_title,
                area.row,
                _(
                    "The scoring points of area %(number)d “%(title)s” add up to %(added)s, not its "
                    "%(points)s."
                )
                % {"number": area.number, "title": area.title, "added": added, "points": area.points},
            )
    if len(bonus_areas) > 1:
        problems.add(
            items_title,
            bonus_areas[1].row,
            _("A scheme has one bonus area; areas %(numbers)s all hold bonus items.")
            % {"numbers": "、".join(str(area.number) for area in bonus_areas)},
        )
    scored = sum((area.points for area in areas if area.kind == AreaKind.SCORED), Decimal(0))
    if not any(area.kind == AreaKind.SCORED for area in areas):
        problems.add(items_title, None, _("The scheme has no scored area."))
    elif scored != total:
        problems.add(
            scheme_title,
            sheets["scheme"].rows[0][0],
            _("The scored areas add up to %(scored)s points, not the total of %(total)s.")
            % {"scored": scored, "total": total},
        )


def scheme_read(workbook_file) -> SchemeRead:
    """The scheme a workbook holds, checked; SchemeImportRefused with every problem, by row."""
    data = workbook_bytes(workbook_file, refused=SchemeImportRefused)
    sheets = workbook_sheets_read(
        data, (SCHEME_SHEET, ITEMS_SHEET), problems_class=_Problems, refuse_formulas=True
    )
    problems = _Problems()
    scheme = _scheme_row(sheets["scheme"], problems)
    items = sheets["items"]
    areas: list[AreaRead] = []
    if not items.rows:
        problems.add(items.title, None, _("The sheet has no scoring point."))
    elif len(items.rows) > MAX_ITEMS:
        problems.add(
            items.title,
            None,
            _("The sheet has %(count)d rows; a scheme has at most %(max)d scoring points.")
            % {"count": len(items.rows), "max": MAX_ITEMS},
        )
    else:
        areas = _Reader(items, problems).read()
        if len(areas) > MAX_AREAS:
            problems.add(items.title, None, _("A scheme has at most %(max)d areas.") % {"max": MAX_AREAS})
    if scheme is not None and areas and not problems:
        _sums_check(areas, scheme[1], sheets=sheets, problems=problems)
    problems.items.sort(key=lambda error: (error.sheet != sheets["scheme"].title, error.row or 0))
    problems.raise_if_any()
    name, total, description = scheme
    return SchemeRead(
        name=name,
        total_points=total,
        description=description,
        areas=areas,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# --- Writing a scheme ----------------------------------------------------------------------------


def _figure(value: Decimal | None):
    """Points as a number Excel shows as written (2, 0.5)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def scheme_workbook(scheme: AssessmentScheme | None = None) -> bytes:
    """The scheme in the import layout (its two sheets and a sheet of what each column takes); without a
    scheme, the layout with an example area, for a new scheme."""
    with translation.override(SPREADSHEET_LANGUAGE):
        return _workbook(scheme)


def _workbook(scheme: AssessmentScheme | None) -> bytes:
    workbook = Workbook()
    head = workbook.active
    head.title = SCHEME_SHEET.name
    head.append([column.header for column in SCHEME_SHEET.columns])
    items = workbook.create_sheet(ITEMS_SHEET.name)
    items.append([column.header for column in ITEMS_SHEET.columns])
    if scheme is None:
        head.append(["党风廉政建设责任制考核", 10, "示例：请按本单位方案修改。"])
        rows = [
            (
                1,
                "落实主体责任",
                10,
                "1.1",
                "签订党风廉政建设责任书",
                "按时签订得分，未签订不得分。",
                RuleKind.FIXED,
                4,
                None,
                None,
                NO,
                AnsweredBy.UNIT,
                "",
            ),
            (
                1,
                None,
                None,
                "1.2",
                "落实“一岗双责”，开展廉政谈话",
                "每缺少一次扣1分，扣完为止。",
                RuleKind.DEDUCTION,
                6,
                1,
                0,
                YES,
                AnsweredBy.UNIT,
                "",
            ),
            (
                2,
                "加分项",
                2,
                "2.1",
                "工作受到上级领导批示肯定",
                "每次加1分，最多加2分。",
                RuleKind.BONUS,
                2,
                1,
                None,
                YES,
                AnsweredBy.UNIT,
                "",
            ),
        ]
    else:
        head.append([scheme.name, _figure(scheme.total_points), scheme.description])
        rows = []
        for area in scheme.areas.order_by("number").prefetch_related("items"):
            for index, item in enumerate(area.items.order_by("order")):
                rows.append(
                    (
                        area.number,
                        area.title if index == 0 else None,
                        _figure(area.points) if index == 0 else None,
                        item.number,
                        item.content,
                        item.standard,
                        item.rule,
                        _figure(item.points),
                        _figure(item.per_occurrence),
                        _figure(item.floor) if item.rule == RuleKind.DEDUCTION else None,
                        YES if item.evidence_required else NO,
                        item.answered_by,
                        str(INDICATORS[item.indicator].name)
                        if item.indicator in INDICATORS
                        else item.indicator,
                    )
                )
    for row in rows:
        values = list(row)
        values[6] = str(RuleKind(values[6]).label)
        values[11] = str(AnsweredBy(values[11]).label)
        items.append(values)
    for sheet, widths in ((head, (30, 8, 50)), (items, (8, 24, 8, 10, 40, 50, 12, 6, 8, 8, 8, 8, 24))):
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
        sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("填写说明")
    guide.append(["列", "可填写的内容"])
    guide.append(["方面序号", "同一方面的评分点序号相同；考核方面、方面分值只需填在该方面第一行。"])
    guide.append(["方面分值", "该方面各评分点分值之和；各方面（加分项除外）分值之和等于总分。"])
    guide.append(["计分方式", "、".join(str(label) for _value, label in RuleKind.choices)])
    guide.append(["分值", "评分点的分值；按次加分的评分点为其加分上限。"])
    guide.append(["每次分值", "按次扣分、按次加分时每次扣减或增加的分值。"])
    guide.append(["最低得分", "按次扣分时最多扣到的分数，不填为0。"])
    guide.append(["加分项", "评分点全部为按次加分的方面即加分项，方面分值为加分上限，不计入总分。"])
    guide.append(["需要佐证", "是、否（不填为否）。"])
    guide.append(["填报方", "、".join(str(label) for _value, label in AnsweredBy.choices) + "（不填为单位）"])
    guide.append(
        [
            "系统指标",
            "填报方为系统时填写：" + "、".join(str(indicator.name) for indicator in INDICATORS.values()),
        ]
    )
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 90
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
