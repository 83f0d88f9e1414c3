"""The demo's 述责述廉 and 民主测评, after this year's 一岗双责 and talks: the office opened the year's round
three weeks ago (reports due in two weeks); every step runs through the services by the person who would
take it, at a moment of the last days.

- 张祎 (法工委主任): report accepted; 民主测评 by the four people of 法工委 and 法规处, every ballot cast,
  closed: the results are shown (the round publishes from 3 ballots);
- 郑海涛 (办公室主任): report accepted; 民主测评 open for a week, 3 of the office's people have voted, the
  others have their ballot on the to-do page (罗思远 `mishu_ganbu` among them);
- 李振华 (财经委主任): report submitted, awaiting the inspection team's review;
- 马俊 (城环委主任): report returned with a reason;
- 何文静 (研究室主任): a draft saved; everyone else: the draft the system wrote, not yet touched.
"""

import datetime

from accounts.models import User
from core import clock
from responsibility.cadres.models import Grade, IntegrityReport, ReportRound
from responsibility.cadres.selectors import rater_candidate_list_for
from responsibility.cadres.services import (
    ReportText,
    ballot_cast,
    rating_close,
    rating_open,
    report_review,
    report_round_open,
    report_save,
)
from responsibility.demo.moments import demo_moment

OFFICE = "bangongshi_admin"
REVIEWER = "jijian1"
G = Grade

INTEGRITY_TEXT = (
    "严格执行中央八项规定及其实施细则精神，公务接待、公车使用、差旅报销均按规定办理；按时如实报告个人有关"
    "事项，本人及配偶子女无经商办企业情况；教育管理亲属和身边工作人员，未发现违规违纪问题。"
)
SHORTCOMINGS_TEXT = "对分管单位廉政风险点的督促检查还不够经常，下一步每季度专题听取一次汇报，做到抓早抓小。"
# Each rater's ballot, in the order the raters are named (their names sorted): grades per item, a comment.
BALLOTS = (
    ((G.GOOD, G.GOOD, G.GOOD, G.GOOD), "以身作则，严格要求，带头落实一岗双责。"),
    ((G.GOOD, G.FAIRLY_GOOD, G.GOOD, G.GOOD), ""),
    ((G.FAIRLY_GOOD, G.GOOD, G.GOOD, G.FAIRLY_GOOD), "希望多深入处室了解情况，加强日常提醒。"),
    ((G.GOOD, G.GOOD, G.FAIRLY_GOOD, G.GOOD), ""),
)


def demo_cadres_create(*, today: datetime.date, users: dict[str, User]) -> ReportRound:
    """The year's round and its reports in every state (see the module's docstring)."""
    opened_on = max(today - datetime.timedelta(days=21), datetime.date(today.year, 1, 1))
    with clock.at(demo_moment(opened_on, 9)):
        round_ = report_round_open(
            year=today.year,
            title=f"{today.year}年度领导干部述责述廉",
            deadline=today + datetime.timedelta(days=14),
            min_ballots=3,
            opened_by=users[OFFICE],
        )
    reports = {
        report.leader.username: report
        for report in IntegrityReport.objects.filter(round=round_).select_related(
            "leader", "assignment__post"
        )
    }
    written = max(opened_on, today - datetime.timedelta(days=6))
    for number, username in enumerate(("fzw_zhuren", "bgs_zhuren", "cjw_zhuren", "chw_zhuren", "yjs_zhuren")):
        report = reports[username]
        with clock.at(demo_moment(written, 10, number)):
            report = report_save(
                report=report,
                saved_by=report.leader,
                text=ReportText(
                    duties_text=report.duties_text
                    + "\n结合分管工作，全年逐一开展廉政谈话，督促分管单位对照问题清单逐项整改。",
                    integrity_text=INTEGRITY_TEXT,
                    shortcomings_text=SHORTCOMINGS_TEXT,
                ),
                submit=username != "yjs_zhuren",
                expected_version=report.version,
            )
        reports[username] = report
    reviewer = users[REVIEWER]
    reviewed = datetime.timedelta(days=1)
    for number, username in enumerate(("fzw_zhuren", "bgs_zhuren", "chw_zhuren")):
        report = reports[username]
        accept = username != "chw_zhuren"
        with clock.at(demo_moment(written, 15, number) + reviewed):
            reports[username] = report_review(
                report=report,
                reviewed_by=reviewer,
                accept=accept,
                reason="" if accept else "请补充分管单位问题整改情况和本人开展廉政谈话的具体情况。",
                expected_version=report.version,
            )
    office = users[OFFICE]
    rating_day = min(written + datetime.timedelta(days=2), today)
    for username, closes_in, votes, close in (("fzw_zhuren", 3, 4, True), ("bgs_zhuren", 7, 3, False)):
        report = reports[username]
        raters = list(rater_candidate_list_for(report=report))
        with clock.at(demo_moment(rating_day, 9)):
            report = rating_open(
                report=report,
                opened_by=office,
                raters=raters,
                closes_on=today + datetime.timedelta(days=closes_in),
                expected_version=report.version,
            )
        for index, rater in enumerate(raters[:votes]):
            grades, comment = BALLOTS[index % len(BALLOTS)]
            with clock.at(demo_moment(rating_day, 10 + index)):
                ballot_cast(report=report, rater=rater, grades=list(grades), comment=comment)
        if close:
            with clock.at(demo_moment(rating_day, 10 + votes)):
                rating_close(report=report, closed_by=office, expected_version=report.version)
    return round_
