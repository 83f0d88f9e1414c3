"""The organisation workbook's layout: its three sheets and their columns. Reading the file (its limits,
its layout, the problems found) is `core.workbooks`'; the problems found refuse it as an OrgImportError.
"""

from accounts.org_import.results import OrgImportError
from core.workbooks import (
    MAX_FILE_BYTES,
    MAX_PARTS,
    MAX_ROWS,
    WorkbookProblems,
    workbook_bytes,
    workbook_sheets_read,
)
from core.workbooks import SheetRows as _Sheet
from core.workbooks import WorkbookColumn as _Column
from core.workbooks import WorkbookSheet as _SheetSpec
from core.workbooks import cell_text as _text

__all__ = ["MAX_FILE_BYTES", "MAX_PARTS", "MAX_ROWS", "_Column", "_Sheet", "_text"]


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


class _Problems(WorkbookProblems):
    refused = OrgImportError


def _file_bytes(workbook_file) -> bytes:
    return workbook_bytes(workbook_file, refused=OrgImportError)


def _workbook_read(data: bytes) -> dict[str, _Sheet]:
    """Every sheet's header and non-empty rows; refuses what is not an .xlsx or not laid out as expected."""
    return workbook_sheets_read(data, _SHEETS, problems_class=_Problems)
