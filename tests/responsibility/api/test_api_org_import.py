"""Importing the organisation through the API (scope write:org): the office's own workbook and import,
as an API client's account holding the organisation sync role, a role no person may hold; every refusal
named by sheet and row, nothing written."""

import pytest
from django.test import Client

from accounts.models import OrgUnit, Post, User
from accounts.roles import Role
from accounts.security.services import role_grant
from core.errors import ApplicationError
from responsibility.api.models import Scope
from tests.accounts.workbooks import good_rows, org_counts, workbook_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/org-imports/"


def _post(caller, content: bytes, *, name="组织机构.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        name, content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Client().post(URL, {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {caller.token}")


@pytest.fixture
def personnel_system(make_caller):
    return make_caller(roles=[Role.ORG_SYNC], scopes=[Scope.WRITE_ORG])


def test_the_personnel_system_imports_the_organisation_as_its_own_account(personnel_system):
    response = _post(personnel_system, workbook_bytes(good_rows()))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "units": {"created": 3, "updated": 1, "unchanged": 0},  # the Party Group's unit, PG, was there
        "users": {"created": 3, "updated": 0, "unchanged": 0},
        "posts": {"created": 4, "updated": 0, "unchanged": 0},
    }
    assert OrgUnit.objects.filter(code="FGW-FGC", parent__code="FGW").exists()
    assert Post.objects.filter(unit__code="FGW", holder__username="zhangzr").exists()
    zhang = User.objects.get(username="zhangzr")
    assert not zhang.has_usable_password() and not zhang.groups.exists()  # sign-in stays the people's
    # the same file again changes nothing
    again = _post(personnel_system, workbook_bytes(good_rows())).json()
    assert again["units"] == {"created": 0, "updated": 0, "unchanged": 4}


def test_a_bad_workbook_is_refused_row_by_row_and_nothing_is_written(personnel_system):
    rows = good_rows()
    rows["岗位"][1][0] = "NOPE"  # a post in a unit that does not exist
    rows["人员"][2][2] = "not an email"
    before = org_counts()

    response = _post(personnel_system, workbook_bytes(rows))

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert any(place.startswith("岗位") and "3" in place for place in fields), fields
    assert any(place.startswith("人员") for place in fields), fields
    assert org_counts() == before
    not_a_workbook = _post(personnel_system, b"PK\x03\x04 not really a workbook")
    assert not_a_workbook.status_code == 400 and org_counts() == before


@pytest.mark.parametrize(
    ("roles", "scopes"),
    [
        ([Role.ORG_SYNC], [Scope.READ_LETTERS]),  # the role without the scope
        ([Role.INSPECTION_TEAM], [Scope.WRITE_ORG]),  # the scope without the role
        ([], [Scope.WRITE_ORG]),
    ],
)
def test_without_the_scope_and_the_role_nothing_is_imported(make_caller, roles, scopes):
    caller = make_caller(roles=roles, scopes=scopes)
    before = org_counts()

    response = _post(caller, workbook_bytes(good_rows()))

    assert response.status_code == 403 and org_counts() == before


def test_the_organisation_sync_role_is_never_a_persons(make_caller, security_admin):
    person = UserFactory(full_name="人事处干部")

    with pytest.raises(ApplicationError, match="接口客户端"):
        role_grant(user=person, role=Role.ORG_SYNC, granted_by=security_admin)
    assert not person.groups.exists()
    with pytest.raises(ApplicationError, match="只能由人员担任"):  # and a machine never an administrator duty
        role_grant(
            user=make_caller(scopes=[Scope.WRITE_ORG]).client.account,
            role=Role.OFFICE_ADMIN,
            granted_by=security_admin,
        )
