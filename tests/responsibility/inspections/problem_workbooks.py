"""Problem list workbooks as the office fills them in, for the import's tests."""

import datetime
import io

from django.utils import timezone
from openpyxl import Workbook

from responsibility.supervision.problem_import import PROBLEMS_SHEET

HEADER = [column.header for column in PROBLEMS_SHEET.columns]


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def workbook_of(rows, *, header=HEADER, title="问题清单") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def good_rows(supervision) -> list[list]:
    """Two problems: the first in 法制工作委员会 with two measures, the second in 财政经济工作委员会 (its
    deadline written the Chinese way)."""
    head, staff, other = supervision.org.heads[0], supervision.org.staff[0], supervision.org.heads[1]
    return [
        [1, "法制工作委员会", "调查研究不够深入", "调研偏少。", "作风建设", "一般", head.full_name,
         head.full_name, "建立基层联系点制度。", "制定年度调研计划。", head.full_name, _day(30)],
        [1, None, None, None, None, None, None, None, None, "形成专题调研报告。", staff.full_name,
         _day(60).isoformat()],
        [2, "财政经济工作委员会", "预算审查监督不够有力", "", "制度建设", "较重", other.full_name,
         other.username, "健全预算审查监督机制。", "修订预算审查工作规程。", other.full_name,
         _chinese(_day(45))],
    ]  # fmt: skip


def _chinese(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
