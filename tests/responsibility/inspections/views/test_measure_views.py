"""Measures (整改措施) on the finding page: the team, the owner or the head adds them; each owner reports
theirs with evidence; the last one reported submits the rectification; bad input changes nothing."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from responsibility.evidence.models import EvidenceFile
from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    Measure,
    MeasureStatus,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.services.measures import (
    MeasureInput,
    measure_add,
)
from tests.responsibility.inspections.conftest import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """Read the pages in English (the language switch's cookie), so the assertions read the msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def staff(supervision):
    """Holds a post in the committee; neither its head nor the rectification's owner."""
    return supervision.org.staff[0]


@pytest.fixture
def two_measures(finding, supervision, staff) -> Finding:
    """The finding's rectification carried out as two measures: the head's (1) and the staff member's (2)."""
    measure_add(
        finding=finding,
        data=MeasureInput(
            action="修订公务接待管理办法。",
            owner=staff,
            deadline=timezone.localdate() + datetime.timedelta(days=45),
        ),
        added_by=supervision.inspectors[0],
        expected_version=None,
    )
    return finding


def _measure(finding: Finding, number: int) -> Measure:
    return Measure.objects.get(finding=finding, number=number)


def _detail(finding: Finding) -> str:
    return reverse("responsibility:finding-detail", args=[finding.pk])


def _report(client, finding, number, *, text="已印发。", files=True, version=None):
    measure = _measure(finding, number)
    data = {
        f"measure{measure.pk}-report": text,
        f"measure{measure.pk}-version": version if version is not None else measure.version,
    }
    if files:
        data[f"measure{measure.pk}-files"] = pdf_upload()
    return client.post(reverse("responsibility:measure-report", args=[finding.pk, number]), data)


def _add(client, finding, **overrides):
    data = {
        "measure-action": "开展专项自查。",
        "measure-owner": "",
        "measure-deadline": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        "measure-version": Rectification.objects.get(finding=finding).version,
        **overrides,
    }
    return client.post(reverse("responsibility:measure-add", args=[finding.pk]), data)


def _state(finding) -> tuple:
    return (
        sorted(Measure.objects.filter(finding=finding).values_list("number", "status", "version")),
        Rectification.objects.filter(finding=finding).values_list("status", "version").get(),
        InspectionEvent.objects.count(),
        EvidenceFile.objects.count(),
    )


def test_the_page_shows_each_measure_and_its_owner_the_form_for_theirs(client, two_measures, staff):
    client.force_login(staff)

    page = client.get(_detail(two_measures)).content.decode()

    assert "Measure 1" in page and "Measure 2" in page
    assert "修订公务接待管理办法。" in page
    assert page.count("Report this measure done") == 1  # theirs: measure 2
    assert reverse("responsibility:measure-report", args=[two_measures.pk, 2]) in page
    assert reverse("responsibility:measure-report", args=[two_measures.pk, 1]) not in page
    assert "Submit for verification" not in page  # several measures: reported one by one


def test_the_head_reports_both_and_the_rectification_is_submitted(client, two_measures, supervision, staff):
    head = two_measures.rectification.owner
    client.force_login(head)

    first = _report(client, two_measures, 1, text="召开专题会议。")
    second = _report(client, two_measures, 2, text="修订并印发办法。")

    assert (first.status_code, second.status_code) == (302, 302)
    assert [str(m) for m in get_messages(second.wsgi_request)][-1].startswith("Measure 2 of")
    rectification = Rectification.objects.get(finding=two_measures)
    assert rectification.status == RectificationStatus.SUBMITTED
    assert rectification.measures == "1. 召开专题会议。\n2. 修订并印发办法。"
    page = client.get(_detail(two_measures)).content.decode()
    assert "What was done:" in page and "修订并印发办法。" in page


def test_a_measure_reported_without_evidence_shows_the_reason_on_its_form(client, two_measures, staff):
    client.force_login(staff)
    before = _state(two_measures)

    response = _report(client, two_measures, 2, files=False)

    assert response.status_code == 400
    assert "attach at least one file showing the measure was done" in response.content.decode()
    assert _state(two_measures) == before


def test_an_empty_report_is_refused_on_the_form(client, two_measures, staff):
    client.force_login(staff)
    before = _state(two_measures)

    response = _report(client, two_measures, 2, text="")

    assert response.status_code == 400
    assert "Say what was done." in response.content.decode()
    assert _state(two_measures) == before


def test_a_double_click_reports_once_and_says_so(client, two_measures, staff):
    client.force_login(staff)
    version = _measure(two_measures, 2).version

    _report(client, two_measures, 2, version=version)
    again = _report(client, two_measures, 2, version=version)

    assert again.status_code == 302
    assert EvidenceFile.objects.filter(measure__finding=two_measures).count() == 1
    assert _measure(two_measures, 2).status == MeasureStatus.REPORTED


def test_a_measure_number_that_does_not_exist_is_404(client, two_measures, staff):
    client.force_login(staff)

    response = client.post(reverse("responsibility:measure-report", args=[two_measures.pk, 9]), {})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"measure-action": ""}, "Say what the measure will do."),
        ({"measure-deadline": ""}, "Give the measure a deadline."),
        ({"measure-deadline": "2020-01-01"}, "A measure&#x27;s deadline cannot be in the past."),
        ({"measure-deadline": "明天"}, "Enter a valid date."),
        ({"measure-owner": ""}, "Choose the measure&#x27;s owner"),
    ],
)
def test_a_bad_measure_is_refused_on_the_form(client, finding, supervision, staff, overrides, message):
    client.force_login(supervision.inspectors[0])
    before = _state(finding)

    response = _add(client, finding, **{"measure-owner": str(staff.pk), **overrides})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _state(finding) == before


