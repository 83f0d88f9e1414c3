import datetime
import io
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
from accounts.org_import import OrgImportCounts, OrgImportError, org_import, org_import_template_workbook
from accounts.roles import Role
from accounts.security.services import ResetMethod, password_reset_start
from core import workbooks as services  # where every imported workbook is read
from core.errors import ApplicationError
from tests.accounts.workbooks import OLD_USER_HEADER, PASSWORD, good_rows, org_counts, workbook_bytes
from tests.factories import TEST_PASSWORD, OrgUnitFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

# The refusals of what the import no longer does: set passwords, change roles, change an existing email.
PASSWORD_REFUSED = (
    "Initial passwords are no longer imported: each person chooses their own, through a reset link sent "
    "to their email or a one-time code from the security administrator. Empty the “{column}” column, or "
    "delete it."
)
NEW_USER_ROLES_REFUSED = (
    "Roles are granted by the security administrator on the 账号管理 page, not by import: a new account "
    "starts without roles, so leave “{column}” empty."
)
ROLES_CHANGE_REFUSED = (
    "Roles are granted by the security administrator on the 账号管理 page, not by import: “{column}” must "
    "list the roles this account holds now ({roles}), or delete the column."
)
EMAIL_CHANGE_REFUSED = (
    "The email of an existing account, where its password reset links go, is changed only by the security "
    "administrator on the 账号管理 page. The account's email now: {email}; write the same or delete the "
    "“{column}” column."
)


def role_names(username: str) -> set[str]:
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def oversees_codes(post: Post) -> set[str]:
    return set(post.oversees.values_list("code", flat=True))


def refused(workbook, imported_by) -> OrgImportError:
    with pytest.raises(OrgImportError) as caught:
        org_import(workbook_file=workbook, imported_by=imported_by)
    return caught.value


def old_users_workbook(users: list[list]) -> bytes:
    """A workbook with only people, under the header older workbooks had (with 初始密码 and 角色)."""
    return workbook_bytes({"单位": [], "人员": users, "岗位": []}, {"人员": OLD_USER_HEADER})


@pytest.fixture(params=["office_admin", "superuser", "console"])
def importer(request, db) -> User | None:
    """Everyone who may import; none of them is exempt from the sign-in rules (None: manage.py)."""
    if request.param == "office_admin":
        return request.getfixturevalue("office_admin")
    if request.param == "superuser":
        return UserFactory(username="root", is_superuser=True)
    return None


def test_org_import_creates_units_users_posts_and_oversight(office_admin):
    # given
    before = org_counts()

    # when
    result = org_import(workbook_file=workbook_bytes(good_rows()), imported_by=office_admin)

    # then: the counts say what happened
    assert result.units == OrgImportCounts(created=4)
    assert result.users == OrgImportCounts(created=3)
    assert result.posts == OrgImportCounts(created=4)
    # the unit tree, with kinds given as Chinese words or stored values
    units = {unit.code: unit for unit in OrgUnit.objects.select_related("parent")}
    assert units["FGW-FGC"].parent == units["FGW"]
    assert units["FGW"].parent is None
    assert [units[code].kind for code in ("PG", "FGW", "FGW-FGC", "JJZ")] == [
        OrgUnitKind.PARTY_GROUP,
        OrgUnitKind.WORKING_BODY,
        OrgUnitKind.SECTION,
        OrgUnitKind.INSPECTION_TEAM,
    ]
    assert units["JJZ"].sort_order == 4
    # the people, with the file's email, no usable password (each chooses their own) and no roles
    people = {
        user.username: user for user in User.objects.filter(username__in=["wangsj", "zhangzr", "lichz"])
    }
    assert {name: (user.full_name, user.email) for name, user in people.items()} == {
        "wangsj": ("王书记", "wang@example.org"),
        "zhangzr": ("张主任", ""),
        "lichz": ("李处长", "li@example.org"),
    }
    assert not any(user.has_usable_password() for user in people.values())
    assert [role_names(name) for name in people] == [set(), set(), set()]
    assert (org_counts()["groups"], org_counts()["memberships"]) == (before["groups"], before["memberships"])
    # the posts: kinds, terms from real dates and from text, oversight, a vacant post
    secretary = Post.objects.get(title="党组书记")
    assert (secretary.kind, secretary.holder.username) == (PostKind.PARTY_SECRETARY, "wangsj")
    assert (secretary.term_start, secretary.term_end) == (datetime.date(2023, 1, 1), None)
    assert oversees_codes(secretary) == {"FGW"}
    director = Post.objects.get(title="主任")
    assert (director.term_start, director.term_end) == (datetime.date(2023, 2, 1), datetime.date(2028, 1, 31))
    assert oversees_codes(director) == {"FGW", "FGW-FGC"}
    vacant = Post.objects.get(title="干部")
    assert (vacant.kind, vacant.holder, vacant.unit.code, vacant.sort_order) == (
        PostKind.STAFF,
        None,
        "FGW-FGC",
        3,
    )


