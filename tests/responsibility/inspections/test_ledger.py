"""The ledger's reads: who sees which findings, the filters, the counts, the lights and the trend."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from core.deadlines import TrafficLight
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.ledger import (
    LedgerFilters,
    category_counts,
    ledger_batch_choices,
    ledger_findings,
    ledger_findings_ordered,
    ledger_rows,
    ledger_source_choices,
    ledger_unit_choices,
    list_groups,
    trend_points,
    unit_groups,
)
from responsibility.supervision.ledger_counts import FindingsCounts, LedgerCounts, trend_days
from responsibility.supervision.models import Rectification
from responsibility.supervision.selectors import finding_list_visible_to
from responsibility.supervision.services.draws import spot_check_draw
from tests.responsibility.inspections.conftest import draw_input
from tests.responsibility.inspections.ledger_helpers import ledger_scenario, move, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(supervision, drawn):
    return ledger_scenario(supervision, drawn)


def _titles(findings) -> set[str]:
    return {finding.title for finding in findings}


def _today():
    return timezone.localdate()


# --- who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["inspector", "office_admin", "secretary"])
def test_readers_of_the_whole_ledger_see_every_finding(supervision, scenario, who):
    user = getattr(supervision.org, who)

    findings = ledger_findings(user=user, today=_today())

    assert findings.count() == 7


def test_a_unit_head_sees_only_the_findings_of_their_unit(supervision, scenario):
    # given the head of 教育科学文化卫生委员会
    head = supervision.heads[scenario.other.unit_id]

    # when
    findings = ledger_findings(user=head, today=_today())

    # then only the two findings against their unit, and the filter choices name only it
    assert _titles(findings) == {"制度汇编未更新", "述责述廉报告未提交"}
    assert FindingsCounts(findings=findings, today=_today()).summary().total == 2
    assert [
        group.name for group in unit_groups(FindingsCounts(findings=findings, today=_today()).by_unit())
    ] == ["教育科学文化卫生委员会"]
    visible = finding_list_visible_to(user=head)
    assert list(ledger_unit_choices(findings=visible)) == [scenario.other.unit]
    assert list(ledger_batch_choices(findings=visible, reads_all=False)) == [supervision.plan.batch]
    # asked the way a reader of the whole ledger is asked, the same findings name the same list
    assert list(ledger_batch_choices(findings=visible, reads_all=True)) == [supervision.plan.batch]
    assert [source.code for source in ledger_source_choices(findings=visible)] == ["supervision"]


def test_a_list_chosen_is_offered_only_when_it_holds_a_finding_the_reader_may_read(
    supervision, scenario, list_problem
):
    # given a problem list with one problem of another committee, and the head of 教育科学文化卫生委员会
    head = supervision.heads[scenario.other.unit_id]
    assert list_problem.unit_id != scenario.other.unit_id
    theirs, not_theirs = supervision.plan.batch, list_problem.batch

    # when a list's page links to each list
    def offered(user, chosen, reads_all):
        visible = finding_list_visible_to(user=user)
        return list(ledger_batch_choices(findings=visible, reads_all=reads_all, chosen=chosen.pk))

    # then the head is offered their plan's list whichever is chosen, never the other
    assert offered(head, not_theirs, reads_all=False) == [theirs]
    assert offered(head, theirs, reads_all=False) == [theirs]
    # and a reader of the whole ledger is offered both
    assert set(offered(supervision.org.inspector, not_theirs, reads_all=True)) == {theirs, not_theirs}


def test_somebody_who_answers_for_nothing_sees_an_empty_ledger(supervision, scenario):
    user = supervision.org.outsider

    findings = ledger_findings(user=user, today=_today())

    assert findings.count() == 0
    assert FindingsCounts(findings=findings, today=_today()).summary() == LedgerCounts()
    assert unit_groups(FindingsCounts(findings=findings, today=_today()).by_unit()) == []
    assert not ledger_batch_choices(findings=finding_list_visible_to(user=user), reads_all=False).exists()
    assert not ledger_source_choices(findings=finding_list_visible_to(user=user)).exists()


# --- counts ---------------------------------------------------------------------------------------


def test_the_summary_counts_every_state_overdue_and_due_soon(supervision, scenario):
    # given the seven findings (the sent-back one is open again) plus one sent back
    move(record(scenario.committee, title="整改台账不全"), "sent_back", supervision=supervision)
    findings = ledger_findings(user=supervision.org.inspector, today=_today())

    # when
    summary = FindingsCounts(findings=findings, today=_today()).summary()

    # then
    assert summary == LedgerCounts(total=8, open=4, submitted=2, verified=1, closed=1, overdue=2, due_soon=1)
    assert summary.unfinished == 6
    assert summary.closure_rate == 12.5  # 1 of 8 ticked off
    assert summary.done_rate == 25.0  # verified or closed: 2 of 8


def test_counts_by_unit_follow_the_organisation_and_add_up(supervision, scenario):
    findings = ledger_findings(user=supervision.org.inspector, today=_today())

    by_unit = {
        group.name: group.counts
        for group in unit_groups(FindingsCounts(findings=findings, today=_today()).by_unit())
    }

    assert by_unit == {
        "法制工作委员会": LedgerCounts(total=5, open=3, submitted=1, verified=1, overdue=1, due_soon=1),
        "教育科学文化卫生委员会": LedgerCounts(total=2, submitted=1, closed=1, overdue=1),
    }
    assert by_unit["法制工作委员会"].closure_rate == 0.0
    assert by_unit["法制工作委员会"].done_rate == 20.0
    assert by_unit["教育科学文化卫生委员会"].closure_rate == 50.0


@pytest.mark.parametrize("named_by_id", [0, 200])
def test_counts_by_problem_list_keep_the_plans_lists_apart(
    supervision, scenario, problem_list, django_assert_num_queries, monkeypatch, named_by_id
):
    """Whether the lists are asked by id or picked from every list (a list with no finding, the
    fixture's democratic life meeting list, is not one of them)."""
    from responsibility.supervision import ledger
    from responsibility.supervision.services.plans import PlanInput, inspection_plan_create

    monkeypatch.setattr(ledger, "NAMED_BY_ID", named_by_id)
    # given a second plan over the same units with one open finding

    second = inspection_plan_create(
        data=PlanInput(
            year=2026,
            title="2026年度作风建设专项检查",
            description="",
            period_start=datetime.date(2026, 3, 1),
            period_end=datetime.date(2026, 12, 31),
            scope=supervision.units,
            team=supervision.inspectors,
        ),
        created_by=supervision.org.inspector,
    )
    draw = spot_check_draw(plan=second, data=draw_input(requested=5), drawn_by=supervision.inspectors[0])
    record(draw.inspections.get(unit=scenario.committee.unit), title="专项检查问题")
    findings = ledger_findings(user=supervision.org.inspector, today=_today())

    # when (the counts, then the lists' titles)
    with django_assert_num_queries(2):
        lists = list_groups(FindingsCounts(findings=findings, today=_today()).by_batch())
    by_batch = lists.by_batch

    # then: each plan's list, under the plan's title, and both under their source
    assert [(group.name, group.counts.total, group.counts.open) for group in by_batch] == [
        ("2026年度作风建设专项检查", 1, 1),
        ("2026年度党风廉政建设责任制监督检查", 7, 3),
    ]
    assert [(group.name, group.counts.total, group.counts.open) for group in lists.by_source] == [
        ("监督检查", 8, 4)
    ]


def test_counts_by_category_list_every_category(supervision, scenario):
    findings = ledger_findings(user=supervision.org.inspector, today=_today())
    committee_category = scenario.findings["green"].category

    counts = {
        item.category: item.count
        for item in category_counts(FindingsCounts(findings=findings, today=_today()).by_category())
    }

    assert set(counts) == set(ClauseCategory)
    assert counts[ClauseCategory.RULES] == 2 + (5 if committee_category == ClauseCategory.RULES else 0)
    assert counts[committee_category] == 5 + (2 if committee_category == ClauseCategory.RULES else 0)
    assert sum(counts.values()) == 7


@pytest.mark.parametrize("extra", [0, 6])
def test_each_aggregate_is_one_query_whatever_the_number_of_findings(
    supervision, scenario, extra, django_assert_num_queries
):
    for number in range(extra):
        move(
            record(scenario.other, title=f"问题{number}", category="rules"),
            "submitted",
            supervision=supervision,
        )
    findings = ledger_findings(user=supervision.org.inspector, today=_today())

    counted = FindingsCounts(findings=findings, today=_today())

    for read in (
        counted.summary,
        counted.by_unit,
        counted.by_batch,
        counted.by_category,
        counted.overdue_trend,
    ):
        with django_assert_num_queries(1):
            read()


# --- filters and order ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (LedgerFilters(state="submitted"), {"公务接待超标准", "述责述廉报告未提交"}),
        (LedgerFilters(state="closed"), {"制度汇编未更新"}),
        (LedgerFilters(light="red"), {"廉政风险点排查未更新", "述责述廉报告未提交"}),
        (LedgerFilters(light="yellow"), {"谈心谈话记录不全"}),
        (LedgerFilters(light="green"), {"党组会议未专题研究党风廉政建设", "公务接待超标准"}),
        (LedgerFilters(light="done"), {"公车使用登记不全", "制度汇编未更新"}),
        (LedgerFilters(severity="serious"), {"公务接待超标准"}),
        (LedgerFilters(category="rules", light="red"), {"述责述廉报告未提交"}),
        (LedgerFilters(q="公车"), {"公车使用登记不全"}),
        (LedgerFilters(q="不存在的问题"), set()),
    ],
)
def test_filters_narrow_the_ledger(supervision, scenario, filters, expected):
    findings = ledger_findings(user=supervision.org.inspector, filters=filters, today=_today())

    assert _titles(findings) == expected


