"""回头看 pages through the client: draw, read and run again, record; bad input and double submits."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from responsibility.supervision.models import (
    Finding,
    ProblemBatch,
    Recheck,
    RecheckResult,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.services.rechecks import RecheckInput, recheck_draw
from responsibility.supervision.services.rectifications import (
    finding_record,
)
from tests.responsibility.inspections.conftest import (
    finding_input,
    finding_ticked_off,
    inspector_of,
)
from tests.responsibility.inspections.tampering import _raw_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings, tmp_path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def member(supervision):
    return supervision.inspectors[0]


def _closed(inspection, member, count: int) -> list[Finding]:
    findings = []
    for index in range(count):
        finding = finding_record(
            inspection=inspection,
            data=finding_input(inspection, title=f"问题{index}"),
            recorded_by=inspector_of(inspection),
        )
        finding_ticked_off(finding, by=member)
        findings.append(finding)
    return findings


@pytest.fixture
def closed(committee_inspection, member) -> list[Finding]:
    return _closed(committee_inspection, member, 4)


def _batch(supervision) -> ProblemBatch:
    return ProblemBatch.objects.get(plan=supervision.plan)


def _form(supervision, **overrides) -> dict:
    return {
        "title": "2026年度整改情况回头看",
        "batches": [str(_batch(supervision).pk)],
        "requested": "2",
        "public_value": "20261206",
        "last_recheck": "0",
        **overrides,
    }


def test_the_team_draws_a_recheck_and_reads_it_run_again(client, supervision, closed, member):
    client.force_login(member)

    response = client.post(reverse("responsibility:recheck-create"), _form(supervision))

    recheck = Recheck.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "responsibility:recheck-detail", args=[recheck.pk]
    )
    page = client.get(response.url).content.decode()
    assert "Re-run gives the same result." in page
    for finding_id in recheck.result:
        assert Finding.objects.get(pk=finding_id).reference in page
    assert page.count("Record the re-check") == 2
    assert "2026年度整改情况回头看" in client.get(reverse("responsibility:recheck-list")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"batches": []}, "Choose the problem lists to draw from."),
        ({"requested": "9"}, "from 1 to 4"),
        ({"public_value": ""}, "Enter the public value"),
        ({"title": ""}, "This field is required."),
        ({"requested": "两个"}, "Enter a whole number."),
    ],
)
def test_a_bad_recheck_form_says_why_and_draws_nothing(
    client, supervision, closed, member, overrides, message
):
    client.force_login(member)

    response = client.post(reverse("responsibility:recheck-create"), _form(supervision, **overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Recheck.objects.exists()


def test_a_double_submit_draws_once(client, supervision, closed, member):
    client.force_login(member)

    client.post(reverse("responsibility:recheck-create"), _form(supervision))
    again = client.post(reverse("responsibility:recheck-create"), _form(supervision))

    assert again.status_code == 302 and again.url == reverse("responsibility:recheck-list")
    assert Recheck.objects.count() == 1


def test_with_nothing_closed_the_page_says_so_instead_of_a_form(
    client, supervision, committee_inspection, member
):
    client.force_login(member)

    page = client.get(reverse("responsibility:recheck-create")).content.decode()

    assert "there is nothing to re-check" in page
    assert 'name="public_value"' not in page


@pytest.fixture
def recheck(supervision, closed, member) -> Recheck:
    return recheck_draw(
        data=RecheckInput(
            title="2026年度整改情况回头看",
            batches=[_batch(supervision)],
            closed_from=None,
            closed_to=None,
            requested=2,
            public_value="20261206",
        ),
        drawn_by=member,
    )


def _record(client, recheck, finding_id, **values):
    data = {f"finding{finding_id}-{name}": value for name, value in values.items()}
    return client.post(reverse("responsibility:recheck-result", args=[recheck.pk, finding_id]), data)


def test_false_rectification_found_reopens_the_problem(client, recheck, member):
    client.force_login(member)
    finding_id = recheck.result[0]
    deadline = (timezone.localdate() + datetime.timedelta(days=15)).isoformat()

    response = _record(client, recheck, finding_id, outcome="false", reason="制度未执行。", deadline=deadline)

    assert response.status_code == 302
    assert Rectification.objects.get(finding_id=finding_id).status == RectificationStatus.OPEN
    page = client.get(reverse("responsibility:recheck-detail", args=[recheck.pk])).content.decode()
    assert "False rectification" in page and "制度未执行。" in page
    assert page.count("Record the re-check") == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"outcome": "false", "reason": "", "deadline": "2030-01-01"}, "Say what the re-check found wanting"),
        (
            {"outcome": "inadequate", "reason": "不到位。", "deadline": ""},
            "Give the rectification a new deadline.",
        ),
        ({"outcome": "inadequate", "reason": "不到位。", "deadline": "2020-01-01"}, "cannot be in the past"),
        ({"outcome": "", "reason": ""}, "This field is required."),
    ],
)
def test_a_bad_result_says_why_on_its_form_and_changes_nothing(client, recheck, member, values, message):
    client.force_login(member)
    finding_id = recheck.result[0]

    response = _record(client, recheck, finding_id, **values)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RecheckResult.objects.exists()
    assert Rectification.objects.get(finding_id=finding_id).status == RectificationStatus.CLOSED


def test_a_problem_not_drawn_is_404(client, recheck, member, closed):
    client.force_login(member)
    not_drawn = next(finding.pk for finding in closed if finding.pk not in recheck.result)

    assert _record(client, recheck, not_drawn, outcome="confirmed").status_code == 404


def test_a_changed_record_shows_that_the_rerun_does_not_match(client, recheck, member, closed):
    client.force_login(member)
    others = [finding.pk for finding in closed if finding.pk not in recheck.result]
    _raw_update(Recheck, recheck.pk, result=others)

    page = client.get(reverse("responsibility:recheck-detail", args=[recheck.pk])).content.decode()

    assert "Re-run does not match the record." in page
    assert "the stored record has been changed since the draw" in page


def test_the_page_costs_the_same_for_two_problems_drawn_or_six(
    client, supervision, committee_inspection, member
):
    client.force_login(member)
    _closed(committee_inspection, member, 6)

    def queries(requested: int) -> int:
        recheck = recheck_draw(
            data=RecheckInput(
                title=f"回头看{requested}",
                batches=[_batch(supervision)],
                closed_from=None,
                closed_to=None,
                requested=requested,
                public_value="20261206",
            ),
            drawn_by=member,
        )
        url = reverse("responsibility:recheck-detail", args=[recheck.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(2) == queries(6)


def test_the_dashboard_shows_each_units_recheck_failure_rate(client, recheck, member, supervision):
    client.force_login(member)
    deadline = (timezone.localdate() + datetime.timedelta(days=15)).isoformat()
    _record(
        client, recheck, recheck.result[0], outcome="inadequate", reason="台账未更新。", deadline=deadline
    )
    _record(client, recheck, recheck.result[1], outcome="confirmed", reason="")

    page = client.get(reverse("responsibility:ledger-dashboard")).content.decode()

    unit = Finding.objects.get(pk=recheck.result[0]).unit.name
    section = page[page.index('id="recheck-heading"') :]
    row = section[section.index(unit) : section.index("</tr>", section.index(unit))]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[1:4]] == ["2", "1", "50%"]


def test_the_dashboards_recheck_failures_are_kept_until_a_recheck_is_recorded(client, recheck, member):
    # given the dashboard opened after one re-check result
    client.force_login(member)
    deadline = (timezone.localdate() + datetime.timedelta(days=15)).isoformat()
    _record(
        client, recheck, recheck.result[0], outcome="inadequate", reason="台账未更新。", deadline=deadline
    )
    dashboard = reverse("responsibility:ledger-dashboard")
    first = client.get(dashboard).context["recheck_failures"]

    # when it is opened again, the re-check results are not read again
    with CaptureQueriesContext(connection) as again:
        kept = client.get(dashboard).context["recheck_failures"]
    assert kept == first
    assert not [query for query in again.captured_queries if "recheckresult" in query["sql"]]

    # and once the second result is recorded (an event in the chain), it is counted at once
    _record(client, recheck, recheck.result[1], outcome="confirmed", reason="")
    after = client.get(dashboard).context["recheck_failures"]
    assert [(row.checked, row.failed) for row in first] == [(1, 1)]
    assert sum(row.checked for row in after) == 2
