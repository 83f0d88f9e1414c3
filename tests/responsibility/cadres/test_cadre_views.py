"""The 述责述廉 pages as their users meet them: opening a round with bad input, writing and submitting,
the results withheld or shown (never to a rater), a ballot refused, and the round page's fixed queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import PostKind
from responsibility.cadres.models import Grade, IntegrityReport, RatingResult, ReportRound, ReportStatus
from responsibility.cadres.services import ballot_cast, rating_close, report_round_open
from responsibility.duties.services.assignments import duty_assignments_generate
from tests.factories import PostFactory
from tests.responsibility.cadres.conftest import rating_opened

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "2026"}, "2026年度的述责述廉已经启动。"),
        ({"year": "2027"}, "2027年度尚无一岗双责分工，请先生成年度分工。"),
        ({"year": "2028", "deadline": "2020-01-01"}, "截止日期不能早于今天。"),
        ({"year": "2028", "min_ballots": "0"}, "确保该值大于或等于1。"),
    ],
    ids=["year taken", "no assignments", "deadline past", "no minimum"],
)
def test_a_refused_round_says_why_and_opens_nothing(client, cadres, data, message):
    client.force_login(cadres.duties.org.office_admin)
    form = {"year": "2028", "title": "年度述责述廉", "deadline": "2026-12-31", "min_ballots": "5", **data}

    response = client.post(reverse("responsibility:report-round-list"), form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ReportRound.objects.count() == 1


def test_the_leader_saves_then_submits_the_report(client, cadres):
    client.force_login(cadres.head)
    url = reverse("responsibility:integrity-report-save", args=[cadres.report.pk])
    text = {"duties_text": "履责情况。", "integrity_text": "", "shortcomings_text": ""}

    saved = client.post(url, {**text, "version": cadres.report.version, "save": ""})
    refused = client.post(url, {**text, "version": cadres.report.version + 1, "submit": ""})
    done = client.post(
        url, {**text, "integrity_text": "廉洁。", "version": cadres.report.version + 1, "submit": ""}
    )

    assert saved.status_code == 302
    assert refused.status_code == 400
    assert "请写明履行责任和廉洁自律的情况后再提交。" in refused.content.decode()
    assert done.status_code == 302
    assert IntegrityReport.objects.get(pk=cadres.report.pk).status == ReportStatus.SUBMITTED


def close_with(cadres, ballots: int) -> IntegrityReport:
    report = rating_opened(cadres)
    for rater in cadres.raters[:ballots]:
        ballot_cast(report=report, rater=rater, grades=[Grade.GOOD] * 4, comment=f"意见{rater.pk}")
    return rating_close(
        report=report, closed_by=cadres.duties.org.office_admin, expected_version=report.version
    )


def test_results_below_the_minimum_are_withheld(client, cadres):
    report = close_with(cadres, 2)
    client.force_login(cadres.head)

    page = client.get(reverse("responsibility:integrity-report-detail", args=[report.pk])).content.decode()

    assert "投票数少于3张，为避免推知个人投票，不显示测评结果。" in page
    assert f"意见{cadres.raters[0].pk}" not in page


def test_results_are_shown_to_the_leader_and_never_to_a_rater(client, cadres):
    report = close_with(cadres, 3)
    url = reverse("responsibility:integrity-report-detail", args=[report.pk])

    client.force_login(cadres.head)
    leader_page = client.get(url).content.decode()
    client.force_login(cadres.raters[0])
    rater_response = client.get(url)

    assert "好和较好" in leader_page and "100%" in leader_page
    assert f"意见{cadres.raters[0].pk}" in leader_page
    assert rater_response.status_code == 404  # the rating closed: the report is no longer theirs to read


def test_a_ballot_with_an_item_unrated_counts_nothing(client, cadres):
    report = rating_opened(cadres)
    client.force_login(cadres.raters[0])

    response = client.post(
        reverse("responsibility:rating-ballot", args=[report.pk]),
        {"item_0": "good", "item_1": "good", "item_2": "good"},
    )

    assert response.status_code == 400
    assert "请对本项作出评价。" in response.content.decode()
    assert RatingResult.objects.get(report=report).ballots == 0


def test_a_second_visit_to_a_spent_ballot_says_so(client, cadres):
    report = rating_opened(cadres)
    rater = cadres.raters[0]
    ballot_cast(report=report, rater=rater, grades=[Grade.GOOD] * 4)
    client.force_login(rater)

    response = client.post(
        reverse("responsibility:rating-ballot", args=[report.pk]),
        {"item_0": "poor", "item_1": "poor", "item_2": "poor", "item_3": "poor"},
        follow=True,
    )

    assert "您已对该领导干部投过票，谢谢。" in response.content.decode()
    assert RatingResult.objects.get(report=report).tallies[0]["poor"] == 0


def test_the_round_page_runs_the_same_queries_for_few_and_many_reports(client, cadres):
    # given a second year with five more leaders than the first, its rating opened on one report
    org = cadres.duties.org
    for _ in range(5):
        PostFactory(kind=PostKind.UNIT_HEAD)
    duty_assignments_generate(year=2027, generated_by=org.office_admin)
    later = report_round_open(
        year=2027,
        title="2027年度",
        deadline=datetime.date(2027, 6, 30),
        min_ballots=3,
        opened_by=org.office_admin,
    )
    rating_opened(cadres)
    assert later.reports.count() == cadres.round.reports.count() + 5

    def queries(round_) -> int:
        client.force_login(org.inspector)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("responsibility:report-round-list"), {"round": round_.pk})
        assert page.status_code == 200
        return len(captured)

    assert queries(cadres.round) == queries(later)


def test_the_leader_does_not_see_who_voted_and_the_team_does(client, cadres):
    report = close_with(cadres, 3)
    url = reverse("responsibility:integrity-report-detail", args=[report.pk])
    voter = cadres.raters[0].get_full_name()

    client.force_login(cadres.head)
    leader_page = client.get(url).content.decode()
    client.force_login(cadres.duties.org.inspector)
    team_page = client.get(url).content.decode()

    assert "一名测评人已投票。" not in leader_page and voter not in leader_page
    assert "一名测评人已投票。" in team_page and voter in team_page
