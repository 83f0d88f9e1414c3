"""Reading an imported Excel workbook (.xlsx), whatever it holds: the limits on the file, the sheets and
columns it must have, its rows as raw cells, and the problems found, each with its sheet and the row number
Excel shows. Every import of a workbook (the organisation, problem lists) reads it here and reports its
problems the same way, all or nothing.

Nothing here knows the database; a workbook that is not an .xlsx, is too large, would inflate too far
(a "zip bomb"), or lacks a sheet or a required column is refused before any row is read.
"""

import datetime
import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from core.bidi import bidi_controls_present
from core.errors import ApplicationError
from core.spreadsheets import formula_like

MAX_FILE_BYTES = 5 * 1024 * 1024
# An import page lists this many problems at most, and says how many more there were.
MAX_ERRORS_SHOWN = 200
# An .xlsx is a zip. Before openpyxl sees it, a file is refused that would inflate beyond
# settings.ORG_IMPORT_MAX_UNCOMPRESSED_BYTES in all, that has a part packed more tightly than
# settings.ORG_IMPORT_MAX_COMPRESSION_RATIO (a "zip bomb": 234 KB of repeated text opening as 94 MB), or
# that has more parts than any workbook (a few dozen). Both settings apply to every imported workbook.
MAX_PARTS = 1000
RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # small parts may pack tightly and harm nothing
MAX_ROWS = 50_000  # per sheet, not counting the header row
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


@dataclass(frozen=True)
class WorkbookRowError:
    """One problem: the sheet, the row number Excel shows (None for the whole sheet) and the reason."""

    sheet: str
    row: int | None
    message: str


class WorkbookRefused(ApplicationError):
    """The workbook was refused; `errors` lists every problem found. Nothing was written."""

    def __init__(self, message, *, errors: Iterable[WorkbookRowError] = (), code: str = "workbook"):
        super().__init__(message, code=code)
        self.errors = list(errors)


# --- The layout of a workbook --------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookColumn:
    key: str
    header: str  # as written in the example workbook
    alias: str  # the English name, also accepted
    required: bool = False  # the column must be present (its cells may still be optional)
    in_example: bool = True  # written in the example workbook (False: only read, to check older files)


@dataclass(frozen=True)
class WorkbookSheet:
    key: str
    name: str
    alias: str
    columns: tuple[WorkbookColumn, ...]


@dataclass
class SheetRows:
    """One sheet as read: its title in the file, the header each column had, and the non-empty rows."""

    title: str
    headers: dict[str, str]  # column key -> header as written in the file
    rows: list[tuple[int, dict[str, object]]]  # (Excel row number, column key -> raw cell value)

    def has(self, key: str) -> bool:
        return key in self.headers


