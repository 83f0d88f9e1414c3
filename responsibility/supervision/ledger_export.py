"""The rectification ledger as an Excel workbook: the findings, then the counts by unit and by plan.

Pure: it writes what it is given to a file and reads nothing else. Headers are translated strings.
Dates are real dates. Every text cell is stored as text, so a title such as "=HYPERLINK(…)" can never
become a formula; text starting with a formula character also carries Excel's quote prefix, so
editing the cell keeps it text.
"""

import datetime
from collections.abc import Iterable
from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

from core.spreadsheets import sheet_create, text_cell
from responsibility.supervision.ledger import LedgerGroup, LedgerRow
from responsibility.supervision.ledger_counts import LedgerCounts

DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"


def _date(sheet, value: datetime.date | datetime.datetime | None) -> Cell | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def _rate(sheet, percent: float | None) -> Cell | None:
    if percent is None:
        return None
    cell = WriteOnlyCell(sheet, value=percent / 100)
    cell.number_format = PERCENT_FORMAT
    return cell


def _clause_text(finding) -> str:
    clause = finding.clause
    if clause is None:
        return ""
    return f"{clause.letter.reference} · {clause.number}. {clause.text}"


def ledger_xlsx_write(
    *,
    file: BinaryIO,
    rows: Iterable[LedgerRow],
    by_unit: list[LedgerGroup],
    by_source: list[LedgerGroup],
    by_batch: list[LedgerGroup],
    summary: LedgerCounts,
) -> None:
    """Write the workbook: 台账 (one row per finding), 按单位, 按来源, 按问题清单."""
    workbook = Workbook(write_only=True)

    columns = [
        (_("Reference"), 11),
        (_("Source"), 10),
        (_("Problem list"), 28),
        (_("Unit"), 20),
        (_("Problem"), 40),
        (_("Clause category"), 16),
        (_("Clause breached"), 40),
        (_("Severity"), 8),
        (_("Responsible person"), 12),
        (_("Rectification owner"), 12),
        (_("Deadline"), 12),
        (_("Rectification status"), 14),
        (_("Traffic light"), 12),
        (_("Submitted"), 12),
        (_("Verified"), 12),
        (pgettext("ledger", "Ticked off"), 12),
    ]
    sheet = sheet_create(workbook, _("Ledger"), columns)
    for row in rows:
        finding = row.finding
        rectification = finding.rectification
        sheet.append(
            [
                text_cell(sheet, finding.reference),
                text_cell(sheet, finding.batch.source.name),
                text_cell(sheet, finding.batch.title),
                text_cell(sheet, finding.unit.name),
                text_cell(sheet, finding.title),
                text_cell(sheet, finding.get_category_display()),
                text_cell(sheet, _clause_text(finding)),
                text_cell(sheet, finding.get_severity_display()),
                text_cell(sheet, finding.responsible.get_full_name()),
                text_cell(sheet, rectification.owner.get_full_name()),
                _date(sheet, rectification.deadline),
                text_cell(sheet, rectification.get_status_display()),
                text_cell(sheet, row.light.label),
                _date(sheet, rectification.submitted_at),
                _date(sheet, rectification.verified_at),
                _date(sheet, rectification.closed_at),
            ]
        )

    for title, first_column, groups in (
        (_("By unit"), _("Unit"), by_unit),
        (_("By source"), _("Source"), by_source),
        (_("By problem list"), _("Problem list"), by_batch),
    ):
        sheet = sheet_create(
            workbook,
            title,
            [
                (first_column, 30),
                (_("Findings"), 10),
                (_("Being rectified"), 10),
                (_("Submitted"), 10),
                (_("Verified"), 10),
                (pgettext("ledger", "Ticked off"), 10),
                (_("Overdue"), 10),
                (_("Due within 7 days"), 12),
                (_("Closure rate"), 12),
                (_("Verified or closed"), 14),
            ],
        )
        for name, counts in [*((group.name, group.counts) for group in groups), (_("Total"), summary)]:
            sheet.append(
                [
                    text_cell(sheet, name),
                    counts.total,
                    counts.open,
                    counts.submitted,
                    counts.verified,
                    counts.closed,
                    counts.overdue,
                    counts.due_soon,
                    _rate(sheet, counts.closure_rate),
                    _rate(sheet, counts.done_rate),
                ]
            )
    workbook.save(file)