def test_org_import_of_the_same_file_again_changes_nothing_and_duplicates_nothing(office_admin):
    # given an imported file
    workbook = workbook_bytes(good_rows())
    org_import(workbook_file=workbook, imported_by=office_admin)
    before = org_counts()

    # when it is imported again
    result = org_import(workbook_file=workbook, imported_by=office_admin)

    # then every record is matched, none created or changed
    assert result.units == OrgImportCounts(unchanged=4)
    assert result.users == OrgImportCounts(unchanged=3)
    assert result.posts == OrgImportCounts(unchanged=4)
    assert org_counts() == before


def test_org_import_updates_matched_records_and_keeps_existing_passwords(office_admin):
    # given an imported organisation, and a person already in the database who has chosen a password
    UserFactory(username="zhoujs", full_name="周建设", email="zhou@example.org")
    org_import(workbook_file=workbook_bytes(good_rows()), imported_by=office_admin)
    before = org_counts()
    rows = good_rows()
    rows["单位"][2] = ["FGW-FGC", "法规一处", "PG", "处室", 9]  # renamed and moved
    rows["人员"][0] = ["wangsj", "王书记（新）", "wang@example.org"]  # renamed, same email
    rows["人员"].append(["zhoujs", "周建设（新）", "zhou@example.org"])
    rows["岗位"][1] = ["FGW", "主任", "主要负责人", "zhangzr", "2023-02-01", "2027-12-31", "FGW", 1]

    # when the changed file is imported
    result = org_import(workbook_file=workbook_bytes(rows), imported_by=office_admin)

    # then the changed records are updated in place
    assert result.units == OrgImportCounts(updated=1, unchanged=3)
    assert result.users == OrgImportCounts(updated=2, unchanged=2)
    assert result.posts == OrgImportCounts(updated=1, unchanged=3)
    section = OrgUnit.objects.get(code="FGW-FGC")
    assert (section.name, section.parent.code, section.sort_order) == ("法规一处", "PG", 9)
    assert User.objects.get(username="wangsj").full_name == "王书记（新）"
    # and nobody's sign-in changed: a chosen password stays, an imported person still has none
    zhou = User.objects.get(username="zhoujs")
    assert (zhou.full_name, zhou.email) == ("周建设（新）", "zhou@example.org")
    assert zhou.check_password(TEST_PASSWORD)
    assert not User.objects.get(username="wangsj").has_usable_password()
    director = Post.objects.get(title="主任")
    assert director.term_end == datetime.date(2027, 12, 31)
    assert oversees_codes(director) == {"FGW"}
    assert org_counts() == {**before, "oversees": before["oversees"] - 1}


def test_org_import_refers_to_units_and_users_already_in_the_database(office_admin):
    # given units and a user that exist before the import
    committee = OrgUnitFactory(code="CJW", name="财政经济工作委员会")
    OrgUnitFactory(code="CJW-YSC", name="预算处", kind=OrgUnitKind.SECTION, parent=committee)
    existing = UserFactory(username="zhaodf", full_name="赵东方")
    rows = {
        "单位": [["CJW-JDC", "监督处", "CJW", "处室", None]],
        "人员": [],
        "岗位": [["CJW", "副主任", "副职", "zhaodf", None, None, "CJW-YSC、CJW-JDC", None]],
    }

    # when
    result = org_import(workbook_file=workbook_bytes(rows), imported_by=office_admin)

    # then the new section hangs below the existing committee and the existing user holds the post
    assert OrgUnit.objects.get(code="CJW-JDC").parent == committee
    post = Post.objects.get(title="副主任")
    assert (post.unit, post.holder) == (committee, existing)
    assert oversees_codes(post) == {"CJW-YSC", "CJW-JDC"}
    assert result.posts == OrgImportCounts(created=1)


