"""Reading the workbook: the sheets and columns it must have, the limits on the file, and the problems found.

Nothing here knows the database; it turns the bytes of the file into sheets of raw cell values, or refuses
a file that is not an .xlsx, is too large, or lacks a sheet or a required column.
"""

import datetime
import io
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from accounts.org_import.results import OrgImportError, OrgImportRowError
from core.bidi import bidi_controls_present

MAX_FILE_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip. Before openpyxl sees it, a file is refused that would inflate beyond
# settings.ORG_IMPORT_MAX_UNCOMPRESSED_BYTES in all, that has a part packed more tightly than
# settings.ORG_IMPORT_MAX_COMPRESSION_RATIO (a "zip bomb": 234 KB of repeated text opening as 94 MB), or
# that has more parts than any workbook (a few dozen).
MAX_PARTS = 1000
RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # small parts may pack tightly and harm nothing
MAX_ROWS = 50_000  # per sheet, not counting the header row


# --- The layout of the workbook ------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    key: str
    header: str  # as written in the example workbook
    alias: str  # the English name, also accepted
    required: bool = False  # the column must be present (its cells may still be optional)
    in_example: bool = True  # written in the example workbook (False: only read, to check older files)


@dataclass(frozen=True)
class _SheetSpec:
    key: str
    name: str
    alias: str
    columns: tuple[_Column, ...]


UNITS_SHEET = _SheetSpec(
    "units",
    "单位",
    "units",
    (
        _Column("code", "编码", "code", required=True),
        _Column("name", "名称", "name", required=True),
        _Column("parent", "上级编码", "parent_code"),
        _Column("kind", "类型", "kind", required=True),
        _Column("sort_order", "排序", "sort_order"),
    ),
)
# People's names and, for new accounts only, their email. Passwords and roles are never imported: each
# person chooses their own password, and roles are granted by the security administrator (三员分立). The
# two columns older workbooks had are still read, to refuse a file that would set either.
USERS_SHEET = _SheetSpec(
    "users",
    "人员",
    "users",
    (
        _Column("username", "用户名", "username", required=True),
        _Column("full_name", "姓名", "full_name", required=True),
        _Column("email", "邮箱", "email"),
        _Column("password", "初始密码", "initial_password", in_example=False),  # must be empty
        _Column("roles", "角色", "roles", in_example=False),  # must equal the roles the account holds
    ),
)
POSTS_SHEET = _SheetSpec(
    "posts",
    "岗位",
    "posts",
    (
        _Column("unit", "单位编码", "unit_code", required=True),
        _Column("title", "职务", "title", required=True),
        _Column("kind", "类别", "kind", required=True),
        _Column("holder", "任职人用户名", "holder_username"),
        _Column("term_start", "任期开始", "term_start"),
        _Column("term_end", "任期结束", "term_end"),
        _Column("oversees", "分管单位编码", "oversees"),
        _Column("sort_order", "排序", "sort_order"),
    ),
)
_SHEETS = (UNITS_SHEET, USERS_SHEET, POSTS_SHEET)


@dataclass
class _Sheet:
    """One sheet as read: its title in the file, the header each column had, and the non-empty rows."""

    title: str
    headers: dict[str, str]  # column key -> header as written in the file
    rows: list[tuple[int, dict[str, object]]]  # (Excel row number, column key -> raw cell value)

    def has(self, key: str) -> bool:
        return key in self.headers


class _Problems:
    def __init__(self) -> None:
        self.items: list[OrgImportRowError] = []

    def add(self, sheet: str, row: int | None, message: str) -> None:
        self.items.append(OrgImportRowError(sheet=sheet, row=row, message=message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise OrgImportError(
                ngettext(
                    "The spreadsheet has %(count)d problem; nothing was imported.",
                    "The spreadsheet has %(count)d problems; nothing was imported.",
                    len(self.items),
                )
                % {"count": len(self.items)},
                errors=self.items,
            )


def _not_a_spreadsheet() -> OrgImportError:
    return OrgImportError(_("The file is not an Excel .xlsx spreadsheet."))


# --- Reading the file ----------------------------------------------------------------------------


def _file_bytes(workbook_file) -> bytes:
    too_large = OrgImportError(
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
            raise OrgImportError(_("The file cannot be read.")) from None
    else:
        if (getattr(workbook_file, "size", None) or 0) > MAX_FILE_BYTES:
            raise too_large
        if hasattr(workbook_file, "seek"):
            workbook_file.seek(0)
        data = workbook_file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise too_large
    return data


def _workbook_read(data: bytes) -> dict[str, _Sheet]:
    """Every sheet's header and non-empty rows; refuses what is not an .xlsx or not laid out as expected."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_spreadsheet() from None
    if any(info.flag_bits & 0x1 for info in infos):  # an encrypted zip
        raise _not_a_spreadsheet()
    _inflated_size_check(infos)

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, XML errors) for damaged files
        raise _not_a_spreadsheet() from None
    problems = _Problems()
    try:
        titles = {title.strip().casefold(): title for title in workbook.sheetnames}
        sheets = {}
        for spec in _SHEETS:
            title = titles.get(spec.name.casefold()) or titles.get(spec.alias.casefold())
            if title is None:
                problems.add(
                    spec.name,
                    None,
                    _("The workbook has no sheet named “%(name)s” (or “%(alias)s”).")
                    % {"name": spec.name, "alias": spec.alias},
                )
                continue
            sheet = _sheet_read(spec, title, workbook[title], problems)
            if sheet is not None:
                sheets[spec.key] = sheet
    except OrgImportError:
        raise
    except Exception:  # a sheet's XML is damaged: openpyxl parses it lazily, row by row
        raise _not_a_spreadsheet() from None
    finally:
        workbook.close()
    problems.raise_if_any()
    return sheets


def _inflated_size_check(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse, from the zip's directory alone, a workbook that would take too much memory to open.

    The sizes the directory declares bound what zipfile will inflate (it stops at the declared size),
    so they can be trusted here.
    """
    limit = settings.ORG_IMPORT_MAX_UNCOMPRESSED_BYTES
    if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > limit:
        raise OrgImportError(
            _("The spreadsheet would take more than %(limit)d MB once opened; split it into smaller files.")
            % {"limit": limit // (1024 * 1024)}
        )
    ratio = settings.ORG_IMPORT_MAX_COMPRESSION_RATIO
    for info in infos:
        if info.file_size >= RATIO_CHECKED_FROM_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            raise OrgImportError(
                _(
                    "The spreadsheet is packed unusually tightly (more than %(ratio)d to 1), as files made "
                    "to exhaust the server are; it was not opened. Save it again from Excel or WPS and retry."
                )
                % {"ratio": ratio}
            )


def _sheet_read(spec: _SheetSpec, title: str, worksheet, problems: _Problems) -> _Sheet | None:
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
        text = _text(value)
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

    sheet = _Sheet(title=title, headers=headers, rows=[])
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            problems.add(title, None, _("The sheet has more than %(limit)d rows.") % {"limit": MAX_ROWS})
            return None
        cells = {
            key: values[position] if position < len(values) else None for key, position in positions.items()
        }
        if any(isinstance(value, str) and bidi_controls_present(value) for value in cells.values()):
            # The same rule as every form's text fields (core.bidi): a name must not read backwards.
            problems.add(
                title,
                number,
                _("The row contains control characters that change the direction of writing; remove them."),
            )
            continue
        if any(_text(value) for value in cells.values()):
            sheet.rows.append((number, cells))
    return sheet


# --- A cell as text ------------------------------------------------------------------------------


def _text(value) -> str:
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
