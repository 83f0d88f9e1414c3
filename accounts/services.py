"""Changes to the organisation: importing units, users and posts from one Excel workbook, all or nothing.

The workbook has three sheets, 单位 (units), 人员 (users) and 岗位 (posts); the first row of each holds
the column names (Chinese, or the English aliases below). Records are matched on their natural keys:
units by code, users by username, posts by (unit, title, holder). A column that is missing altogether
leaves that field of existing records untouched; a blank cell in a present column empties the field.
Every row is checked before anything is written, and every problem is reported with the sheet and the
row number Excel shows; one problem and nothing is written.
"""

import datetime
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook

from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
from accounts.permissions import org_check_import_permission
from accounts.roles import Role
from core.errors import ApplicationError

MAX_FILE_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip: refuse one that would inflate beyond this (a "zip bomb") before parsing it.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 50_000  # per sheet, not counting the header row
_BATCH = 500  # rows per bulk query: under SQLite's and PostgreSQL's bound-parameter limits
_MAX_SORT_ORDER = 2_147_483_647

# The words people write in the spreadsheet (data, so in Chinese), besides the stored values.
UNIT_KIND_WORDS = {
    "党组": OrgUnitKind.PARTY_GROUP,
    "委办室": OrgUnitKind.WORKING_BODY,
    "处室": OrgUnitKind.SECTION,
    "机关党委": OrgUnitKind.PARTY_COMMITTEE,
    "纪检监察组": OrgUnitKind.INSPECTION_TEAM,
}
POST_KIND_WORDS = {
    "党组书记": PostKind.PARTY_SECRETARY,
    "党组成员": PostKind.PARTY_MEMBER,
    "主要负责人": PostKind.UNIT_HEAD,
    "副职": PostKind.DEPUTY_HEAD,
    "处室负责人": PostKind.SECTION_CHIEF,
    "干部": PostKind.STAFF,
    "纪检监察组成员": PostKind.INSPECTOR,
}
ROLE_WORDS = {
    "党组": Role.PARTY_GROUP,
    "纪检监察组": Role.INSPECTION_TEAM,
    "办公室管理员": Role.OFFICE_ADMIN,
}
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


# --- What the caller gets back -------------------------------------------------------------------


@dataclass(frozen=True)
class OrgImportRowError:
    """One problem: the sheet, the row number Excel shows (None for the whole sheet) and the reason."""

    sheet: str
    row: int | None
    message: str


class OrgImportError(ApplicationError):
    """The workbook was refused; `errors` lists every problem found. Nothing was written."""

    def __init__(self, message, *, errors: Iterable[OrgImportRowError] = ()):
        super().__init__(message, code="org_import")
        self.errors = list(errors)