def test_org_import_matches_an_existing_post_by_unit_title_and_holder(office_admin):
    # given a post created elsewhere
    post = PostFactory(unit=OrgUnitFactory(code="FGW"), title="主任", holder=UserFactory(username="zhangzr"))
    rows = {
        "单位": [],
        "人员": [],
        "岗位": [["FGW", "主任", "主要负责人", "zhangzr", "2024-01-01", None, None, 5]],
    }

    # when
    result = org_import(workbook_file=workbook_bytes(rows), imported_by=office_admin)

    # then that post is updated, not copied
    assert result.posts == OrgImportCounts(updated=1)
    post.refresh_from_db()
    assert (post.term_start, post.sort_order) == (datetime.date(2024, 1, 1), 5)
    assert Post.objects.count() == 1


def test_org_import_accepts_english_sheet_and_column_names(office_admin):
    # given the same content under the English names
    rows = good_rows()
    sheets = {"units": rows["单位"], "users": rows["人员"], "posts": rows["岗位"]}
    headers = {
        "units": ["code", "name", "parent_code", "kind", "sort_order"],
        "users": ["username", "full_name", "email"],
        "posts": [
            "unit_code",
            "title",
            "kind",
            "holder_username",
            "term_start",
            "term_end",
            "oversees",
            "sort_order",
        ],
    }

    # when
    result = org_import(workbook_file=workbook_bytes(sheets, headers), imported_by=office_admin)

    # then
    assert (result.units.created, result.users.created, result.posts.created) == (4, 3, 4)


def test_org_import_leaves_fields_of_a_missing_optional_column_untouched(office_admin):
    # given a person with an email and roles
    UserFactory(
        username="lichz",
        full_name="李处长",
        email="li@example.org",
        roles=[Role.PARTY_GROUP, Role.INSPECTION_TEAM],
    )

    # when a users sheet without the roles and email columns is imported
    sheets = {"单位": [], "人员": [["lichz", "李处长（新）"]], "岗位": []}
    result = org_import(
        workbook_file=workbook_bytes(sheets, {"人员": ["用户名", "姓名"]}), imported_by=office_admin
    )

    # then only the name changed
    user = User.objects.get(username="lichz")
    assert (user.full_name, user.email) == ("李处长（新）", "li@example.org")
    assert role_names("lichz") == {Role.PARTY_GROUP, Role.INSPECTION_TEAM}
    assert result.users == OrgImportCounts(updated=1)


