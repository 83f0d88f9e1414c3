"""An organisation workbook that would exhaust the server is refused from its zip directory, before openpyxl
reads a byte of it, and nothing is imported."""

import io
import time
import zipfile
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import OrgUnit, Post, User
from accounts.org_import import OrgImportError, org_import
from accounts.roles import Role
from core import workbooks as services  # where every imported workbook is read
from tests.accounts.workbooks import good_rows, workbook_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
SHARED_STRINGS_HEAD = (
    b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def workbook_with_shared_strings(size: int) -> bytes:
    """A real workbook, plus a sharedStrings.xml of `size` bytes of one repeated string (deflated: tiny)."""
    good = zipfile.ZipFile(io.BytesIO(workbook_bytes(good_rows())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            if info.filename != "xl/sharedStrings.xml":
                archive.writestr(info.filename, good.read(info))
        item = b"<si><t>" + "党组书记".encode() * 16 + b"</t></si>"
        body = SHARED_STRINGS_HEAD + item * ((size - len(SHARED_STRINGS_HEAD)) // len(item)) + b"</sst>"
        archive.writestr("xl/sharedStrings.xml", body)
    return buffer.getvalue()


def organisation_now() -> tuple[int, int, int]:
    return OrgUnit.objects.count(), User.objects.count(), Post.objects.count()


@pytest.fixture
def office_admin(db) -> User:
    return UserFactory(full_name="李管理", roles=[Role.OFFICE_ADMIN], is_staff=True)


@pytest.fixture
def openpyxl_unused():
    with mock.patch.object(
        services, "load_workbook", side_effect=AssertionError("openpyxl was called")
    ) as load:
        yield load


def refused(content: bytes, imported_by) -> OrgImportError:
    with pytest.raises(OrgImportError) as caught:
        org_import(workbook_file=content, imported_by=imported_by)
    return caught.value


def test_org_import_refuses_a_zip_bomb_before_parsing_it(office_admin, settings, openpyxl_unused):
    """About 2 s: deflating the 60 MB part to build the bomb; the refusal itself is timed below."""
    # given a 60 MB sharedStrings.xml that packs into a few hundred KB (the limit is 50 MB)
    settings.ORG_IMPORT_MAX_UNCOMPRESSED_BYTES = 50 * MB
    bomb = workbook_with_shared_strings(60 * MB)
    assert len(bomb) < services.MAX_FILE_BYTES  # small enough to pass the upload limit
    before = organisation_now()

    # when it is imported
    started = time.monotonic()
    error = refused(bomb, office_admin)

    # then it is refused at once, from the zip's directory, and nothing was imported
    assert time.monotonic() - started < 1
    assert (
        str(error) == "The spreadsheet would take more than 50 MB once opened; split it into smaller files."
    )
    openpyxl_unused.assert_not_called()
    assert organisation_now() == before


def test_org_import_refuses_a_part_packed_too_tightly_even_under_the_size_limit(
    office_admin, settings, openpyxl_unused
):
    # given a workbook of 8 MB once opened (under the limit), whose shared strings pack more than 100 to 1
    settings.ORG_IMPORT_MAX_UNCOMPRESSED_BYTES = 50 * MB
    settings.ORG_IMPORT_MAX_COMPRESSION_RATIO = 100
    bomb = workbook_with_shared_strings(8 * MB)
    before = organisation_now()

    error = refused(bomb, office_admin)

    assert "packed unusually tightly (more than 100 to 1)" in str(error)
    openpyxl_unused.assert_not_called()
    assert organisation_now() == before


def test_org_import_refuses_a_zip_of_too_many_parts(office_admin, openpyxl_unused):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(services.MAX_PARTS + 1):
            archive.writestr(f"xl/part{number}.xml", b"")

    error = refused(buffer.getvalue(), office_admin)

    assert "once opened" in str(error)
    openpyxl_unused.assert_not_called()


def test_org_import_limits_come_from_the_settings(office_admin, settings):
    # given an ordinary workbook and a limit set below its size
    content = workbook_with_shared_strings(2 * MB)
    settings.ORG_IMPORT_MAX_COMPRESSION_RATIO = 10_000
    settings.ORG_IMPORT_MAX_UNCOMPRESSED_BYTES = 1 * MB

    assert "more than 1 MB once opened" in str(refused(content, office_admin))

    # when the limit is raised, the same file is read (and refused only for its missing columns, if any)
    settings.ORG_IMPORT_MAX_UNCOMPRESSED_BYTES = 50 * MB
    org_import(workbook_file=workbook_bytes(good_rows()), imported_by=office_admin)
    assert OrgUnit.objects.filter(code="FGW").exists()


def test_the_import_page_shows_the_refusal_of_a_zip_bomb(client, office_admin, settings, openpyxl_unused):
    """About 2 s: building the 60 MB bomb, as above."""
    settings.ORG_IMPORT_MAX_UNCOMPRESSED_BYTES = 50 * MB
    client.force_login(office_admin)
    bomb = workbook_with_shared_strings(60 * MB)
    before = organisation_now()

    response = client.post(
        reverse("admin:accounts_orgunit_import"),
        {"workbook": SimpleUploadedFile("org.xlsx", bomb, content_type="application/octet-stream")},
    )

    assert response.status_code == 200
    assert "once opened; split it into smaller files." in response.content.decode()
    assert organisation_now() == before


def test_org_import_refuses_a_row_with_a_direction_control_and_imports_nothing(office_admin):
    rows = good_rows()
    rows["单位"][1][1] = "法制工作\u202e会员委"
    before = organisation_now()

    error = refused(workbook_bytes(rows), office_admin)

    assert [(problem.sheet, problem.row) for problem in error.errors] == [("单位", 3)]
    assert "change the direction of writing" in error.errors[0].message
    assert organisation_now() == before
