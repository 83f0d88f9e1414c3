"""Changes to the organisation: importing units, users and posts from one Excel workbook, all or nothing.

The workbook has three sheets, 单位 (units), 人员 (users) and 岗位 (posts); the first row of each holds
the column names (Chinese, or the English aliases below). Records are matched on their natural keys:
units by code, users by username, posts by (unit, title, holder). A column that is missing altogether
leaves that field of existing records untouched; a blank cell in a present column empties the field.
Every row is checked before anything is written, and every problem is reported with the sheet and the
row number Excel shows; one problem and nothing is written.

The import never touches sign-in, for anyone (superusers and the console operator included): those are the
security administrator's, through accounts.security.services (三员分立). New users get no usable password
and choose their own (a reset link to their email, or a one-time code the security administrator starts);
a non-empty 初始密码 cell is refused. A 角色 cell must equal the roles the account holds (a new account holds
none), and an existing account's email must equal the file's: a file that would change either is refused.

The steps, one module each: `workbook` reads the file into sheets (layout, limits, problems), `rows`
reads and checks each row, `plan` matches the rows to the database and writes them, `template` builds the
example workbook, and `results` holds what the caller gets back.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.org_import.plan import _ImportPlan
from accounts.org_import.results import OrgImportCounts, OrgImportError, OrgImportResult, OrgImportRowError
from accounts.org_import.rows import (
    POST_KIND_WORDS,
    ROLE_WORDS,
    UNIT_KIND_WORDS,
    _posts_parse,
    _units_parse,
    _users_parse,
)
from accounts.org_import.template import org_import_template_workbook
from accounts.org_import.workbook import (
    MAX_FILE_BYTES,
    MAX_PARTS,
    MAX_ROWS,
    POSTS_SHEET,
    UNITS_SHEET,
    USERS_SHEET,
    _file_bytes,
    _Problems,
    _workbook_read,
)
from accounts.permissions import org_check_import_permission

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PARTS",
    "MAX_ROWS",
    "POSTS_SHEET",
    "POST_KIND_WORDS",
    "ROLE_WORDS",
    "UNITS_SHEET",
    "UNIT_KIND_WORDS",
    "USERS_SHEET",
    "OrgImportCounts",
    "OrgImportError",
    "OrgImportResult",
    "OrgImportRowError",
    "org_import",
    "org_import_template_workbook",
]


def org_import(*, workbook_file, imported_by: User | None) -> OrgImportResult:
    """Create or update units, users and posts from an .xlsx workbook; all rows or none. Passwords, roles
    and existing users' email are never set by it (see the module docstring).

    `workbook_file` is a path, bytes or a binary file object (an uploaded file). `imported_by` must
    hold accounts.add_orgunit (the office administrator) or be a superuser. None means the operator
    running `manage.py import_org` on the server, who already holds the database: no permission is
    checked for them. Views always pass `request.user`.
    """
    if imported_by is not None:
        org_check_import_permission(user=imported_by)

    sheets = _workbook_read(_file_bytes(workbook_file))
    problems = _Problems()
    units = _units_parse(sheets["units"], problems)
    users = _users_parse(sheets["users"], problems)
    posts = _posts_parse(sheets["posts"], problems)
    plan = _ImportPlan.build(sheets=sheets, units=units, users=users, posts=posts, imported_by=imported_by)
    plan.check(problems)
    problems.raise_if_any()

    try:
        with transaction.atomic():
            return plan.write()
    except IntegrityError:
        raise OrgImportError(
            _("The organisation changed while the file was being imported; nothing was imported. Try again.")
        ) from None
