"""A reconciled problem list's 整改情况报告 from its page: issuing it sealed (出具整改情况报告), a second
click, the sealed versions listed and downloaded as stored, the working draft, and the report hidden from
those who may not read it. The pages speak Chinese, as to every user.

Real renders and seals (about 0.3 s each; the first in a process also loads the fonts, about 1.5 s).
"""

import datetime
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from responsibility.supervision.models import ProblemBatch, RectificationReportDocument
from responsibility.supervision.services.problems import problem_batch_reconcile, problem_carry_over
from responsibility.supervision.services.reports import rectification_report_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seal_settings")]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name: str, *args) -> str:
    return reverse(f"responsibility:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def reconciled(supervision, problem_list, list_problem) -> ProblemBatch:
    """The list reconciled, its one problem carried over."""
    office = supervision.org.office_admin
    problem_carry_over(
        finding=list_problem,
        reason="涉及机构调整，需长期整改。",
        deadline=timezone.localdate() + datetime.timedelta(days=120),
        carried_by=office,
        expected_version=None,
    )
    return problem_batch_reconcile(batch=problem_list, reconciled_by=office, expected_version=None)


def stored(document: RectificationReportDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def test_the_office_issues_the_report_from_the_lists_page(client, supervision, reconciled):
    # given the office on the reconciled list's page, offered the button
    client.force_login(supervision.org.office_admin)
    page = client.get(url("batch-detail", reconciled.pk)).content.decode()
    assert url("rectification-report-issue", reconciled.pk) in page
    assert "尚未出具整改情况报告。" in page

    # when it presses 「出具整改情况报告」
    response = client.post(url("rectification-report-issue", reconciled.pk))

    # then back at the reports, told the version and its code, and the version is listed in force
    document = RectificationReportDocument.objects.get()
    assert response.status_code == 302
    assert response.url == url("batch-detail", reconciled.pk) + "#reports"
    assert messages_of(response) == [
        f"整改情况报告第1版已出具并盖章，验证码为 {document.verification_code}。"
    ]
    page = client.get(response.url).content.decode()
    section = page[page.index('id="reports"') :]
    assert document.verification_code in section and "现行有效" in section
    assert url("rectification-report-document", reconciled.pk, 1) in section


def test_a_second_click_issues_nothing_and_says_which_version_stands(client, supervision, reconciled):
    client.force_login(supervision.org.office_admin)
    client.post(url("rectification-report-issue", reconciled.pk))

    response = client.post(url("rectification-report-issue", reconciled.pk))

    [document] = RectificationReportDocument.objects.all()
    issued_at = timezone.localtime(document.issued_at).strftime("%Y-%m-%d %H:%M")
    assert messages_of(response)[-1] == f"报告内容与{issued_at}出具的第1版相同，未出具新版本，请下载该版本。"


def test_a_report_that_cannot_be_sealed_is_a_message_not_an_error_page(
    client, supervision, reconciled, settings, tmp_path
):
    settings.SEAL_PKCS12_FILE = tmp_path / "missing.p12"
    client.force_login(supervision.org.office_admin)

    response = client.post(url("rectification-report-issue", reconciled.pk))

    assert response.status_code == 302
    assert messages_of(response) == ["报告生成或盖章失败，未出具任何版本，请稍后重试。"]
    assert not RectificationReportDocument.objects.exists()


def test_an_open_list_offers_the_draft_but_not_the_issue(client, supervision, problem_list, list_problem):
    # given a list still being rectified
    client.force_login(supervision.org.office_admin)

    # when its page is read, and an issue forged
    page = client.get(url("batch-detail", problem_list.pk)).content.decode()
    response = client.post(url("rectification-report-issue", problem_list.pk))

    # then only the working draft is offered, and the issue is refused with nothing stored
    assert url("rectification-report", problem_list.pk) in page
    assert url("rectification-report-issue", problem_list.pk) not in page
    assert response.status_code == 403
    assert not RectificationReportDocument.objects.exists()


def test_the_working_draft_downloads_named_after_the_list(client, supervision, problem_list, list_problem):
    client.force_login(supervision.org.secretary)  # the Party Group reads it

    response = client.get(url("rectification-report", problem_list.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    name = f"整改情况报告_{problem_list.title}_工作稿.pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="rectification-report-{problem_list.pk}-draft.pdf"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )


def test_a_sealed_version_downloads_as_the_stored_bytes_and_an_unknown_one_is_404(
    client, supervision, reconciled
):
    document = rectification_report_issue(batch=reconciled, issued_by=supervision.org.office_admin).document
    client.force_login(supervision.org.secretary)

    response = client.get(url("rectification-report-document", reconciled.pk, 1))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored(document)
    name = f"整改情况报告_{reconciled.title}_第1版.pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="rectification-report-{reconciled.pk}-v1.pdf"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    assert client.get(url("rectification-report-document", reconciled.pk, 2)).status_code == 404


def test_the_head_of_a_problems_unit_sees_the_list_but_not_its_report(client, supervision, reconciled):
    # the head reads the list for their unit's problem; the report names every problem of the list
    client.force_login(supervision.org.heads[0])

    page = client.get(url("batch-detail", reconciled.pk)).content.decode()

    assert 'id="reports"' not in page
    assert url("rectification-report", reconciled.pk) not in page
    assert client.get(url("rectification-report", reconciled.pk)).status_code == 404