# Each bad row is appended after the good rows and one blank row, so it sits on Excel row 2 + n + 1.
BAD_ROWS = [
    pytest.param(
        "单位", [None, "无编码单位", None, "委办室", None], "“编码” is required", id="unit-code-blank"
    ),
    pytest.param(
        "单位", ["X1", "名" * 65, None, "委办室", None], "longer than 64 characters", id="unit-name-long"
    ),
    pytest.param(
        "单位", ["X" * 33, "单位", None, "委办室", None], "longer than 32 characters", id="unit-code-long"
    ),
    pytest.param(
        "单位", ["X1", "某单位", None, "部门", None], "“部门” is not a valid 类型", id="unit-kind-unknown"
    ),
    pytest.param(
        "单位", ["FGW", "重复", None, "委办室", None], "appears more than once", id="unit-code-twice"
    ),
    pytest.param(
        "单位", ["X1", "某处", "NOPE", "处室", None], "“NOPE” is not a known unit", id="unit-parent-unknown"
    ),
    pytest.param(
        "单位", ["X1", "某处", "X1", "处室", None], "cannot be its own parent", id="unit-own-parent"
    ),
    pytest.param("单位", ["X1", "某处", None, "处室", "第一"], "whole number", id="unit-sort-text"),
    pytest.param("单位", ["X1", "某处", None, "处室", -3], "whole number", id="unit-sort-negative"),
    pytest.param("人员", ["wangsj", "重名", None], "appears more than once", id="user-twice"),
    pytest.param("人员", ["new1", "新人", "not-an-email"], "not a valid email", id="user-email"),
    pytest.param("人员", ["bad name!", "新人", None], "Enter a valid username", id="username"),
    pytest.param("人员", [None, "新人", None], "“用户名” is required", id="user-no-username"),
    pytest.param("人员", ["new1", None, None], "“姓名” is required", id="user-no-name"),
    pytest.param("人员", ["new1", "名" * 65, None], "longer than 64", id="user-name-long"),
    pytest.param(
        "岗位",
        ["NOPE", "主任", "副职", None, None, None, None, None],
        "“NOPE” is not a known unit",
        id="post-unit",
    ),
    pytest.param(
        "岗位",
        ["FGW", "副主任", "副职", "ghost", None, None, None, None],
        "“ghost” is not a known user",
        id="holder",
    ),
    pytest.param(
        "岗位", ["FGW", "副主任", "副手", None, None, None, None, None], "not a valid 类别", id="post-kind"
    ),
    pytest.param(
        "岗位", ["FGW", "副主任", "副职", None, "2024/13/01", None, None, None], "not a date", id="post-date"
    ),
    pytest.param(
        "岗位",
        ["FGW", "副主任", "副职", None, "2024-02-30", None, None, None],
        "not a date",
        id="post-no-day",
    ),
    pytest.param(
        "岗位",
        ["FGW", "副主任", "副职", None, "2024-05-01", datetime.date(2024, 4, 30), None, None],
        "ends before it starts",
        id="post-term-order",
    ),
    pytest.param(
        "岗位",
        ["FGW", "副主任", "副职", None, None, None, "PG、NOPE", None],
        "“NOPE” is not a known",
        id="oversees",
    ),
    pytest.param(
        "岗位",
        ["FGW", "主任", "主要负责人", "zhangzr", None, None, None, None],
        "appears more than",
        id="post-twice",
    ),
    pytest.param(
        "岗位", ["FGW", None, "副职", None, None, None, None, None], "“职务” is required", id="post-no-title"
    ),
]


@pytest.mark.parametrize(("sheet", "bad_row", "reason"), BAD_ROWS)
def test_org_import_reports_a_bad_row_with_its_excel_row_number_and_writes_nothing(
    office_admin, sheet, bad_row, reason
):
    # given a good organisation with one bad row after a blank row
    rows = good_rows()
    expected_row = len(rows[sheet]) + 3
    rows[sheet] += [[], bad_row]
    before = org_counts()

    # when
    error = refused(workbook_bytes(rows), office_admin)

    # then exactly that row is reported, and nothing was written
    assert [(e.sheet, e.row) for e in error.errors] == [(sheet, expected_row)], error.errors
    assert reason in error.errors[0].message
    assert isinstance(error, ApplicationError)
    assert "nothing was imported" in str(error)
    assert org_counts() == before


def test_org_import_reports_every_problem_of_every_sheet_at_once(office_admin):
    # given an organisation with problems on all three sheets
    rows = good_rows()
    rows["单位"][1][3] = "部门"
    rows["人员"][1][2] = "not-an-email"
    rows["岗位"][0][4] = "yesterday"
    rows["岗位"][3][3] = "ghost"

    # when
    error = refused(workbook_bytes(rows), office_admin)

    # then
    assert [(e.sheet, e.row) for e in error.errors] == [("单位", 3), ("人员", 3), ("岗位", 2), ("岗位", 5)]
    assert "4 problems" in str(error)
    assert org_counts()["units"] == 0


def test_org_import_reports_a_loop_of_parent_units(office_admin):
    # given two units that name each other as parent
    rows = good_rows()
    rows["单位"] += [["A", "甲", "B", "处室", None], ["B", "乙", "A", "处室", None]]

    # when
    error = refused(workbook_bytes(rows), office_admin)

    # then the loop is reported once, on the first of its rows
    assert [(e.sheet, e.row, e.message) for e in error.errors] == [
        ("单位", 6, "The parent units form a loop: A → B → A.")
    ]


