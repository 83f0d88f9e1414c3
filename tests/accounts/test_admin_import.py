import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import OrgUnit, User
from accounts.roles import Role
from tests.accounts.workbooks import OLD_USER_HEADER, good_rows, org_counts, workbook_bytes
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:accounts_orgunit_import")
TEMPLATE_URL = reverse("admin:accounts_orgunit_import_template")
CHANGELIST_URL = reverse("admin:accounts_orgunit_changelist")


def upload(content: bytes, name: str = "org.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def staff_office_admin(db) -> User:
    """The office administrator as the admin site needs them: with staff status."""
    return UserFactory(full_name="李管理", roles=[Role.OFFICE_ADMIN], is_staff=True)


@pytest.fixture
def admin_client(client, staff_office_admin):
    client.force_login(staff_office_admin)
    return client


@pytest.fixture
def viewer_client(client):
    """A staff member who may look at units but not import them."""
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_orgunit"))
    client.force_login(viewer)
    return client


def test_orgunit_changelist_links_to_the_import_page_for_the_office_admin(admin_client):
    # when
    response = admin_client.get(CHANGELIST_URL)

    # then
    assert response.status_code == 200
    assert IMPORT_URL in response.content.decode()


def test_orgunit_changelist_hides_the_import_link_from_a_viewer(viewer_client):
    response = viewer_client.get(CHANGELIST_URL)

    assert response.status_code == 200
    assert IMPORT_URL not in response.content.decode()


def test_org_import_page_shows_the_upload_form_and_the_example_link(admin_client):
    # when
    response = admin_client.get(IMPORT_URL)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page
    assert 'name="workbook"' in page
    assert TEMPLATE_URL in page


def test_org_import_page_imports_a_good_file_and_reports_the_counts(admin_client):
    # when
    response = admin_client.post(IMPORT_URL, {"workbook": upload(workbook_bytes(good_rows()))}, follow=True)

    # then
    assert response.redirect_chain == [(CHANGELIST_URL, 302)]
    message = [str(m) for m in response.context["messages"]][0]
    assert "Units: 4 created, 0 updated, 0 unchanged." in message
    assert "Posts: 4 created" in message
    assert OrgUnit.objects.filter(code="FGW-FGC", parent__code="FGW").exists()


def test_org_import_page_lists_each_problem_and_imports_nothing(admin_client):
    # given a file with a bad kind on units row 3 and an unknown holder on posts row 5
    rows = good_rows()
    rows["单位"][1][3] = "部门"
    rows["岗位"][3][3] = "ghost"

    # when
    response = admin_client.post(IMPORT_URL, {"workbook": upload(workbook_bytes(rows))})

    # then
    assert response.status_code == 200
    assert [(e.sheet, e.row) for e in response.context["errors"]] == [("单位", 3), ("岗位", 5)]
    page = response.content.decode()
    assert 'id="import-errors"' in page
    assert "<td>单位</td>" in page and "<td>3</td>" in page
    assert "“ghost” is not a known user." in page
    assert "2 problems; nothing was imported." in page
    assert OrgUnit.objects.count() == 0


def test_org_import_page_says_passwords_and_roles_are_not_imported(admin_client):
    # when
    page = admin_client.get(IMPORT_URL).content.decode()

    # then
    assert "it never sets passwords or roles" in page
    assert "Initial passwords are used" not in page


def test_org_import_page_refuses_passwords_roles_and_email_changes_row_by_row(admin_client):
    # given a person in the database, and an old workbook that would set a password, a role and their email
    UserFactory(username="wangsj", full_name="王书记", email="wang@example.org")
    rows = {
        "单位": [],
        "人员": [
            ["new1", "新人", None, "Sign-2026-import", None],
            ["new2", "新人二", None, None, "纪检监察组"],
            ["wangsj", "王书记", "office@example.org", None, None],
        ],
        "岗位": [],
    }
    before = org_counts()

    # when
    response = admin_client.post(
        IMPORT_URL, {"workbook": upload(workbook_bytes(rows, {"人员": OLD_USER_HEADER}))}
    )

    # then each row is listed with its reason, and nothing is imported
    assert response.status_code == 200
    assert [(e.sheet, e.row) for e in response.context["errors"]] == [("人员", 2), ("人员", 3), ("人员", 4)]
    page = response.content.decode()
    assert "Initial passwords are no longer imported" in page
    assert "Roles are granted by the security administrator on the 账号管理 page" in page
    assert "The email of an existing account, where its password reset links go" in page
    assert org_counts() == before
    assert User.objects.get(username="wangsj").email == "wang@example.org"


def test_org_import_page_refuses_a_file_that_is_not_a_spreadsheet(admin_client):
    # given
    before = org_counts()

    # when
    response = admin_client.post(IMPORT_URL, {"workbook": upload(b"not,a,workbook\n", "org.csv")})

    # then
    assert response.status_code == 200
    assert "The file is not an Excel .xlsx spreadsheet." in response.content.decode()
    assert org_counts() == before


def test_org_import_page_asks_for_a_file(admin_client):
    response = admin_client.post(IMPORT_URL, {})

    assert response.status_code == 200
    assert response.context["form"].errors["workbook"]


def test_org_import_example_workbook_downloads(admin_client):
    # when
    response = admin_client.get(TEMPLATE_URL)

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["单位", "人员", "岗位"]


@pytest.mark.parametrize("url", [IMPORT_URL, TEMPLATE_URL])
def test_org_import_pages_are_forbidden_to_a_staff_member_without_the_role(viewer_client, url):
    # when
    response = viewer_client.get(url)

    # then
    assert response.status_code == 403


def test_org_import_post_is_forbidden_to_a_staff_member_without_the_role(viewer_client):
    response = viewer_client.post(IMPORT_URL, {"workbook": upload(workbook_bytes(good_rows()))})

    assert response.status_code == 403
    assert OrgUnit.objects.count() == 0


def test_org_import_page_sends_a_user_without_staff_status_to_the_admin_login(client, office_admin):
    # given the office administrator without staff status
    client.force_login(office_admin)

    # when
    response = client.get(IMPORT_URL)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:accounts_user_changelist") + "?q=李",
        reverse("admin:accounts_orgunit_changelist") + "?q=FGW&kind__exact=section",
        reverse("admin:accounts_post_changelist") + "?q=主任",
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_post_add"),
    ],
)
def test_organisation_admin_pages_render_for_the_office_admin(admin_client, url):
    # given an imported organisation
    admin_client.post(IMPORT_URL, {"workbook": upload(workbook_bytes(good_rows()))})

    # when / then
    assert admin_client.get(url).status_code == 200