def test_the_team_adds_a_measure_for_a_holder_of_a_post_in_the_unit(client, finding, supervision, staff):
    client.force_login(supervision.inspectors[0])

    response = _add(client, finding, **{"measure-owner": str(staff.pk)})

    assert response.status_code == 302
    assert _measure(finding, 2).owner_id == staff.pk


def test_a_measure_added_from_a_stale_page_is_refused(client, finding, supervision, staff):
    client.force_login(supervision.inspectors[0])
    stale = Rectification.objects.get(finding=finding).version
    _add(client, finding, **{"measure-owner": str(staff.pk)})
    before = _state(finding)

    response = _add(client, finding, **{"measure-owner": str(staff.pk), "measure-version": stale})

    assert response.status_code == 302  # back to the fresh page, with the reason
    assert _state(finding) == before


def test_the_page_costs_the_same_for_two_measures_or_ten(client, finding, supervision, staff):
    def queries() -> int:
        client.force_login(staff)
        client.get(_detail(finding))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_detail(finding)).status_code == 200
        return len(captured)

    deadline = timezone.localdate() + datetime.timedelta(days=30)
    add = MeasureInput(action="措施。", owner=staff, deadline=deadline)
    measure_add(finding=finding, data=add, added_by=supervision.inspectors[0], expected_version=None)
    two = queries()
    for _ in range(8):
        measure_add(finding=finding, data=add, added_by=supervision.inspectors[0], expected_version=None)

    assert queries() == two


def _edit(client, finding, number, **overrides):
    measure = _measure(finding, number)
    data = {
        f"edit{measure.pk}-action": measure.action,
        f"edit{measure.pk}-owner": str(measure.owner_id),
        f"edit{measure.pk}-deadline": measure.deadline.isoformat(),
        f"edit{measure.pk}-version": measure.version,
    }
    data.update({f"edit{measure.pk}-{name}": value for name, value in overrides.items()})
    return client.post(reverse("responsibility:measure-update", args=[finding.pk, number]), data)


def test_the_head_gives_a_measure_to_someone_else(client, two_measures, staff):
    head = two_measures.rectification.owner
    client.force_login(head)

    response = _edit(client, two_measures, 2, owner=str(head.pk))

    assert response.status_code == 302
    assert _measure(two_measures, 2).owner_id == head.pk