def test_org_import_reports_a_loop_through_units_already_in_the_database(office_admin):
    # given a committee with a section in the database
    committee = OrgUnitFactory(code="CJW")
    OrgUnitFactory(code="CJW-YSC", kind=OrgUnitKind.SECTION, parent=committee)
    rows = {"单位": [["CJW", "财经委", "CJW-YSC", "委办室", None]], "人员": [], "岗位": []}

    # when the file puts the committee below its own section
    error = refused(workbook_bytes(rows), office_admin)

    # then
    assert [(e.row, e.message) for e in error.errors] == [
        (2, "The parent units form a loop: CJW → CJW-YSC → CJW.")
    ]
    assert OrgUnit.objects.get(code="CJW").parent is None


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(bytes(range(256)) * 8, id="random-bytes"),
        pytest.param("编码,名称\nPG,党组\n".encode(), id="csv"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024, id="password-protected-or-xls"),
        pytest.param(workbook_bytes(good_rows())[:2000], id="truncated-xlsx"),
    ],
)
def test_org_import_refuses_a_file_that_is_not_an_xlsx_spreadsheet(office_admin, content):
    # when
    error = refused(content, office_admin)

    # then
    assert str(error) == "The file is not an Excel .xlsx spreadsheet."
    assert org_counts()["units"] == 0


def test_org_import_refuses_a_zip_that_is_not_a_workbook(office_admin):
    # given a zip holding a text file
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")

    # when / then
    assert str(refused(buffer.getvalue(), office_admin)) == "The file is not an Excel .xlsx spreadsheet."


def test_org_import_refuses_an_encrypted_zip(office_admin):
    # given a workbook whose zip entries are all marked as encrypted (general purpose flag bit 0)
    content = bytearray(workbook_bytes(good_rows()))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = content.find(signature)
        while position != -1:
            content[position + flag_offset] |= 0x1
            position = content.find(signature, position + 4)
    assert all(info.flag_bits & 0x1 for info in zipfile.ZipFile(io.BytesIO(content)).infolist())

    # when / then
    assert str(refused(bytes(content), office_admin)) == "The file is not an Excel .xlsx spreadsheet."


def test_org_import_refuses_a_file_that_is_too_large(office_admin):
    # when
    error = refused(b"x" * (services.MAX_FILE_BYTES + 1), office_admin)

    # then
    assert "larger than 5 MB" in str(error)


def test_org_import_refuses_a_sheet_with_too_many_rows(office_admin, monkeypatch):
    # given a limit of three rows
    monkeypatch.setattr(services, "MAX_ROWS", 3)

    # when the units and posts sheets have four
    error = refused(workbook_bytes(good_rows()), office_admin)

    # then
    assert [(e.sheet, e.row, e.message) for e in error.errors] == [
        ("单位", None, "The sheet has more than 3 rows."),
        ("岗位", None, "The sheet has more than 3 rows."),
    ]


def test_org_import_names_a_missing_sheet(office_admin):
    # given a workbook without the posts sheet
    rows = good_rows()
    del rows["岗位"]

    # when
    error = refused(workbook_bytes(rows), office_admin)

    # then
    assert [(e.sheet, e.row) for e in error.errors] == [("岗位", None)]
    assert "no sheet named “岗位” (or “posts”)" in error.errors[0].message
    assert org_counts()["units"] == 0


def test_org_import_names_a_missing_required_column(office_admin):
    # given a units sheet without the kind column
    rows = good_rows()
    rows["单位"] = [row[:3] for row in rows["单位"]]

    # when
    error = refused(workbook_bytes(rows, {"单位": ["编码", "名称", "上级编码"]}), office_admin)

    # then
    assert [(e.sheet, e.row, e.message) for e in error.errors] == [
        ("单位", 1, "The sheet has no column “类型” (or “kind”).")
    ]


def test_org_import_is_refused_to_a_user_without_the_office_admin_role(org):
    # given a user without the role
    before = org_counts()

    # when / then
    with pytest.raises(PermissionDenied):
        org_import(workbook_file=workbook_bytes(good_rows()), imported_by=org.outsider)
    assert org_counts() == before


def test_org_import_is_allowed_to_a_superuser():
    # given
    superuser = UserFactory(is_superuser=True)

    # when
    result = org_import(workbook_file=workbook_bytes(good_rows()), imported_by=superuser)

    # then
    assert result.units.created == 4