def test_orgunit_admin_refuses_to_put_a_unit_below_its_own_section(admin_client):
    # given a committee with a section
    committee = OrgUnitFactory(code="CJW", name="财经委")
    section = OrgUnitFactory(code="CJW-YSC", name="预算处", parent=committee, kind="section")

    # when the committee is moved below its section
    response = admin_client.post(
        reverse("admin:accounts_orgunit_change", args=[committee.pk]),
        {"code": "CJW", "name": "财经委", "kind": "working_body", "parent": section.pk, "sort_order": 0},
    )

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    committee.refresh_from_db()
    assert committee.parent is None


def test_user_admin_offers_nobody_a_page_to_set_another_persons_password(admin_client):
    # given a superuser
    root = UserFactory(username="root", is_superuser=True, is_staff=True)

    # when the office administrator posts a new password to Django's "change password" address
    response = admin_client.post(
        reverse("admin:accounts_user_changelist") + f"{root.pk}/password/",
        {"password1": "Taken-over-2026", "password2": "Taken-over-2026"},
    )

    # then there is no such page, and the password is unchanged
    assert response.status_code == 404
    root.refresh_from_db()
    assert not root.check_password("Taken-over-2026")


def test_user_admin_adds_a_user_with_a_full_name_and_no_password(admin_client):
    # when
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "zhoujs",
            "full_name": "周建设",
            "email": "zhou@example.org",
            "usable_password": "true",
            "password1": "Sign-2026-admin",
            "password2": "Sign-2026-admin",
        },
    )

    # then the person is added without a usable password (any password posted is ignored): they choose
    # their own through a reset
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="zhoujs")
    assert (user.full_name, user.email) == ("周建设", "zhou@example.org")
    assert not user.has_usable_password()
    assert not user.check_password("Sign-2026-admin")


def test_user_admin_does_not_let_the_office_admin_make_a_superuser(admin_client, staff_office_admin):
    # when the office administrator opens their own account
    response = admin_client.get(reverse("admin:accounts_user_change", args=[staff_office_admin.pk]))

    # then the superuser flag is shown, not editable
    assert response.status_code == 200
    assert "is_superuser" not in response.context["adminform"].form.fields