def test_the_unit_and_problem_list_filters(supervision, scenario):
    inspector = supervision.org.inspector

    by_unit = ledger_findings(
        user=inspector, filters=LedgerFilters(unit_id=scenario.other.unit_id), today=_today()
    )
    by_batch = ledger_findings(
        user=inspector, filters=LedgerFilters(batch_id=supervision.plan.batch.pk), today=_today()
    )
    other_batch = ledger_findings(user=inspector, filters=LedgerFilters(batch_id=-1), today=_today())
    by_source = ledger_findings(
        user=inspector, filters=LedgerFilters(source_id=supervision.plan.batch.source_id), today=_today()
    )
    other_source = ledger_findings(user=inspector, filters=LedgerFilters(source_id=-1), today=_today())

    assert _titles(by_unit) == {"制度汇编未更新", "述责述廉报告未提交"}
    assert by_batch.count() == by_source.count() == 7
    assert other_batch.count() == other_source.count() == 0


def test_filters_never_widen_what_a_unit_head_sees(supervision, scenario):
    head = supervision.heads[scenario.other.unit_id]

    findings = ledger_findings(
        user=head, filters=LedgerFilters(unit_id=scenario.committee.unit_id), today=_today()
    )

    assert findings.count() == 0


def test_the_list_is_red_first_then_by_deadline_and_lights_match_the_model(supervision, scenario):
    findings = ledger_findings(user=supervision.org.inspector, today=_today())

    rows = list(ledger_rows(ledger_findings_ordered(findings=findings, today=_today())))

    assert [row.finding.title for row in rows[:2]] == [
        "述责述廉报告未提交",
        "廉政风险点排查未更新",
    ]  # 5, then 2 days late
    assert [row.light for row in rows] == sorted(
        (row.light for row in rows),
        key=[TrafficLight.RED, TrafficLight.YELLOW, TrafficLight.GREEN, TrafficLight.DONE].index,
    )
    for row in rows:
        assert row.light == row.finding.rectification.light(_today())