def test_org_import_by_an_office_admin_may_not_change_a_superuser(office_admin):
    # given a superuser
    UserFactory(username="root", full_name="系统管理员", is_superuser=True)
    rows = {"单位": [], "人员": [["root", "改名"]], "岗位": []}

    # when / then
    error = refused(workbook_bytes(rows, {"人员": ["用户名", "姓名"]}), office_admin)
    assert [e.message for e in error.errors] == [
        "Only a superuser may change a superuser's account by import."
    ]
    assert User.objects.get(username="root").full_name == "系统管理员"


def test_org_import_reads_a_path_and_an_open_file(office_admin, tmp_path):
    # given the workbook on disk
    path = tmp_path / "org.xlsx"
    path.write_bytes(workbook_bytes(good_rows()))

    # when read from the path, then from an open file
    first = org_import(workbook_file=str(path), imported_by=office_admin)
    with path.open("rb") as handle:
        second = org_import(workbook_file=handle, imported_by=office_admin)

    # then
    assert (first.units.created, second.units.unchanged) == (4, 4)


def test_org_import_template_workbook_has_three_sheets_with_examples_that_import(office_admin):
    # when
    content = org_import_template_workbook()

    # then it has the three sheets, each with a header and two example rows
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["单位", "人员", "岗位"]
    assert [workbook[name].max_row for name in workbook.sheetnames] == [3, 3, 3]
    assert [cell.value for cell in workbook["单位"][1]] == ["编码", "名称", "上级编码", "类型", "排序"]
    # and no password or role column: neither is imported
    assert [cell.value for cell in workbook["人员"][1]] == ["用户名", "姓名", "邮箱"]
    # and the examples are a valid import
    result = org_import(workbook_file=content, imported_by=office_admin)
    assert (result.units.created, result.users.created, result.posts.created) == (2, 2, 2)
    liuna = User.objects.get(username="liuna")
    assert (role_names("liuna"), liuna.has_usable_password()) == (set(), False)


# --- Passwords: never imported; each person chooses their own -----------------------------------------


def test_org_import_refuses_every_row_with_an_initial_password_and_writes_nothing(importer):
    # given a person already in the database, and an old workbook giving passwords to new and existing people
    UserFactory(username="zhoujs", full_name="周建设", email="zhou@example.org")
    workbook = old_users_workbook(
        [
            ["new1", "新人一", "new1@example.org", PASSWORD, None],
            ["new2", "新人二", None, None, None],  # no password: fine
            ["new3", "新人三", None, 12345678, None],  # a number, as Excel keeps digits
            ["zhoujs", "周建设", "zhou@example.org", "Taken-over-2026", None],
        ]
    )
    before = org_counts()

    # when
    error = refused(workbook, importer)

    # then each of those rows is refused, whoever imports, and nothing is written
    message = PASSWORD_REFUSED.format(column="初始密码")
    assert [(e.sheet, e.row, e.message) for e in error.errors] == [
        ("人员", 2, message),
        ("人员", 4, message),
        ("人员", 5, message),
    ]
    assert org_counts() == before
    assert not User.objects.filter(username__in=["new1", "new2", "new3"]).exists()
    zhou = User.objects.get(username="zhoujs")
    assert zhou.check_password(TEST_PASSWORD) and not zhou.check_password("Taken-over-2026")


def test_org_import_names_the_password_column_as_the_file_does(office_admin):
    # given the English name of the column
    headers = {"人员": ["username", "full_name", "initial_password"]}
    sheets = {"单位": [], "人员": [["new1", "新人", PASSWORD]], "岗位": []}

    # when
    error = refused(workbook_bytes(sheets, headers), office_admin)

    # then
    assert [(e.sheet, e.row, e.message) for e in error.errors] == [
        ("人员", 2, PASSWORD_REFUSED.format(column="initial_password"))
    ]


def test_org_import_accepts_an_old_workbook_whose_password_and_role_columns_are_empty(importer):
    # given the old layout with both columns left empty (a blank of spaces counts as empty)
    workbook = old_users_workbook(
        [["new1", "新人一", "new1@example.org", None, None], ["new2", "新人二", None, "  ", ""]]
    )

    # when
    result = org_import(workbook_file=workbook, imported_by=importer)

    # then the people are created, without a usable password or a role
    assert result.users == OrgImportCounts(created=2)
    for username in ("new1", "new2"):
        assert not User.objects.get(username=username).has_usable_password()
        assert role_names(username) == set()