class WorkbookProblems:
    """The problems found so far; `refused` is the error raised when there are any."""

    refused: type[WorkbookRefused] = WorkbookRefused

    def __init__(self) -> None:
        self.items: list[WorkbookRowError] = []

    def add(self, sheet: str, row: int | None, message: str) -> None:
        self.items.append(WorkbookRowError(sheet=sheet, row=row, message=message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise self.refused(
                ngettext(
                    "The spreadsheet has %(count)d problem; nothing was imported.",
                    "The spreadsheet has %(count)d problems; nothing was imported.",
                    len(self.items),
                )
                % {"count": len(self.items)},
                errors=self.items,
            )


# --- Reading the file ----------------------------------------------------------------------------


def _not_a_spreadsheet(refused: type[WorkbookRefused]) -> WorkbookRefused:
    return refused(_("The file is not an Excel .xlsx spreadsheet."))


# --- Reading the file ----------------------------------------------------------------------------


def workbook_bytes(workbook_file, *, refused: type[WorkbookRefused] = WorkbookRefused) -> bytes:
    """The file's bytes (a path, bytes or a binary file object such as an upload), at most MAX_FILE_BYTES."""
    too_large = refused(
        _("The file is larger than %(limit)d MB; split it into smaller files.")
        % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
    )
    if isinstance(workbook_file, bytes | bytearray):
        data = bytes(workbook_file)
    elif isinstance(workbook_file, str | os.PathLike):
        try:
            if os.path.getsize(workbook_file) > MAX_FILE_BYTES:
                raise too_large
            with open(workbook_file, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            raise refused(_("The file cannot be read.")) from None
    else:
        if (getattr(workbook_file, "size", None) or 0) > MAX_FILE_BYTES:
            raise too_large
        if hasattr(workbook_file, "seek"):
            workbook_file.seek(0)
        data = workbook_file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise too_large
    return data


def workbook_sheets_read(
    data: bytes,
    sheets: Iterable[WorkbookSheet],
    *,
    problems_class: type[WorkbookProblems] = WorkbookProblems,
    refuse_formulas: bool = False,
) -> dict[str, SheetRows]:
    """Every sheet's header and non-empty rows, by the sheet's key; refuses (`problems_class.refused`) what
    is not an .xlsx or not laid out as expected.

    `refuse_formulas`: a cell holding a formula is a problem of its row (its value is not read, so it is
    neither trusted nor silently dropped); otherwise a formula is read as the value Excel saved with it."""
    refused = problems_class.refused
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_spreadsheet(refused) from None
    if any(info.flag_bits & 0x1 for info in infos):  # an encrypted zip
        raise _not_a_spreadsheet(refused)
    _inflated_size_check(infos, refused=refused)

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=not refuse_formulas)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, XML errors) for damaged files
        raise _not_a_spreadsheet(refused) from None
    problems = problems_class()
    try:
        titles = {title.strip().casefold(): title for title in workbook.sheetnames}
        read = {}
        for spec in sheets:
            title = titles.get(spec.name.casefold()) or titles.get(spec.alias.casefold())
            if title is None:
                problems.add(
                    spec.name,
                    None,
                    _("The workbook has no sheet named “%(name)s” (or “%(alias)s”).")
                    % {"name": spec.name, "alias": spec.alias},
                )
                continue
            sheet = _sheet_read(spec, title, workbook[title], problems, refuse_formulas=refuse_formulas)
            if sheet is not None:
                read[spec.key] = sheet
    except WorkbookRefused:
        raise
    except Exception:  # a sheet's XML is damaged: openpyxl parses it lazily, row by row
        raise _not_a_spreadsheet(refused) from None
    finally:
        workbook.close()
    problems.raise_if_any()
    return read


def _inflated_size_check(infos: list[zipfile.ZipInfo], *, refused: type[WorkbookRefused]) -> None:
    """Refuse, from the zip's directory alone, a workbook that would take too much memory to open.

    The sizes the directory declares bound what zipfile will inflate (it stops at the declared size),
    so they can be trusted here.
    """
    limit = settings.ORG_IMPORT_MAX_UNCOMPRESSED_BYTES
    if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > limit:
        raise refused(
            _("The spreadsheet would take more than %(limit)d MB once opened; split it into smaller files.")
            % {"limit": limit // (1024 * 1024)}
        )
    ratio = settings.ORG_IMPORT_MAX_COMPRESSION_RATIO
    for info in infos:
        if info.file_size >= RATIO_CHECKED_FROM_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            raise refused(
                _(
                    "The spreadsheet is packed unusually tightly (more than %(ratio)d to 1), as files made "
                    "to exhaust the server are; it was not opened. Save it again from Excel or WPS and retry."
                )
                % {"ratio": ratio}
            )


def _sheet_read(
    spec: WorkbookSheet, title: str, worksheet, problems: WorkbookProblems, *, refuse_formulas: bool = False
) -> SheetRows | None:
    worksheet.reset_dimensions()  # do not trust the size the file claims; read what is there
    rows = worksheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    names = {}
    for column in spec.columns:
        names[column.header.casefold()] = column
        names[column.alias.casefold()] = column
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    for position, value in enumerate(header):
        text = cell_text(value)
        column = names.get(text.casefold())
        if column is None:
            continue  # extra columns (notes, numbering) are allowed and ignored
        if column.key in headers:
            problems.add(title, 1, _("The column “%(column)s” appears twice.") % {"column": text})
            continue
        headers[column.key] = text
        positions[column.key] = position
    missing = [column for column in spec.columns if column.required and column.key not in headers]
    for column in missing:
        problems.add(
            title,
            1,
            _("The sheet has no column “%(column)s” (or “%(alias)s”).")
            % {"column": column.header, "alias": column.alias},
        )
    if missing:
        return None

    sheet = SheetRows(title=title, headers=headers, rows=[])
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            problems.add(title, None, _("The sheet has more than %(limit)d rows.") % {"limit": MAX_ROWS})
            return None
        cells = {
            key: values[position] if position < len(values) else None for key, position in positions.items()
        }
        formulas = [key for key, value in cells.items() if refuse_formulas and _is_formula(value)]
        if formulas:
            problems.add(
                title,
                number,
                _("“%(column)s” holds a formula; write its value instead.")
                % {"column": headers[formulas[0]]},
            )
            continue
        if any(isinstance(value, str) and bidi_controls_present(value) for value in cells.values()):
            # The same rule as every form's text fields (core.bidi): a name must not read backwards.
            problems.add(
                title,
                number,
                _("The row contains control characters that change the direction of writing; remove them."),
            )
            continue
        if any(cell_text(value) for value in cells.values()):
            sheet.rows.append((number, cells))
    return sheet


def _is_formula(value) -> bool:
    """A cell read without its saved value: openpyxl gives a formula as its text (=…) or as an object."""
    return (isinstance(value, str) and value.startswith("=")) or type(value).__name__ in (
        "ArrayFormula",
        "DataTableFormula",
    )


# --- A cell as text ------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text, as people read it in Excel (1001, not 1001.0; a date as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 1001 as 1001.0
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def cell_date(value) -> datetime.date | None:
    """A cell as a day: an Excel date, or text such as 2026-12-31, 2026/12/31 or 2026年12月31日. None when
    empty; ValueError when it is not a day."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    match = _ISO_DATE.match(text) or _CHINESE_DATE.match(text)
    if match is None:
        raise ValueError(text)
    return datetime.date(*(int(part) for part in match.groups()))  # ValueError for 2026-02-30


# --- Reading a sheet's rows ----------------------------------------------------------------------

# A spreadsheet is data, written in Chinese whatever the reader's language.
SPREADSHEET_LANGUAGE = "zh-hans"


def choice_words(choices) -> dict[str, str]:
    """The labels people write (Chinese) and the stored values, both accepted, for a choice column."""
    with translation.override(SPREADSHEET_LANGUAGE):
        words = {str(label): value for value, label in choices}
    words.update({value: value for value, _label in choices})
    return words


class SheetReader:
    """Reads one sheet's cells, reporting every problem against its row in `problems`; an import reads
    its own columns with a subclass."""

    def __init__(self, sheet: SheetRows, problems: WorkbookProblems):
        self.sheet, self.problems = sheet, problems

    def problem(self, row: int | None, message: str) -> None:
        self.problems.add(self.sheet.title, row, message)

    def column(self, key: str) -> str:
        """The column's header as the file writes it."""
        return self.sheet.headers.get(key, key)

    def text(self, row: int, cells: dict, key: str, *, max_length: int | None = None, required=False) -> str:
        value = cell_text(cells.get(key))
        if not value:
            if required:
                self.problem(row, _("“%(column)s” is required.") % {"column": self.column(key)})
            return ""
        if formula_like(value):  # what a spreadsheet would read as a formula is refused, not stripped
            self.problem(
                row,
                _("“%(column)s” starts like a formula (%(start)s); write it as text.")
                % {"column": self.column(key), "start": value[0]},
            )
            return ""
        if max_length and len(value) > max_length:
            self.problem(
                row,
                _("“%(column)s” is longer than %(limit)d characters.")
                % {"column": self.column(key), "limit": max_length},
            )
        return value

    def choice(self, row: int, cells: dict, key: str, *, words: dict[str, str], default: str = "") -> str:
        """One of `words` (`choice_words`); without a value, `default`, or a problem when there is none."""
        value = self.text(row, cells, key, required=not default)
        if not value:
            return default
        if value not in words:
            labels = [word for word, stored in words.items() if word != stored] or list(words)
            self.problem(
                row,
                _("“%(value)s” is not a valid %(column)s; use one of: %(choices)s.")
                % {"value": value, "column": self.column(key), "choices": "、".join(labels)},
            )
            return ""
        return words[value]
