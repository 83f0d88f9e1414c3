import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from accounts.models import OrgUnit, OrgUnitKind, Post, PostKind, User
from accounts.org_import import OrgImportCounts, OrgImportError, org_import, org_import_template_workbook
from accounts.org_import import workbook as services
from accounts.roles import Role
from core.errors import ApplicationError
from tests.accounts.workbooks import PASSWORD, good_rows, org_counts, workbook_bytes
from tests.factories import OrgUnitFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def role_names(username: str) -> set[str]:
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def oversees_codes(post: Post) -> set[str]:
    return set(post.oversees.values_list("code", flat=True))


def refused(workbook, imported_by) -> OrgImportError:
    with pytest.raises(OrgImportError) as caught:
        org_import(workbook_file=workbook, imported_by=imported_by)
    return caught.value


def test_org_import_creates_units_users_posts_roles_and_oversight(office_admin):
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
    # the people, who can sign in with their initial password, and their roles
    head = User.objects.get(username="zhangzr")
    assert (head.full_name, head.email) == ("张主任", "")
    assert head.check_password(PASSWORD)
    assert role_names("wangsj") == {Role.PARTY_GROUP}
    assert role_names("lichz") == {Role.OFFICE_ADMIN, Role.INSPECTION_TEAM}
    assert role_names("zhangzr") == set()
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
    # given an imported organisation
    org_import(workbook_file=workbook_bytes(good_rows()), imported_by=office_admin)
    before = org_counts()
    rows = good_rows()
    rows["单位"][2] = ["FGW-FGC", "法规一处", "PG", "处室", 9]  # renamed and moved
    rows["人员"][0] = [
        "wangsj",
        "王书记",
        "wang@example.org",
        "Another-pass-2026",
        "党组",
    ]  # same, new password
    rows["人员"][2] = ["lichz", "李处长", "", PASSWORD, "纪检监察组"]  # email cleared, a role taken away
    rows["岗位"][1] = ["FGW", "主任", "主要负责人", "zhangzr", "2023-02-01", "2027-12-31", "FGW", 1]

    # when the changed file is imported
    result = org_import(workbook_file=workbook_bytes(rows), imported_by=office_admin)

    # then the changed records are updated in place
    assert result.units == OrgImportCounts(updated=1, unchanged=3)
    assert result.users == OrgImportCounts(updated=1, unchanged=2)
    assert result.posts == OrgImportCounts(updated=1, unchanged=3)
    section = OrgUnit.objects.get(code="FGW-FGC")
    assert (section.name, section.parent.code, section.sort_order) == ("法规一处", "PG", 9)
    assert User.objects.get(username="lichz").email == ""
    assert role_names("lichz") == {Role.INSPECTION_TEAM}
    assert User.objects.get(username="wangsj").check_password(PASSWORD)  # the file's password is ignored
    director = Post.objects.get(title="主任")
    assert director.term_end == datetime.date(2027, 12, 31)
    assert oversees_codes(director) == {"FGW"}
    assert org_counts() == {
        **before,
        "memberships": before["memberships"] - 1,
        "oversees": before["oversees"] - 1,
    }


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
        "users": ["username", "full_name", "email", "initial_password", "roles"],
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
    # given an imported organisation
    org_import(workbook_file=workbook_bytes(good_rows()), imported_by=office_admin)

    # when a users sheet without the roles and email columns is imported
    sheets = {"单位": [], "人员": [["lichz", "李处长（新）"]], "岗位": []}
    result = org_import(
        workbook_file=workbook_bytes(sheets, {"人员": ["用户名", "姓名"]}), imported_by=office_admin
    )

    # then only the name changed
    user = User.objects.get(username="lichz")
    assert (user.full_name, user.email) == ("李处长（新）", "li@example.org")
    assert role_names("lichz") == {Role.OFFICE_ADMIN, Role.INSPECTION_TEAM}
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
    pytest.param("人员", ["wangsj", "重名", None, PASSWORD, None], "appears more than once", id="user-twice"),
    pytest.param(
        "人员", ["new1", "新人", "not-an-email", PASSWORD, None], "not a valid email", id="user-email"
    ),
    pytest.param(
        "人员", ["new1", "新人", None, None, None], "needs an initial password", id="user-no-password"
    ),
    pytest.param(
        "人员", ["new1", "新人", None, "12345678", None], "entirely numeric", id="user-weak-password"
    ),
    pytest.param(
        "人员", ["new1", "新人", None, PASSWORD, "局长"], "“局长” is not a valid role", id="user-role"
    ),
    pytest.param(
        "人员", ["bad name!", "新人", None, PASSWORD, None], "Enter a valid username", id="username"
    ),
    pytest.param("人员", [None, "新人", None, PASSWORD, None], "“用户名” is required", id="user-no-username"),
    pytest.param("人员", ["new1", None, None, PASSWORD, None], "“姓名” is required", id="user-no-name"),
    pytest.param("人员", ["new1", "名" * 65, None, PASSWORD, None], "longer than 64", id="user-name-long"),
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
    rows = {"单位": [], "人员": [["root", "改名", None, None, "办公室管理员"]], "岗位": []}

    # when / then
    error = refused(workbook_bytes(rows), office_admin)
    assert error.errors[0].message == "Only a superuser may change a superuser's account by import."
    assert User.objects.get(username="root").full_name == "系统管理员"


def test_org_import_by_an_office_admin_may_not_remove_their_own_role(office_admin):
    # given a file that lists the importing administrator without the role
    rows = {
        "单位": [],
        "人员": [[office_admin.username, office_admin.full_name, None, None, "党组"]],
        "岗位": [],
    }

    # when / then
    error = refused(workbook_bytes(rows), office_admin)
    assert error.errors[0].message == "You cannot remove your own office administrator role."
    assert role_names(office_admin.username) == {Role.OFFICE_ADMIN}


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
    # and the examples are a valid import
    result = org_import(workbook_file=content, imported_by=office_admin)
    assert (result.units.created, result.users.created, result.posts.created) == (2, 2, 2)
    assert role_names("liuna") == {Role.OFFICE_ADMIN}
