"""The example workbook offered for download: the three sheets with their header rows and example rows.

It has no password or role column: neither is imported (see `workbook.USERS_SHEET`).
"""

import datetime
import io

from openpyxl import Workbook

from accounts.org_import.workbook import _SHEETS


def org_import_template_workbook() -> bytes:
    """An example .xlsx with the three sheets, their header rows and two example rows each."""
    examples = {
        "units": [
            ("FGW", "法制工作委员会", None, "委办室", 10),
            ("FGW-FGC", "法规处", "FGW", "处室", 11),
        ],
        "users": [
            ("zhangwei", "张伟", "zhangwei@example.org"),
            ("liuna", "刘娜", "liuna@example.org"),
        ],
        "posts": [
            ("FGW", "主任", "主要负责人", "zhangwei", datetime.date(2023, 1, 1), None, "FGW、FGW-FGC", 1),
            ("FGW-FGC", "处长", "处室负责人", "liuna", datetime.date(2024, 3, 1), None, None, 2),
        ],
    }
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in _SHEETS:
        columns = [column for column in spec.columns if column.in_example]
        worksheet = workbook.create_sheet(spec.name)
        worksheet.append([column.header for column in columns])
        for example in examples[spec.key]:
            worksheet.append(list(example))
        for index, column in enumerate(columns, start=1):
            letter = worksheet.cell(row=1, column=index).column_letter
            worksheet.column_dimensions[letter].width = 16
            if column.key in ("term_start", "term_end"):
                for cell in worksheet[letter][1:]:
                    cell.number_format = "yyyy-mm-dd"
        worksheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
