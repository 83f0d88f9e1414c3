import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from accounts.management.commands.import_org import Command as ImportOrgCommand
from accounts.models import OrgUnit, User
from tests.accounts.workbooks import OLD_USER_HEADER, good_rows, org_counts, workbook_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_org", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(workbook_bytes(good_rows()))
    return path


def test_import_org_imports_the_file_as_the_console_operator_and_prints_the_counts(good_file):
    # when
    stdout, stderr = run(str(good_file))

    # then
    assert "Units: 4 created, 0 updated, 0 unchanged." in stdout
    assert "Users: 3 created, 0 updated, 0 unchanged." in stdout
    assert "Posts: 4 created, 0 updated, 0 unchanged." in stdout
    assert stderr == ""
    assert OrgUnit.objects.filter(code="FGW-FGC", parent__code="FGW").exists()


def test_import_org_as_the_office_admin_imports(good_file, office_admin):
    # when
    stdout, _stderr = run(str(good_file), "--as", office_admin.username)

    # then
    assert "Units: 4 created" in stdout
    assert User.objects.filter(username="wangsj").exists()


def test_import_org_as_a_user_without_the_role_is_refused(good_file, org):
    # given
    before = org_counts()

    # when / then
    with pytest.raises(CommandError, match="Only the office administrator may import"):
        run(str(good_file), "--as", org.outsider.username)
    assert org_counts() == before


def test_import_org_as_an_unknown_user_is_refused(good_file):
    with pytest.raises(CommandError, match="There is no user nobody"):
        run(str(good_file), "--as", "nobody")
    assert OrgUnit.objects.count() == 0


def test_import_org_prints_each_problem_with_sheet_and_row_and_fails(tmp_path):
    # given a file with a bad unit kind (row 3) and a bad email (row 4)
    rows = good_rows()
    rows["单位"][1][3] = "部门"
    rows["人员"][2][2] = "not-an-email"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes(rows))
    stderr = io.StringIO()

    # when / then: a non-zero exit (CommandError) and nothing written
    with pytest.raises(CommandError, match="2 problems; nothing was imported"):
        call_command("import_org", str(path), stdout=io.StringIO(), stderr=stderr)
    lines = stderr.getvalue().splitlines()
    assert lines[0].startswith("单位 第3行: “部门” is not a valid 类型")
    assert lines[1] == "人员 第4行: “not-an-email” is not a valid email address."
    assert OrgUnit.objects.count() == 0


def test_import_org_as_the_console_operator_still_imports_no_password_role_or_email_change(tmp_path):
    # given a person in the database, and an old workbook that would set a password, a role and their email
    existing = UserFactory(username="wangsj", full_name="王书记", email="wang@example.org")
    rows = {
        "单位": [],
        "人员": [
            ["new1", "新人", None, "Sign-2026-import", None],
            ["new2", "新人二", None, None, "安全管理员"],
            ["wangsj", "王书记", "operator@example.org", None, None],
        ],
        "岗位": [],
    }
    path = tmp_path / "old.xlsx"
    path.write_bytes(workbook_bytes(rows, {"人员": OLD_USER_HEADER}))
    before = org_counts()
    stderr = io.StringIO()

    # when / then: the operator holds the database, yet the import itself does not touch sign-in
    with pytest.raises(CommandError, match="3 problems; nothing was imported"):
        call_command("import_org", str(path), stdout=io.StringIO(), stderr=stderr)
    lines = stderr.getvalue().splitlines()
    assert lines[0].startswith("人员 第2行: Initial passwords are no longer imported")
    assert lines[1].startswith("人员 第3行: Roles are granted by the security administrator")
    assert lines[2].startswith("人员 第4行: The email of an existing account")
    assert org_counts() == before
    existing.refresh_from_db()
    assert existing.email == "wang@example.org"


def test_import_org_creates_people_without_a_usable_password(good_file):
    # when
    run(str(good_file))

    # then each person chooses their own
    people = User.objects.filter(username__in=["wangsj", "zhangzr", "lichz"])
    assert [(user.username, user.has_usable_password()) for user in people] == [
        ("lichz", False),
        ("wangsj", False),
        ("zhangzr", False),
    ]


def test_import_org_names_a_missing_sheet_without_a_row(tmp_path):
    # given
    rows = good_rows()
    del rows["人员"]
    path = tmp_path / "no-users.xlsx"
    path.write_bytes(workbook_bytes(rows))
    stderr = io.StringIO()

    # when / then
    with pytest.raises(CommandError):
        call_command("import_org", str(path), stdout=io.StringIO(), stderr=stderr)
    assert stderr.getvalue().startswith("人员: The workbook has no sheet named “人员”")


def test_import_org_refuses_a_file_that_is_not_a_spreadsheet(tmp_path):
    # given
    path = tmp_path / "org.csv"
    path.write_text("编码,名称\nPG,党组\n", encoding="utf-8")

    # when / then
    with pytest.raises(CommandError, match=r"not an Excel \.xlsx spreadsheet"):
        run(str(path))


def test_import_org_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        run(str(tmp_path / "missing.xlsx"))


def test_import_org_without_a_file_says_what_to_give():
    with pytest.raises(CommandError, match="Name the .xlsx file"):
        run()


def test_import_org_write_template_writes_the_example_workbook(tmp_path):
    # given
    path = tmp_path / "example.xlsx"

    # when
    stdout, _stderr = run("--write-template", str(path))

    # then a workbook with the three sheets is written, and nothing imported
    assert "Example workbook written" in stdout
    assert load_workbook(path).sheetnames == ["单位", "人员", "岗位"]
    assert OrgUnit.objects.count() == 0
    # and it imports as it is
    stdout, _stderr = run(str(path))
    assert "Units: 2 created" in stdout


def test_import_org_help_can_be_printed():
    # given the command's argument parser
    parser = ImportOrgCommand().create_parser("manage.py", "import_org")

    # when / then: argparse formats every help text (lazy translations would break it)
    assert "--write-template" in parser.format_help()
