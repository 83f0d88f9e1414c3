"""述责述廉 and 民主测评 through their services: the round, the report's writing and review, the rating, each
ballot and the results; what each refuses, with a clear message and nothing changed."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from responsibility.cadres.audit import cadre_chain_verify
from responsibility.cadres.models import (
    CadreEvent,
    CadreEventKind,
    Grade,
    IntegrityReport,
    RatingBallot,
    RatingResult,
    RatingStatus,
    ReportRound,
    ReportStatus,
)
from responsibility.cadres.services import (
    ReportText,
    ballot_cast,
    rating_close,
    rating_open,
    rating_result_digest,
    rating_result_readable,
    report_review,
    report_round_open,
    report_save,
)
from tests.responsibility.cadres.conftest import (
    CLOSES_ON,
    DEADLINE,
    accepted,
    rating_opened,
    submitted,
)

pytestmark = pytest.mark.django_db

ALL_GOOD = [Grade.GOOD] * 4


def refused(call, **kwargs) -> str:
    with pytest.raises(ApplicationError) as error:
        call(**kwargs)
    return str(error.value)


# --- The round and the reports -------------------------------------------------------------------------


def test_opening_the_round_asks_every_leader_for_a_report_drafted_from_their_year(cadres):
    # then there is one report per assignment, as a draft, its first part listing the year's facts
    reports = IntegrityReport.objects.filter(round=cadres.round)
    assert reports.count() == len(cadres.duties.assignments)
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.DRAFT}
    draft = cadres.report.duties_text
    assert "已完成0期" in draft and "开展经谈话对象确认的廉政谈话0次。" in draft
    assert cadres.report.integrity_text == ""
    [event] = CadreEvent.objects.filter(kind=CadreEventKind.ROUND_OPENED)
    assert event.payload["reports"] == reports.count() and event.actor == cadres.duties.org.office_admin


def test_a_second_round_for_the_year_is_refused(cadres):
    message = refused(
        report_round_open,
        year=2026,
        title="再开",
        deadline=DEADLINE,
        min_ballots=5,
        opened_by=cadres.duties.org.office_admin,
    )
    assert message == "2026年度的述责述廉已经启动。"
    assert ReportRound.objects.count() == 1


def test_a_round_without_duty_assignments_is_refused(cadres):
    message = refused(
        report_round_open,
        year=2027,
        title="2027年度",
        deadline=DEADLINE,
        min_ballots=5,
        opened_by=cadres.duties.org.office_admin,
    )
    assert message == "2027年度尚无一岗双责分工，请先生成年度分工。"


def test_only_the_office_opens_a_round(cadres):
    with pytest.raises(PermissionDenied):
        report_round_open(year=2027, title="x", deadline=DEADLINE, min_ballots=5, opened_by=cadres.head)


def test_a_report_is_written_submitted_returned_and_accepted(cadres):
    inspector = cadres.duties.org.inspector
    report = submitted(cadres.report)
    assert report.status == ReportStatus.SUBMITTED

    report = report_review(
        report=report,
        reviewed_by=inspector,
        accept=False,
        reason="请补充廉政谈话情况。",
        expected_version=report.version,
    )
    assert (report.status, report.return_reason) == (ReportStatus.RETURNED, "请补充廉政谈话情况。")

    report = accepted(report, inspector)
    assert report.status == ReportStatus.ACCEPTED
    kinds = list(CadreEvent.objects.filter(subject=f"report:{report.pk}").values_list("kind", flat=True))
    assert kinds == ["report_submitted", "report_returned", "report_submitted", "report_accepted"]
    assert cadre_chain_verify() is None


def test_an_empty_report_cannot_be_submitted(cadres):
    report = cadres.report
    message = refused(
        report_save,
        report=report,
        saved_by=report.leader,
        text=ReportText(duties_text="有内容", integrity_text=" ", shortcomings_text=""),
        submit=True,
        expected_version=report.version,
    )
    assert message == "请写明履行责任和廉洁自律的情况后再提交。"
    assert IntegrityReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_nobody_writes_another_leader_report(cadres):
    with pytest.raises(PermissionDenied):
        report_save(
            report=cadres.report,
            saved_by=cadres.duties.org.heads[1],
            text=ReportText("a", "b", ""),
            submit=False,
            expected_version=None,
        )


def test_an_accepted_report_no_longer_changes(cadres):
    report = accepted(cadres.report, cadres.duties.org.inspector)
    message = refused(
        report_save,
        report=report,
        saved_by=report.leader,
        text=ReportText("a", "b", ""),
        submit=False,
        expected_version=report.version,
    )
    assert message == "该报告已通过：不能再修改。"


def test_a_return_needs_its_reason(cadres):
    report = submitted(cadres.report)
    message = refused(
        report_review,
        report=report,
        reviewed_by=cadres.duties.org.inspector,
        accept=False,
        reason="",
        expected_version=report.version,
    )
    assert message == "请填写退回该报告的原因。"


# --- The rating ---------------------------------------------------------------------------------------------


def test_the_leader_is_never_a_rater_and_an_unaccepted_report_is_not_rated(cadres):
    office = cadres.duties.org.office_admin
    assert cadres.head not in cadres.raters and len(cadres.raters) == 6
    message = refused(
        rating_open,
        report=cadres.report,
        opened_by=office,
        raters=cadres.raters,
        closes_on=CLOSES_ON,
        expected_version=None,
    )
    assert message == "只有已通过的报告才进行民主测评。"
    report = accepted(cadres.report, cadres.duties.org.inspector)
    message = refused(
        rating_open,
        report=report,
        opened_by=office,
        raters=[cadres.head],
        closes_on=CLOSES_ON,
        expected_version=None,
    )
    assert message == "测评人应为该领导干部分管单位的人员，不能是本人。"
    assert not RatingBallot.objects.exists()


def test_each_rater_casts_one_ballot_and_the_results_are_added_up(cadres):
    report = rating_opened(cadres)
    first, second, third = cadres.raters[:3]

    ballot_cast(report=report, rater=first, grades=ALL_GOOD, comment="工作扎实。")
    ballot_cast(report=report, rater=second, grades=[Grade.FAIRLY_GOOD, Grade.GOOD, Grade.GOOD, Grade.FAIR])
    ballot_cast(report=report, rater=third, grades=ALL_GOOD, comment="希望多深入基层。")

    result = RatingResult.objects.get(report=report)
    assert result.ballots == 3
    assert result.tallies[0] == {"good": 2, "fairly_good": 1, "fair": 0, "poor": 0}
    assert result.tallies[3] == {"good": 2, "fairly_good": 0, "fair": 1, "poor": 0}
    assert sorted(result.comments) == sorted(["工作扎实。", "希望多深入基层。"])
    assert RatingBallot.objects.filter(report=report, spent=True).count() == 3


def test_a_second_ballot_from_one_rater_is_refused(cadres):
    report = rating_opened(cadres)
    ballot_cast(report=report, rater=cadres.raters[0], grades=ALL_GOOD)
    message = refused(ballot_cast, report=report, rater=cadres.raters[0], grades=[Grade.POOR] * 4)
    assert message == "您已对该领导干部投过票。"
    assert RatingResult.objects.get(report=report).ballots == 1


def test_someone_not_named_cannot_vote(cadres):
    report = rating_opened(cadres, raters=cadres.raters[:2])
    with pytest.raises(PermissionDenied):
        ballot_cast(report=report, rater=cadres.raters[2], grades=ALL_GOOD)
    with pytest.raises(PermissionDenied):
        ballot_cast(report=report, rater=cadres.head, grades=ALL_GOOD)


def test_a_ballot_after_the_rating_closed_is_refused(cadres):
    report = rating_opened(cadres)
    report = rating_close(
        report=report, closed_by=cadres.duties.org.office_admin, expected_version=report.version
    )
    assert (
        refused(ballot_cast, report=report, rater=cadres.raters[0], grades=ALL_GOOD)
        == "测评已结束，不再接受投票。"
    )


def test_a_ballot_after_the_closing_day_is_refused(cadres):
    report = rating_opened(cadres)
    with time_machine.travel(
        datetime.datetime.combine(CLOSES_ON + datetime.timedelta(days=1), datetime.time(9))
    ):
        message = refused(ballot_cast, report=report, rater=cadres.raters[0], grades=ALL_GOOD)
    assert message == "测评已结束，不再接受投票。"
    assert RatingResult.objects.get(report=report).ballots == 0


@pytest.mark.parametrize(
    "grades", [[Grade.GOOD] * 3, ["excellent"] * 4], ids=["an item missing", "no such grade"]
)
def test_a_ballot_that_does_not_rate_every_item_is_refused(cadres, grades):
    report = rating_opened(cadres)
    assert (
        refused(ballot_cast, report=report, rater=cadres.raters[0], grades=grades)
        == "请对每一项作出评价：好、较好、一般或差。"
    )
    assert not RatingBallot.objects.get(report=report, rater=cadres.raters[0]).spent


def test_results_are_withheld_below_the_minimum_and_shown_above_it(cadres):
    office = cadres.duties.org.office_admin
    report = rating_opened(cadres)
    for rater in cadres.raters[:2]:
        ballot_cast(report=report, rater=rater, grades=ALL_GOOD)
    assert not rating_result_readable(report)  # open

    report = rating_close(report=report, closed_by=office, expected_version=report.version)
    assert report.rating_status == RatingStatus.CLOSED
    assert not rating_result_readable(IntegrityReport.objects.get(pk=report.pk))  # 2 < 3

    other = IntegrityReport.objects.exclude(pk=report.pk).get(leader=cadres.duties.org.staff[0])
    assert other.status == ReportStatus.DRAFT


def test_a_closed_rating_records_the_digest_of_its_result(cadres):
    office = cadres.duties.org.office_admin
    report = rating_opened(cadres)
    for rater in cadres.raters[:3]:
        ballot_cast(report=report, rater=rater, grades=ALL_GOOD)
    report = rating_close(report=report, closed_by=office, expected_version=report.version)

    event = CadreEvent.objects.get(kind=CadreEventKind.RATING_CLOSED)
    assert event.digest == rating_result_digest(RatingResult.objects.get(report=report))
    assert event.payload == {"ballots": 3, "raters": 6}
    assert rating_result_readable(IntegrityReport.objects.select_related("round").get(pk=report.pk))