def test_a_bad_correction_shows_its_reason_on_that_measures_form(client, two_measures):
    client.force_login(two_measures.rectification.owner)
    before = _state(two_measures)

    response = _edit(client, two_measures, 2, deadline="2020-01-01")

    assert response.status_code == 400
    page = response.content.decode()
    assert "A measure&#x27;s deadline cannot be in the past." in page
    assert page.count('<details class="field" open>') == 1  # that measure's form, opened
    assert _state(two_measures) == before


def test_the_heads_page_costs_the_same_for_two_measures_or_ten(client, two_measures, supervision, staff):
    """The head may correct every open measure: the people of the unit are read once for all the forms."""
    head = two_measures.rectification.owner

    def queries() -> int:
        client.force_login(head)
        client.get(_detail(two_measures))
        with CaptureQueriesContext(connection) as captured:
            page = client.get(_detail(two_measures))
        assert page.status_code == 200
        return len(captured), page.content.decode().count("Change this measure")

    two, forms = queries()
    add = MeasureInput(
        action="措施。", owner=staff, deadline=timezone.localdate() + datetime.timedelta(days=30)
    )
    for _ in range(8):
        measure_add(finding=two_measures, data=add, added_by=supervision.inspectors[0], expected_version=None)

    assert forms == 2
    assert queries() == (two, 10)


def test_a_measures_owner_finds_the_problem_on_their_to_do_page_until_they_report_it(
    client, two_measures, staff
):
    client.force_login(staff)
    todo = reverse("responsibility:todo")

    before = client.get(todo).content.decode()
    _report(client, two_measures, 2)
    after = client.get(todo).content.decode()

    assert two_measures.title in before
    assert two_measures.title not in after  # measure 1, the head's, is still open: not theirs


# --- The measure's owner, a role of its own: what they may see and do --------------------------------------

# Measure 2 is theirs and reported (its evidence exists); measure 1 is the head's and open.
OWNER_GETS = {
    "finding-detail": 200,
    "evidence-download": 200,  # the evidence of their measure
    "measure-report": 403,  # the head's measure 1
    "measure-add": 403,
    "rectification-submit": 403,
    "rectification-verify": 403,
    "finding-update": 403,
}


@pytest.mark.parametrize(("page", "expected"), OWNER_GETS.items())
def test_a_measures_owner_reads_the_finding_and_reports_only_their_measure(
    client, two_measures, staff, page, expected
):
    client.force_login(staff)
    _report(client, two_measures, 2)
    evidence = EvidenceFile.objects.get(measure__finding=two_measures)
    pk = two_measures.pk
    requests = {
        "finding-detail": ("get", _detail(two_measures)),
        "evidence-download": ("get", reverse("responsibility:evidence-download", args=[evidence.pk])),
        "measure-report": ("post", reverse("responsibility:measure-report", args=[pk, 1])),
        "measure-add": ("post", reverse("responsibility:measure-add", args=[pk])),
        "rectification-submit": ("post", reverse("responsibility:rectification-submit", args=[pk])),
        "rectification-verify": ("post", reverse("responsibility:rectification-verify", args=[pk])),
        "finding-update": ("get", reverse("responsibility:finding-update", args=[pk])),
    }
    method, url = requests[page]
    before = _state(two_measures)

    response = getattr(client, method)(url)

    assert response.status_code == expected
    assert _state(two_measures) == before


def test_a_measures_evidence_is_404_for_someone_who_cannot_see_the_finding(
    client, two_measures, staff, supervision
):
    client.force_login(staff)
    _report(client, two_measures, 2)
    evidence = EvidenceFile.objects.get(measure__finding=two_measures)
    client.force_login(supervision.org.heads[1])  # head of another committee

    response = client.get(reverse("responsibility:evidence-download", args=[evidence.pk]))

    assert response.status_code == 404
