"""Issuing the year-end duty report from the assignment's page (出具年度履职报告), and downloading its sealed
versions: the stored bytes, as sealed.

Real renders and seals (about 0.3 s each; the first in a process also loads the fonts, about 1.5 s).
"""

from urllib.parse import quote

import pytest
from django.utils import timezone

from responsibility.duties.models import DutyReportDocument
from responsibility.duties.services.assignments import RecordInput, performance_record_create
from responsibility.duties.services.reports import duty_report_issue
from tests.responsibility.duties.conftest import TODAY, first_open_occurrence
from tests.responsibility.duties.views.conftest import messages_of, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("report_seal")]


def stored(document: DutyReportDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def keep_record(assignment) -> None:
    performance_record_create(
        occurrence=first_open_occurrence(assignment),
        data=RecordInput(performed_on=TODAY, summary="听取法规处汇报。", participants=""),
        recorded_by=assignment.leader,
    )


def test_the_leader_issues_the_report_from_the_page(client, duties):
    # given the leader on their assignment's page
    head = duties.head_assignment
    client.force_login(head.leader)

    # when they press 「出具年度履职报告」
    response = client.post(url("duty-report-issue", head.pk))

    # then back on the page at the reports, told the version and its code
    document = DutyReportDocument.objects.get()
    assert response.status_code == 302
    assert response.url == url("duty-detail", head.pk) + "#reports"
    assert messages_of(response) == [
        "Version 1 of the year-end duty report was issued and sealed. "
        f"Its verification code is {document.verification_code}."
    ]


def test_pressing_issue_again_with_nothing_changed_issues_nothing(client, duties):
    # given version 1, issued a moment ago
    head = duties.head_assignment
    client.force_login(head.leader)
    client.post(url("duty-report-issue", head.pk))

    # when the button is pressed again
    response = client.post(url("duty-report-issue", head.pk))

    # then no second version, and the message says which version the report reads as
    [document] = DutyReportDocument.objects.all()
    assert response.status_code == 302
    issued_at = timezone.localtime(document.issued_at).strftime("%Y-%m-%d %H:%M")
    assert messages_of(response)[-1] == (  # the first click's message was not shown yet: not followed
        f"The report reads as version 1, issued at {issued_at}: no new version was issued. Download that one."
    )


def test_a_report_that_cannot_be_made_is_a_message_not_an_error_page(client, duties, settings, tmp_path):
    # given the seal file is missing
    settings.SEAL_PKCS12_FILE = tmp_path / "missing.p12"
    head = duties.head_assignment
    client.force_login(head.leader)

    # when
    response = client.post(url("duty-report-issue", head.pk))

    # then
    assert response.status_code == 302
    assert messages_of(response) == [
        "The report could not be made or sealed, so nothing was issued. Please try again later."
    ]
    assert not DutyReportDocument.objects.exists()


def test_the_page_lists_the_versions_with_the_one_in_force_first(client, duties):
    # given two versions
    head = duties.head_assignment
    first = duty_report_issue(assignment=head, issued_by=head.leader).document
    keep_record(head)
    second = duty_report_issue(assignment=head, issued_by=duties.org.office_admin).document
    client.force_login(duties.org.staff[1])  # a reader of the unit

    # when
    body = client.get(url("duty-detail", head.pk)).content.decode()

    # then both versions, version 2 in force, each downloadable; the latest offered at the top
    section = body[body.index('id="reports"') :]
    assert section.index(second.verification_code) < section.index(first.verification_code)
    assert "In force" in section and "Superseded by version 2" in section
    assert url("duty-report-document", head.pk, 1) in section
    assert body.count(url("duty-report-document", head.pk, 2)) == 2  # the top button and the table
    assert "Download the year-end duty report (version 2, sealed)" in body
    # and a reader may not issue it
    assert url("duty-report-issue", head.pk) not in body


@pytest.mark.parametrize("who", ["leader", "office"])
def test_the_leader_and_the_office_get_the_issue_button(client, duties, who):
    head = duties.head_assignment
    client.force_login(head.leader if who == "leader" else duties.org.office_admin)

    body = client.get(url("duty-detail", head.pk)).content.decode()

    assert url("duty-report-issue", head.pk) in body
    assert "Issue the year-end duty report" in body
    assert "No year-end report has been issued yet." in body


def test_the_inspection_team_reads_the_report_but_may_not_issue_it(client, duties):
    head = duties.head_assignment
    client.force_login(duties.org.inspector)

    body = client.get(url("duty-detail", head.pk)).content.decode()
    response = client.post(url("duty-report-issue", head.pk))

    assert url("duty-report-issue", head.pk) not in body
    assert url("duty-report", head.pk) in body  # the working draft
    assert response.status_code == 403
    assert not DutyReportDocument.objects.exists()


def test_a_sealed_version_downloads_as_the_stored_bytes(client, duties):
    # given version 1
    head = duties.head_assignment
    document = duty_report_issue(assignment=head, issued_by=head.leader).document
    client.force_login(duties.org.inspector)

    # when
    response = client.get(url("duty-report-document", head.pk, 1))

    # then exactly the sealed bytes, named for the office's files
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored(document)
    name = f"Year-end duty report_2026_{head.leader.get_full_name()}_version 1.pdf"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"duty-report-2026-{head.pk}-v1.pdf\"; filename*=UTF-8''{quote(name, safe='')}"
    )


def test_a_version_that_does_not_exist_or_an_assignment_one_cannot_see_is_not_found(client, duties):
    head = duties.head_assignment
    duty_report_issue(assignment=head, issued_by=head.leader)

    client.force_login(head.leader)
    assert client.get(url("duty-report-document", head.pk, 2)).status_code == 404
    client.force_login(duties.org.outsider)
    assert client.get(url("duty-report-document", head.pk, 1)).status_code == 404
    assert client.post(url("duty-report-issue", head.pk)).status_code == 404
    assert DutyReportDocument.objects.count() == 1


def test_a_sealed_file_missing_from_storage_is_a_message_not_an_error_page(client, duties):
    # given version 1, whose file was removed from storage
    head = duties.head_assignment
    document = duty_report_issue(assignment=head, issued_by=head.leader).document
    document.file.storage.delete(document.file.name)
    client.force_login(head.leader)

    # when
    response = client.get(url("duty-report-document", head.pk, 1))

    # then
    assert response.status_code == 302
    assert response.url == url("duty-detail", head.pk) + "#reports"
    assert messages_of(response) == [
        "The sealed file of this report cannot be read from storage. Please tell the office."
    ]