# --- the overdue trend ----------------------------------------------------------------------------


def test_trend_days_end_each_week_on_sunday_and_this_week_today():
    wednesday = datetime.date(2026, 5, 13)

    days = trend_days(today=wednesday, weeks=3)

    assert days == [datetime.date(2026, 5, 3), datetime.date(2026, 5, 10), wednesday]


def test_the_overdue_trend_counts_unfinished_rectifications_past_their_deadline_each_week(
    supervision, committee_inspection
):
    zone = timezone.get_current_timezone()
    # given, on Monday 4 May 2026, two findings due on Friday 8 May
    with time_machine.travel(datetime.datetime(2026, 5, 4, 10, 0, tzinfo=zone)):
        late = record(committee_inspection, title="逾期未整改", days=4)
        fixed = record(committee_inspection, title="逾期后整改", days=4)
    # one is submitted and verified on Wednesday 13 May; the other is never fixed
    with time_machine.travel(datetime.datetime(2026, 5, 13, 9, 0, tzinfo=zone)):
        move(fixed, "verified", supervision=supervision)

    # when, on Tuesday 19 May, the trend of the last four weeks is drawn
    today = datetime.date(2026, 5, 19)
    findings = ledger_findings(user=supervision.org.inspector, today=today)
    trend = trend_points(
        today=today, overdue=FindingsCounts(findings=findings, today=today).overdue_trend(weeks=4)
    )

    # then
    assert [(point.day, point.overdue) for point in trend] == [
        (datetime.date(2026, 5, 3), 0),  # not yet recorded
        (datetime.date(2026, 5, 10), 2),  # both past Friday's deadline
        (datetime.date(2026, 5, 17), 1),  # the verified one stopped counting on Wednesday
        (today, 1),  # this week so far
    ]
    assert Rectification.objects.filter(finding=late).overdue(today).count() == trend[-1].overdue


