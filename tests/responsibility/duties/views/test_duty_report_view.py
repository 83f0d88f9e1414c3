"""The year-end report's working draft (履责报告工作稿, unsealed) as a download: anyone who can see the
assignment may have it. The sealed versions are tested in test_duty_report_issue_views.py.

The PDF itself is tested with its renderer (responsibility/pdf/duty_report.py); here the renderer is
replaced, so these tests check only who gets it and how it is served.
"""

import sys
import types
from urllib.parse import quote

import pytest

from tests.responsibility.duties.views.conftest import messages_of, url

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.7\n% stand-in\n%%EOF\n"


@pytest.fixture
def rendered(monkeypatch) -> list:
    """The assignments the report was rendered for (by a stand-in renderer)."""
    calls = []

    def duty_report_render(*, assignment) -> bytes:
        calls.append(assignment)
        return FAKE_PDF

    monkeypatch.setitem(
        sys.modules,
        "responsibility.duties.pdf",
        types.SimpleNamespace(duty_report_render=duty_report_render, DutyReportRenderError=ReportFailed),
    )
    return calls


class ReportFailed(RuntimeError):
    pass


@pytest.mark.parametrize("who", ["leader", "reader of the unit", "inspection team"])
def test_whoever_sees_the_assignment_downloads_its_report_as_an_attachment(client, duties, rendered, who):
    head = duties.head_assignment
    user = {
        "leader": head.leader,
        "reader of the unit": duties.org.staff[1],
        "inspection team": duties.org.inspector,
    }
    client.force_login(user[who])

    response = client.get(url("duty-report", head.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == FAKE_PDF
    assert [assignment.pk for assignment in rendered] == [head.pk]
    name = f"Performance report_2026_{head.leader.get_full_name()}_working draft.pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="duty-report-2026-{head.pk}-draft.pdf"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_report_of_an_assignment_the_user_cannot_see_is_not_found(client, duties, rendered):
    client.force_login(duties.org.outsider)

    response = client.get(url("duty-report", duties.head_assignment.pk))

    assert response.status_code == 404
    assert rendered == []


def test_a_report_that_cannot_be_made_is_a_message_not_an_error_page(client, duties, monkeypatch):
    def duty_report_render(*, assignment) -> bytes:
        raise ReportFailed("an asset is missing")

    monkeypatch.setitem(
        sys.modules,
        "responsibility.duties.pdf",
        types.SimpleNamespace(duty_report_render=duty_report_render, DutyReportRenderError=ReportFailed),
    )
    head = duties.head_assignment
    client.force_login(head.leader)

    response = client.get(url("duty-report", head.pk))

    assert response.status_code == 302
    assert response.url == url("duty-detail", head.pk)
    assert messages_of(response) == ["The report could not be made. Please try again later."]


def test_the_real_report_is_a_pdf(client, duties):
    head = duties.head_assignment
    client.force_login(head.leader)

    response = client.get(url("duty-report", head.pk))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
