"""Reading each row of the three sheets into checked values, reporting every problem against its row.

The checks here need only the row and its sheet; whether a code or a username exists is checked by the plan.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
from accounts.org_import.workbook import _Problems, _Sheet, _text
from accounts.roles import Role

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
# Roles are not imported; the words are read only to compare a 角色 cell with the roles an account holds.
# The first word of each role is the one shown back in messages.
ROLE_WORDS = {
    "党组": Role.PARTY_GROUP,
    "纪检监察组": Role.INSPECTION_TEAM,
    "纪检监察组组长": Role.INSPECTION_HEAD,
    "系统管理员": Role.OFFICE_ADMIN,
    "办公室管理员": Role.OFFICE_ADMIN,  # the earlier name, still found in older workbooks
    "安全管理员": Role.SECURITY_ADMIN,
    "审计管理员": Role.AUDIT_ADMIN,
    "组织机构同步": Role.ORG_SYNC,  # an API client's account only
}
ROLE_WORD = {role: word for word, role in reversed(ROLE_WORDS.items())}  # each role's first word
_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


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
    roles: set[str] | None  # as written in 角色, only compared with the account's; None: unreadable


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


# --- Reading cells ---------------------------------------------------------------------------------


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
        if _text(cells.get("password")):
            cell.problem(
                _(
                    "Initial passwords are no longer imported: each person chooses their own, through a "
                    "reset link sent to their email or a one-time code from the security administrator. "
                    "Empty the “%(column)s” column, or delete it."
                )
                % {"column": cell.column("password")}
            )
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
