"""What every export to a spreadsheet shares: text that Excel would read as a formula (OWASP "CSV
injection") stays text, and no cell carries a character that changes the direction of text."""

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.bidi import bidi_controls_strip

# Characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value) -> str:
    """A cell's text as it may be written: without direction controls (core.bidi)."""
    return "" if value is None else bidi_controls_strip(str(value))


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula?"""
    return text.startswith(FORMULA_STARTS)


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


def text_cell(sheet, value, *, header: bool = False) -> WriteOnlyCell:
    """A text cell of a write-only sheet that stays text, whatever it says: typed as text, and text that
    starts like a formula carries Excel's quote prefix, so editing the cell keeps it text. A header is
    bold on grey."""
    cell = WriteOnlyCell(sheet, value=None)
    text = spreadsheet_text(value)
    cell.value = text
    cell.data_type = "s"  # never a formula
    if formula_like(text):
        cell.quotePrefix = True
    if header:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    return cell


def sheet_create(workbook, title: str, columns: list[tuple[str, int]]):
    """A sheet of a write-only workbook with its header row (bold, frozen) and its columns' widths."""
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([text_cell(sheet, header, header=True) for header, _width in columns])
    return sheet


def csv_text(value) -> str:
    """A CSV cell that opens as the text it is: a formula character first gets Excel's quote prefix.

    Every CSV the system writes passes each of its cells through here (the ZIP manifest, the security
    log); the ledger workbook uses `spreadsheet_text` and `formula_like` for its typed cells.
    """
    text = spreadsheet_text(value)
    return "'" + text if formula_like(text) else text