def test_an_imported_person_chooses_their_own_password_through_the_reset_link(
    ask_reset, office_admin, client, mailoutbox
):
    # given an imported person with an email
    org_import(workbook_file=workbook_bytes(good_rows()), imported_by=office_admin)
    assert not User.objects.get(username="wangsj").has_usable_password()

    # when they ask for a reset link by their account name (忘记密码)
    response = ask_reset("wangsj")

    # then a link is mailed to them, and with it they choose their own password
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [["wang@example.org"]]
    (link,) = re.findall(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mailoutbox[0].body)
    form = client.get(link, follow=True)  # Django moves the token into the session, then shows the form
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Qingfeng-2026-zhengqi", "new_password2": "Qingfeng-2026-zhengqi"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password-reset-complete")
    assert User.objects.get(username="wangsj").check_password("Qingfeng-2026-zhengqi")


def test_an_imported_person_without_email_gets_a_one_time_code_from_the_security_admin(office_admin):
    # given an imported person without an email, and a security administrator
    org_import(workbook_file=workbook_bytes(good_rows()), imported_by=office_admin)
    security_admin = UserFactory(roles=[Role.SECURITY_ADMIN])

    # when the security administrator starts a reset
    method, code = password_reset_start(user=User.objects.get(username="zhangzr"), started_by=security_admin)

    # then a one-time code is made for handing over in person
    assert method == ResetMethod.CODE
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)


# --- Roles: granted by the security administrator only ---------------------------------------------------


def test_org_import_refuses_a_role_for_a_new_person_and_writes_nothing(importer):
    # given
    workbook = old_users_workbook(
        [["new1", "新人一", None, None, "党组"], ["new2", "新人二", None, None, "security_admin"]]
    )
    before = org_counts()

    # when
    error = refused(workbook, importer)

    # then
    message = NEW_USER_ROLES_REFUSED.format(column="角色")
    assert [(e.sheet, e.row, e.message) for e in error.errors] == [("人员", 2, message), ("人员", 3, message)]
    assert org_counts() == before


@pytest.mark.parametrize(
    ("held", "cell", "shown"),
    [
        pytest.param([Role.PARTY_GROUP], "党组、纪检监察组", "党组", id="role-added"),
        pytest.param([], "纪检监察组", "no roles", id="first-role"),
        pytest.param([Role.INSPECTION_TEAM], None, "纪检监察组", id="roles-emptied"),
        pytest.param([Role.PARTY_GROUP, Role.INSPECTION_TEAM], "党组", "党组、纪检监察组", id="role-removed"),
        pytest.param([], "安全管理员", "no roles", id="security-admin"),
        pytest.param([Role.OFFICE_ADMIN], "系统管理员、审计管理员", "系统管理员", id="second-duty"),
    ],
)
def test_org_import_refuses_to_change_an_existing_persons_roles(importer, held, cell, shown):
    # given a person holding some roles
    person = UserFactory(username="wangsj", full_name="王书记", email="wang@example.org", roles=held)
    before = org_counts()

    # when the file lists other roles for them
    error = refused(old_users_workbook([["wangsj", "王书记", "wang@example.org", None, cell]]), importer)

    # then the row is refused, whoever imports, and the roles are as they were
    assert [(e.sheet, e.row, e.message) for e in error.errors] == [
        ("人员", 2, ROLES_CHANGE_REFUSED.format(column="角色", roles=shown))
    ]
    assert role_names(person.username) == {role.value for role in held}
    assert org_counts() == before


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param("党组、系统管理员", id="grant-themselves-a-role"),
        pytest.param("系统管理员、安全管理员", id="take-a-second-duty"),
        pytest.param(None, id="drop-their-own-role"),
    ],
)
def test_org_import_refuses_the_office_admins_own_roles_change(office_admin, cell):
    # given
    before = org_counts()
    row = [office_admin.username, office_admin.full_name, office_admin.email, None, cell]

    # when
    error = refused(old_users_workbook([row]), office_admin)

    # then
    assert [e.message for e in error.errors] == [
        ROLES_CHANGE_REFUSED.format(column="角色", roles="系统管理员")
    ]
    assert role_names(office_admin.username) == {Role.OFFICE_ADMIN}
    assert org_counts() == before