def test_the_overdue_trend_counts_a_rectification_from_the_day_after_its_deadline(
    supervision, committee_inspection
):
    zone = timezone.get_current_timezone()
    with time_machine.travel(datetime.datetime(2026, 5, 4, 10, 0, tzinfo=zone)):
        record(committee_inspection, title="周日到期", days=6)  # due Sunday 10 May

    findings = ledger_findings(user=supervision.org.inspector, today=datetime.date(2026, 5, 11))
    today = datetime.date(2026, 5, 11)
    trend = trend_points(
        today=today, overdue=FindingsCounts(findings=findings, today=today).overdue_trend(weeks=2)
    )

    # yellow on its last day (as the traffic light shows it), red the next
    assert [(point.day, point.overdue) for point in trend] == [
        (datetime.date(2026, 5, 10), 0),
        (datetime.date(2026, 5, 11), 1),
    ]


@pytest.mark.parametrize("named_by_id", [0, 200])
def test_units_are_named_in_organisation_order_whether_asked_by_id_or_picked_from_every_unit(
    supervision, scenario, monkeypatch, named_by_id
):
    from accounts.models import OrgUnit
    from responsibility.supervision import ledger

    monkeypatch.setattr(ledger, "NAMED_BY_ID", named_by_id)
    findings = ledger_findings(user=supervision.org.inspector, today=_today())
    counts = FindingsCounts(findings=findings, today=_today()).by_unit()

    groups = unit_groups(counts)

    assert [(group.pk, group.name) for group in groups] == list(
        OrgUnit.objects.filter(pk__in=counts).order_by("sort_order", "code").values_list("pk", "name")
    )
    assert len(groups) == 2 < OrgUnit.objects.count()
    assert [group.counts.total for group in groups] == [counts[group.pk].total for group in groups]
