"""Scheme workbooks as the office fills them in, for the tests."""

import io

from openpyxl import Workbook

from responsibility.assessment.scheme_workbook import ITEMS_SHEET, SCHEME_SHEET

# Columns: 方面序号, 考核方面, 方面分值, 评分点序号, 考核内容, 评分标准, 计分方式, 分值, 每次分值, 最低得分,
# 需要佐证, 填报方, 系统指标.
SOUND_ROWS = [
    (
        1,
        "落实主体责任",
        25,
        "1.1",
        "按时签订党风廉政建设责任书",
        "签订率×分值。",
        "按比率计分",
        10,
        None,
        None,
        "否",
        "系统",
        "责任书按时签订率",
    ),
    (
        1,
        None,
        None,
        "1.2",
        "党组专题研究党风廉政建设",
        "研究一次以上得分。",
        "固定分值",
        5,
        None,
        None,
        "是",
        "单位",
        None,
    ),
    (
        1,
        None,
        None,
        "1.3",
        "开展廉政谈话",
        "每缺一次扣2分，扣完为止。",
        "按次扣分",
        10,
        2,
        None,
        "是",
        "单位",
        None,
    ),
    (
        2,
        "问题整改",
        15,
        "2.1",
        "问题按期整改",
        "按期整改率×分值。",
        "按比率计分",
        10,
        None,
        None,
        "否",
        "系统",
        "problems_rectified_on_time",
    ),
    (
        2,
        None,
        None,
        "2.2",
        "回头看发现整改不到位",
        "每发现一个扣1分，最低得1分。",
        "按次扣分",
        5,
        1,
        1,
        "否",
        "系统",
        "回头看未通过数",
    ),
    (3, "加分项", 5, "3.1", "经验做法被上级推广", "每次加2分。", "按次加分", 4, 2, None, "是", "单位", None),
    (3, None, None, "3.2", "受到上级表彰", "每次加1分。", "按次加分", 3, 1, None, "是", "单位", None),
]


def scheme_xlsx(
    rows=None, *, name="党风廉政建设责任制考核", total=40, description="", scheme_rows=None
) -> bytes:
    workbook = Workbook()
    head = workbook.active
    head.title = SCHEME_SHEET.name
    head.append([column.header for column in SCHEME_SHEET.columns])
    for row in scheme_rows if scheme_rows is not None else [(name, total, description)]:
        head.append(list(row))
    items = workbook.create_sheet(ITEMS_SHEET.name)
    items.append([column.header for column in ITEMS_SHEET.columns])
    for row in SOUND_ROWS if rows is None else rows:
        items.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def changed(row_index: int, **columns) -> list[tuple]:
    """SOUND_ROWS with some columns of one row changed (by index: 0 方面序号 … 12 系统指标)."""
    rows = [list(row) for row in SOUND_ROWS]
    for index, value in columns.items():
        rows[row_index][int(index.removeprefix("c"))] = value
    return [tuple(row) for row in rows]