def test_org_import_accepts_a_role_cell_equal_to_the_current_roles_and_changes_nothing(importer):
    # given people with roles, as a security administrator granted them
    UserFactory(username="wangsj", full_name="王书记", email="wang@example.org", roles=[Role.PARTY_GROUP])
    UserFactory(
        username="lichz",
        full_name="李处长",
        email="li@example.org",
        roles=[Role.INSPECTION_TEAM, Role.PARTY_GROUP],
    )
    UserFactory(username="liuna", full_name="刘娜", email="liu@example.org", roles=[Role.OFFICE_ADMIN])
    UserFactory(username="zhangzr", full_name="张主任", email="zhang@example.org")
    before = org_counts()
    workbook = old_users_workbook(
        [
            ["wangsj", "王书记", "wang@example.org", None, "党组"],
            [
                "lichz",
                "李处长（新）",
                "li@example.org",
                None,
                "纪检监察组, party_group",
            ],  # any order, any form
            ["liuna", "刘娜", "liu@example.org", None, "办公室管理员"],  # the role's earlier name
            ["zhangzr", "张主任", "zhang@example.org", None, None],  # no roles, and none in the file
            ["new1", "新人", None, None, None],
        ]
    )

    # when (a re-import of a workbook that lists the roles people hold)
    result = org_import(workbook_file=workbook, imported_by=importer)

    # then only the name and the new person changed; every role is as it was
    assert result.users == OrgImportCounts(created=1, updated=1, unchanged=3)
    assert role_names("lichz") == {Role.INSPECTION_TEAM, Role.PARTY_GROUP}
    assert role_names("liuna") == {Role.OFFICE_ADMIN}
    assert org_counts() == {**before, "users": before["users"] + 1}


def test_org_import_refuses_an_unknown_role_word(office_admin):
    # when
    error = refused(old_users_workbook([["new1", "新人", None, None, "局长"]]), office_admin)

    # then
    choices = (
        "党组、纪检监察组、纪检监察组组长、系统管理员、办公室管理员、安全管理员、审计管理员、组织机构同步"
    )
    assert [(e.row, e.message) for e in error.errors] == [
        (2, f"“局长” is not a valid role; use one of: {choices}.")
    ]


# --- Email: an existing account's is where its reset links go; the security administrator changes it ------


@pytest.mark.parametrize(
    ("stored", "in_file", "shown"),
    [
        pytest.param("wang@example.org", "office@example.org", "wang@example.org", id="changed"),
        pytest.param("", "office@example.org", "(none)", id="filled-in"),
        pytest.param("wang@example.org", None, "wang@example.org", id="emptied"),
        pytest.param("wang@example.org", "Wang@example.org", "wang@example.org", id="other-case"),
    ],
)
def test_org_import_refuses_to_change_an_existing_persons_email(importer, stored, in_file, shown):
    # given a person already in the database
    UserFactory(username="wangsj", full_name="王书记", email=stored)
    rows = good_rows()
    rows["人员"][0] = ["wangsj", "王书记", in_file]
    before = org_counts()

    # when
    error = refused(workbook_bytes(rows), importer)

    # then the row is refused, whoever imports, and nothing is written
    assert [(e.sheet, e.row, e.message) for e in error.errors] == [
        ("人员", 2, EMAIL_CHANGE_REFUSED.format(email=shown, column="邮箱"))
    ]
    assert User.objects.get(username="wangsj").email == stored
    assert org_counts() == before


def test_org_import_accepts_an_existing_persons_identical_email(importer):
    # given a person already in the database
    UserFactory(username="wangsj", full_name="王书记", email="wang@example.org")

    # when the file has the same email and a new name
    rows = good_rows()
    rows["人员"][0] = ["wangsj", "王书记（新）", "wang@example.org"]
    result = org_import(workbook_file=workbook_bytes(rows), imported_by=importer)

    # then only the name changed
    assert result.users == OrgImportCounts(created=2, updated=1)
    wang = User.objects.get(username="wangsj")
    assert (wang.full_name, wang.email) == ("王书记（新）", "wang@example.org")