@dataclass(frozen=True)
class OrgImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class OrgImportResult:
    units: OrgImportCounts
    users: OrgImportCounts
    posts: OrgImportCounts

    def summary(self) -> list[str]:
        """One line per kind of record, for a message or the console."""
        lines = []
        for label, counts in ((_("Units"), self.units), (_("Users"), self.users), (_("Posts"), self.posts)):
            lines.append(
                _("%(kind)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "kind": label,
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
        return lines


# --- The layout of the workbook ------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    key: str
    header: str  # as written in the example workbook
    alias: str  # the English name, also accepted
    required: bool = False  # the column must be present (its cells may still be optional)


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
USERS_SHEET = _SheetSpec(
    "users",
    "人员",
    "users",
    (
        _Column("username", "用户名", "username", required=True),
        _Column("full_name", "姓名", "full_name", required=True),
        _Column("email", "邮箱", "email"),
        _Column("password", "初始密码", "initial_password"),
        _Column("roles", "角色", "roles"),
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


# --- Parsed rows ---------------------------------------------------------------------------------


@dataclass
class _UnitRow:
    row: int
    code: str
    name: str
    parent_code: str
    kind: str
    sort_order: int


@dataclass
class _UserRow:
    row: int
    username: str
    full_name: str
    email: str
    password: str
    roles: set[str] | None  # None: the cell could not be read


@dataclass
class _PostRow:
    row: int
    unit_code: str
    title: str
    kind: str
    holder_username: str
    term_start: datetime.date | None
    term_end: datetime.date | None
    oversees: list[str] = field(default_factory=list)
    sort_order: int = 0


# --- The service ---------------------------------------------------------------------------------


def org_import(*, workbook_file, imported_by: User | None) -> OrgImportResult:
    """Create or update units, users and posts from an .xlsx workbook; all rows or none.

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

    plan.hash_passwords()
    try:
        with transaction.atomic():
            return plan.write()
    except IntegrityError:
        raise OrgImportError(
            _("The organisation changed while the file was being imported; nothing was imported. Try again.")
        ) from None


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
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise OrgImportError(_("The spreadsheet is too large to import; split it into smaller files."))

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
        if any(_text(value) for value in cells.values()):
            sheet.rows.append((number, cells))
    return sheet


# --- Reading cells -------------------------------------------------------------------------------


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


def _password(value) -> str:
    """Passwords are taken as written: leading or trailing spaces may be meant."""
    return value if isinstance(value, str) else _text(value)


class _RowReader:
    """Reads and checks the cells of one row, reporting each problem against the row."""

    def __init__(self, sheet: _Sheet, row: int, cells: dict[str, object], problems: _Problems):
        self.sheet, self.row, self.cells, self.problems = sheet, row, cells, problems

    def problem(self, message: str) -> None:
        self.problems.add(self.sheet.title, self.row, message)

    def column(self, key: str) -> str:
        return self.sheet.headers.get(key, key)

    def text(self, key: str, *, model=None, field_name: str = "", required: bool = False) -> str:
        value = _text(self.cells.get(key))
        if not value:
            if required:
                self.problem(_("“%(column)s” is required.") % {"column": self.column(key)})
            return ""
        max_length = model._meta.get_field(field_name).max_length if model else None
        if max_length and len(value) > max_length:
            self.problem(
                _("“%(column)s” is longer than %(limit)d characters.")
                % {"column": self.column(key), "limit": max_length}
            )
        return value

    def choice(self, key: str, *, words: dict[str, str], values: Iterable[str]) -> str:
        value = self.text(key, required=True)
        if not value:
            return ""
        found = words.get(value) or next((v for v in values if v.casefold() == value.casefold()), None)
        if found is None:
            self.problem(
                _("“%(value)s” is not a valid %(column)s; use one of: %(choices)s.")
                % {"value": value, "column": self.column(key), "choices": "、".join(words)}
            )
            return ""
        return str(found)

    def whole_number(self, key: str) -> int:
        value = self.cells.get(key)
        text = _text(value)
        if not text:
            return 0
        if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
            number = int(value)
        elif re.fullmatch(r"\d+", text):
            number = int(text)
        else:
            number = -1
        if not 0 <= number <= _MAX_SORT_ORDER:
            self.problem(
                _("“%(column)s” must be a whole number of 0 or more, not “%(value)s”.")
                % {"column": self.column(key), "value": text}
            )
            return 0
        return number

    def date(self, key: str) -> datetime.date | None:
        value = self.cells.get(key)
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        if not text:
            return None
        if _ISO_DATE.match(text):
            try:
                return datetime.date(*(int(part) for part in text.split("-")))
            except ValueError:
                pass
        self.problem(
            _("“%(value)s” in “%(column)s” is not a date; write it as YYYY-MM-DD.")
            % {"value": text, "column": self.column(key)}
        )
        return None

    def codes(self, key: str) -> list[str]:
        return list(
            dict.fromkeys(part for part in _LIST_SEPARATORS.split(_text(self.cells.get(key))) if part)
        )


def _units_parse(sheet: _Sheet, problems: _Problems) -> list[_UnitRow]:
    parsed, first_row = [], {}
    for number, cells in sheet.rows:
        cell = _RowReader(sheet, number, cells, problems)
        code = cell.text("code", model=OrgUnit, field_name="code", required=True)
        unit = _UnitRow(
            row=number,
            code=code,
            name=cell.text("name", model=OrgUnit, field_name="name", required=True),
            parent_code=cell.text("parent"),
            kind=cell.choice("kind", words=UNIT_KIND_WORDS, values=OrgUnitKind.values),
            sort_order=cell.whole_number("sort_order"),
        )
        if code and code in first_row:
            cell.problem(
                _("The code “%(code)s” appears more than once in this sheet (first on row %(row)d).")
                % {"code": code, "row": first_row[code]}
            )
            continue
        if code:
            first_row[code] = number
        if code and unit.parent_code == code:
            cell.problem(_("A unit cannot be its own parent."))
        parsed.append(unit)
    return parsed


def _users_parse(sheet: _Sheet, problems: _Problems) -> list[_UserRow]:
    username_field = User._meta.get_field("username")
    parsed, first_row = [], {}
    for number, cells in sheet.rows:
        cell = _RowReader(sheet, number, cells, problems)
        username = cell.text("username", model=User, field_name="username", required=True)
        if username:
            try:
                for validator in username_field.validators:
                    validator(username)
            except ValidationError as error:
                cell.problem(" ".join(error.messages))
        email = cell.text("email", model=User, field_name="email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                cell.problem(_("“%(value)s” is not a valid email address.") % {"value": email})
        roles: set[str] | None = set()
        for word in cell.codes("roles"):
            role = ROLE_WORDS.get(word) or next((r for r in Role if r.value == word.casefold()), None)
            if role is None:
                cell.problem(
                    _("“%(value)s” is not a valid role; use one of: %(choices)s.")
                    % {"value": word, "choices": "、".join(ROLE_WORDS)}
                )
                roles = None
            elif roles is not None:
                roles.add(role.value)
        user = _UserRow(
            row=number,
            username=username,
            full_name=cell.text("full_name", model=User, field_name="full_name", required=True),
            email=email,
            password=_password(cells.get("password")),
            roles=roles,
        )
        if username and username in first_row:
            cell.problem(
                _("The username “%(username)s” appears more than once in this sheet (first on row %(row)d).")
                % {"username": username, "row": first_row[username]}
            )
            continue
        if username:
            first_row[username] = number
        parsed.append(user)
    return parsed


def _posts_parse(sheet: _Sheet, problems: _Problems) -> list[_PostRow]:
    parsed = []
    for number, cells in sheet.rows:
        cell = _RowReader(sheet, number, cells, problems)
        post = _PostRow(
            row=number,
            unit_code=cell.text("unit", required=True),
            title=cell.text("title", model=Post, field_name="title", required=True),
            kind=cell.choice("kind", words=POST_KIND_WORDS, values=PostKind.values),
            holder_username=cell.text("holder"),
            term_start=cell.date("term_start"),
            term_end=cell.date("term_end"),
            oversees=cell.codes("oversees"),
            sort_order=cell.whole_number("sort_order"),
        )
        if post.term_start and post.term_end and post.term_end < post.term_start:
            cell.problem(_("The term ends before it starts."))
        parsed.append(post)
    return parsed


# --- Checking against the database and writing ---------------------------------------------------


def _chunks(items: list, size: int = _BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _ImportPlan:
    """The rows of the file matched to the records they create or update."""

    def __init__(self, *, sheets, units, users, posts, imported_by):
        self.sheets: dict[str, _Sheet] = sheets
        self.units: list[_UnitRow] = units
        self.users: list[_UserRow] = users
        self.posts: list[_PostRow] = posts
        self.imported_by: User | None = imported_by
        self.units_by_code: dict[str, OrgUnit] = {}
        self.parent_code_by_pk: dict[int, str | None] = {}
        self.users_by_username: dict[str, User] = {}
        self.password_hashes: dict[str, str] = {}

    @classmethod
    def build(cls, **kwargs) -> "_ImportPlan":
        plan = cls(**kwargs)
        # Every unit (thousands at most): the whole tree is needed to find loops through existing units.
        all_units = list(OrgUnit.objects.all())
        code_by_pk = {unit.pk: unit.code for unit in all_units}
        plan.units_by_code = {unit.code: unit for unit in all_units}
        plan.parent_code_by_pk = {unit.pk: code_by_pk.get(unit.parent_id) for unit in all_units}
        usernames = list({row.username for row in plan.users} | {row.holder_username for row in plan.posts})
        for chunk in _chunks([name for name in usernames if name]):
            for user in User.objects.filter(username__in=chunk):
                plan.users_by_username[user.username] = user
        return plan

    # -- checks --

    def check(self, problems: _Problems) -> None:
        self._check_units(problems)
        self._check_users(problems)
        self._check_posts(problems)

    def _known_unit(self, code: str) -> bool:
        return code in self.units_by_code or code in self.file_unit_codes

    @cached_property
    def file_unit_codes(self) -> set[str]:
        return {row.code for row in self.units if row.code}

    def _check_units(self, problems: _Problems) -> None:
        title = self.sheets["units"].title
        parents: dict[str, str | None] = {
            code: self.parent_code_by_pk[unit.pk] for code, unit in self.units_by_code.items()
        }
        for row in self.units:
            if row.code and self.sheets["units"].has("parent"):
                parents[row.code] = row.parent_code or None
            elif row.code and row.code not in parents:
                parents[row.code] = None
        for row in self.units:
            if row.parent_code and not self._known_unit(row.parent_code):
                problems.add(
                    title,
                    row.row,
                    _("The parent code “%(code)s” is not a known unit.") % {"code": row.parent_code},
                )
        # A new loop always runs through a unit of the file (the stored tree has none), so each loop is
        # reported once, on the row of its first unit in the file.
        reported: set[frozenset[str]] = set()
        for row in self.units:
            if not row.code or row.parent_code == row.code:
                continue  # a unit naming itself as parent is reported when the row is read
            chain, current = [row.code], parents.get(row.code)
            while current is not None and current not in chain:
                chain.append(current)
                current = parents.get(current)
            if current != row.code:
                continue  # no loop, or a loop this unit only leads into
            loop = frozenset(chain)
            if loop not in reported:
                reported.add(loop)
                problems.add(
                    title,
                    row.row,
                    _("The parent units form a loop: %(loop)s.") % {"loop": " → ".join([*chain, row.code])},
                )

    def _check_users(self, problems: _Problems) -> None:
        sheet = self.sheets["users"]
        by = self.imported_by
        for row in self.users:
            if not row.username:
                continue
            existing = self.users_by_username.get(row.username)
            if existing is None:
                if not row.password:
                    problems.add(
                        sheet.title,
                        row.row,
                        _("A new user needs an initial password (column “%(column)s”).")
                        % {"column": sheet.headers.get("password", "初始密码")},
                    )
                else:
                    candidate = User(username=row.username, full_name=row.full_name, email=row.email)
                    try:
                        validate_password(row.password, user=candidate)
                    except ValidationError as error:
                        problems.add(sheet.title, row.row, " ".join(error.messages))
                continue
            if by is None or by.is_superuser:
                continue
            if existing.is_superuser and self._user_changes(existing, row):
                problems.add(
                    sheet.title, row.row, _("Only a superuser may change a superuser's account by import.")
                )
            if (
                existing.pk == by.pk
                and sheet.has("roles")
                and row.roles is not None
                and Role.OFFICE_ADMIN not in row.roles
                and Role.OFFICE_ADMIN in self._role_names(existing)
            ):
                problems.add(sheet.title, row.row, _("You cannot remove your own office administrator role."))

    def _check_posts(self, problems: _Problems) -> None:
        title = self.sheets["posts"].title
        file_usernames = {row.username for row in self.users if row.username}
        first_row: dict[tuple[str, str, str], int] = {}
        for row in self.posts:
            if row.unit_code and not self._known_unit(row.unit_code):
                problems.add(
                    title,
                    row.row,
                    _("The unit code “%(code)s” is not a known unit.") % {"code": row.unit_code},
                )
            if (
                row.holder_username
                and row.holder_username not in file_usernames
                and row.holder_username not in self.users_by_username
            ):
                problems.add(
                    title,
                    row.row,
                    _("The username “%(username)s” is not a known user.") % {"username": row.holder_username},
                )
            for code in row.oversees:
                if not self._known_unit(code):
                    problems.add(
                        title,
                        row.row,
                        _("The overseen unit code “%(code)s” is not a known unit.") % {"code": code},
                    )
            key = (row.unit_code, row.title, row.holder_username)
            if row.unit_code and row.title and key in first_row:
                problems.add(
                    title,
                    row.row,
                    _("The same post (unit, title and holder) appears more than once (first on row %(row)d).")
                    % {"row": first_row[key]},
                )
            first_row.setdefault(key, row.row)

    # -- helpers for both --

    @staticmethod
    def _role_names(user: User) -> set[str]:
        # One query per call: only the guards for superusers and the importing user call it.
        return set(user.groups.filter(name__in=[role.value for role in Role]).values_list("name", flat=True))

    def _user_changes(self, user: User, row: _UserRow) -> bool:
        sheet = self.sheets["users"]
        return (
            user.full_name != row.full_name
            or (sheet.has("email") and user.email != row.email)
            or (sheet.has("roles") and row.roles is not None and self._role_names(user) != row.roles)
        )

    def hash_passwords(self) -> None:
        """Hash new users' passwords before the transaction: hashing is slow on purpose."""
        for row in self.users:
            if row.username not in self.users_by_username:
                self.password_hashes[row.username] = make_password(row.password)

    # -- writing --

    def write(self) -> OrgImportResult:
        units = self._write_units()
        users = self._write_users()
        posts = self._write_posts()
        return OrgImportResult(units=units, users=users, posts=posts)

    def _write_units(self) -> OrgImportCounts:
        sheet = self.sheets["units"]
        new = [
            OrgUnit(code=row.code, name=row.name, kind=row.kind, sort_order=row.sort_order)
            for row in self.units
            if row.code not in self.units_by_code
        ]
        OrgUnit.objects.bulk_create(new, batch_size=_BATCH)
        created_codes = {unit.code for unit in new}
        self.units_by_code.update({unit.code: unit for unit in new})

        changed = []
        for row in self.units:
            unit = self.units_by_code[row.code]
            before = (unit.name, unit.kind, unit.parent_id, unit.sort_order)
            unit.name, unit.kind = row.name, row.kind
            if sheet.has("parent"):
                unit.parent = self.units_by_code[row.parent_code] if row.parent_code else None
            if sheet.has("sort_order"):
                unit.sort_order = row.sort_order
            if (
                unit.name,
                unit.kind,
                unit.parent_id,
                unit.sort_order,
            ) != before or unit.code in created_codes:
                changed.append(unit)
        OrgUnit.objects.bulk_update(changed, ["name", "kind", "parent", "sort_order"], batch_size=_BATCH)
        updated = sum(1 for unit in changed if unit.code not in created_codes)
        return OrgImportCounts(
            created=len(new), updated=updated, unchanged=len(self.units) - len(new) - updated
        )

    def _write_users(self) -> OrgImportCounts:
        sheet = self.sheets["users"]
        new = [
            User(
                username=row.username,
                full_name=row.full_name,
                email=row.email,
                password=self.password_hashes[row.username],
            )
            for row in self.users
            if row.username not in self.users_by_username
        ]
        User.objects.bulk_create(new, batch_size=_BATCH)
        created = {user.username for user in new}

        changed = {}
        for row in self.users:
            user = self.users_by_username.get(row.username)
            if user is None:
                continue
            before = (user.full_name, user.email)
            user.full_name = row.full_name
            if sheet.has("email"):
                user.email = row.email
            if (user.full_name, user.email) != before:
                changed[user.username] = user
        User.objects.bulk_update(list(changed.values()), ["full_name", "email"], batch_size=_BATCH)
        self.users_by_username.update({user.username: user for user in new})

        if sheet.has("roles"):
            changed_roles = self._write_roles()
            changed.update({name: None for name in changed_roles - created})
        return OrgImportCounts(
            created=len(new), updated=len(changed), unchanged=len(self.users) - len(new) - len(changed)
        )

    def _write_roles(self) -> set[str]:
        """Set the listed users' role groups to those in the file (others stay); return who changed."""
        groups = {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}
        role_by_group_pk = {group.pk: name for name, group in groups.items()}
        Membership = User.groups.through
        rows = [row for row in self.users if row.roles is not None]
        user_pks = [self.users_by_username[row.username].pk for row in rows]
        current: dict[int, dict[str, int]] = {}
        for chunk in _chunks(user_pks):
            for pk, user_id, group_id in Membership.objects.filter(
                user_id__in=chunk, group_id__in=role_by_group_pk
            ).values_list("pk", "user_id", "group_id"):
                current.setdefault(user_id, {})[role_by_group_pk[group_id]] = pk
        to_delete, to_add, changed = [], [], set()
        for row in rows:
            user = self.users_by_username[row.username]
            held = current.get(user.pk, {})
            for role, membership_pk in held.items():
                if role not in row.roles:
                    to_delete.append(membership_pk)
            to_add.extend(
                Membership(user_id=user.pk, group_id=groups[role].pk)
                for role in row.roles
                if role not in held
            )
            if set(held) != row.roles:
                changed.add(row.username)
        for chunk in _chunks(to_delete):
            Membership.objects.filter(pk__in=chunk).delete()
        Membership.objects.bulk_create(to_add, batch_size=_BATCH)
        return changed

    def _write_posts(self) -> OrgImportCounts:
        sheet = self.sheets["posts"]
        unit_pks = list({self.units_by_code[row.unit_code].pk for row in self.posts})
        existing: dict[tuple[int, str, int | None], Post] = {}
        for chunk in _chunks(unit_pks):
            for post in Post.objects.filter(unit_id__in=chunk).order_by("pk"):
                existing.setdefault((post.unit_id, post.title, post.holder_id), post)

        def key(row: _PostRow) -> tuple[int, str, int | None]:
            holder = self.users_by_username[row.holder_username] if row.holder_username else None
            return (self.units_by_code[row.unit_code].pk, row.title, holder.pk if holder else None)

        new, changed, matched = [], [], []
        for row in self.posts:
            post = existing.get(key(row))
            if post is None:
                unit_pk, title, holder_pk = key(row)
                post = Post(unit_id=unit_pk, title=title, holder_id=holder_pk)
                new.append(post)
            before = (post.kind, post.term_start, post.term_end, post.sort_order)
            post.kind = row.kind
            if sheet.has("term_start"):
                post.term_start = row.term_start
            if sheet.has("term_end"):
                post.term_end = row.term_end
            if sheet.has("sort_order"):
                post.sort_order = row.sort_order
            if post.pk is not None and (post.kind, post.term_start, post.term_end, post.sort_order) != before:
                changed.append(post)
            matched.append((row, post))
        Post.objects.bulk_create(new, batch_size=_BATCH)
        Post.objects.bulk_update(changed, ["kind", "term_start", "term_end", "sort_order"], batch_size=_BATCH)

        updated = {post.pk for post in changed}
        if sheet.has("oversees"):
            updated |= self._write_oversees(matched) - {post.pk for post in new}
        return OrgImportCounts(
            created=len(new), updated=len(updated), unchanged=len(self.posts) - len(new) - len(updated)
        )

    def _write_oversees(self, matched: list[tuple[_PostRow, Post]]) -> set[int]:
        """Make each post's overseen units exactly those listed. Returns the pks of posts that changed."""
        Oversees = Post.oversees.through
        post_pks = [post.pk for _row, post in matched]
        current: dict[int, dict[int, int]] = {}
        for chunk in _chunks(post_pks):
            for pk, post_id, unit_id in Oversees.objects.filter(post_id__in=chunk).values_list(
                "pk", "post_id", "orgunit_id"
            ):
                current.setdefault(post_id, {})[unit_id] = pk
        to_delete, to_add, changed = [], [], set()
        for row, post in matched:
            wanted = {self.units_by_code[code].pk for code in row.oversees}
            held = current.get(post.pk, {})
            to_delete.extend(pk for unit_pk, pk in held.items() if unit_pk not in wanted)
            to_add.extend(Oversees(post_id=post.pk, orgunit_id=unit_pk) for unit_pk in wanted - set(held))
            if set(held) != wanted:
                changed.add(post.pk)
        for chunk in _chunks(to_delete):
            Oversees.objects.filter(pk__in=chunk).delete()
        Oversees.objects.bulk_create(to_add, batch_size=_BATCH)
        return changed


# --- The example workbook ------------------------------------------------------------------------


def org_import_template_workbook() -> bytes:
    """An example .xlsx with the three sheets, their header rows and two example rows each."""
    examples = {
        "units": [
            ("FGW", "法制工作委员会", None, "委办室", 10),
            ("FGW-FGC", "法规处", "FGW", "处室", 11),
        ],
        "users": [
            ("zhangwei", "张伟", "zhangwei@example.org", "Qh7#Lw2-Fgw", None),
            ("liuna", "刘娜", None, "Pz4!Rk9-Fgc", "办公室管理员"),
        ],
        "posts": [
            ("FGW", "主任", "主要负责人", "zhangwei", datetime.date(2023, 1, 1), None, "FGW、FGW-FGC", 1),
            ("FGW-FGC", "处长", "处室负责人", "liuna", datetime.date(2024, 3, 1), None, None, 2),
        ],
    }
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in _SHEETS:
        worksheet = workbook.create_sheet(spec.name)
        worksheet.append([column.header for column in spec.columns])
        for example in examples[spec.key]:
            worksheet.append(list(example))
        for index, column in enumerate(spec.columns, start=1):
            letter = worksheet.cell(row=1, column=index).column_letter
            worksheet.column_dimensions[letter].width = 16
            if column.key in ("term_start", "term_end"):
                for cell in worksheet[letter][1:]:
                    cell.number_format = "yyyy-mm-dd"
        worksheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
