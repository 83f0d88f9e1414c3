"""Each indicator on hand-built data, reached through the services, with the figures worked out here; and
the records it names for a unit are exactly those it counted."""

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from responsibility.assessment.indicators import INDICATORS, IndicatorValue
from responsibility.assessment.models import SchemeItem
from responsibility.letters.services.letters import letter_sign, letter_void
from responsibility.supervision.models import (
    BUILTIN_PROBLEM_SOURCES,
    Finding,
    ProblemSource,
    ProblemSourceCode,
    RecheckOutcome,
)
from responsibility.supervision.services.problems import problem_batch_open, problem_record
from responsibility.supervision.services.rechecks import (
    RecheckFinding,
    RecheckInput,
    recheck_draw,
    recheck_result_record,
)
from tests.conftest import attestation_for
from tests.responsibility.inspections.conftest import batch_input, problem_input, problem_ticked_off
from tests.responsibility.inspections.ledger_helpers import ledger_scenario, move

pytestmark = pytest.mark.django_db

MID_YEAR = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)


def _values(code: str, year: int = 2026) -> dict[int, IndicatorValue]:
    return INDICATORS[code].values(year)


def _records(code: str, unit_id: int, year: int = 2026) -> list[int]:
    return sorted(INDICATORS[code].records(unit_id, year).values_list("pk", flat=True))


def records_agree_with_values(code: str, year: int = 2026) -> None:
    """For every unit counted, the records listed are those counted: as many as were due (a rate) or
    counted (a count), and those marked done are as many as were done."""
    indicator = INDICATORS[code]
    values = indicator.values(year)
    assert values, "nothing counted: the check would prove nothing"
    for unit_id, value in values.items():
        records = list(indicator.records(unit_id, year))
        if value.count:
            assert len(records) == value.count
        else:
            assert len(records) == value.due
            assert sum(bool(record.counted_done) for record in records) == value.done


# --- Letters signed on time ---


def test_letters_signed_by_the_deadline_count_and_those_signed_after_or_never_do_not(org, issued_letters):
    first, second = issued_letters  # to the heads of 法制工作委员会 and 财政经济工作委员会, due 2026-12-31
    with time_machine.travel(datetime.datetime(2026, 12, 31, 15, 0, tzinfo=datetime.UTC)):  # 23:00 in Beijing
        letter_sign(letter=first, signed_by=first.signer, attestation=attestation_for(first))
    with time_machine.travel(datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC)):  # 00:30 on 1 Jan
        letter_sign(letter=second, signed_by=second.signer, attestation=attestation_for(second))

    values = _values("letters_signed_on_time")

    assert values[first.signer_unit_id] == IndicatorValue(done=1, due=1)
    assert values[second.signer_unit_id] == IndicatorValue(done=0, due=1)
    assert values[first.signer_unit_id].rate == 100 and values[second.signer_unit_id].rate == 0
    assert _records("letters_signed_on_time", first.signer_unit_id) == [first.pk]
    records_agree_with_values("letters_signed_on_time")


def test_a_voided_letter_is_not_due_and_another_year_counts_nothing(org, issued_letters):
    first, second = issued_letters
    letter_void(letter=second, voided_by=org.office_admin, reason="签订对象调整。")

    values = _values("letters_signed_on_time")

    assert values == {first.signer_unit_id: IndicatorValue(done=0, due=1)}
    assert _records("letters_signed_on_time", second.signer_unit_id) == []
    assert _values("letters_signed_on_time", year=2025) == {}


# --- Problems rectified on time ---


@pytest.fixture
def mid_year():
    with time_machine.travel(MID_YEAR, tick=False):
        yield


def test_problems_verified_by_their_deadline_count_of_those_due_in_the_year(mid_year, supervision, drawn):
    # given, on 15 June: 法制工作委员会 with five problems due in 2026 (green 7-15, yellow 6-18, red 6-13,
    # submitted 7-15, verified 7-15 on 6-15), and the other committee's two (closed: verified 6-15, due
    # 7-15; submitted, due 6-10)
    scenario = ledger_scenario(supervision, drawn)
    committee, other = scenario.committee.unit_id, scenario.other.unit_id
    # when the red one, two days late, is verified today: after its deadline
    move(scenario.findings["red"], "verified", supervision=supervision)

    values = _values("problems_rectified_on_time")

    assert values[committee] == IndicatorValue(done=1, due=5)
    assert values[other] == IndicatorValue(done=1, due=2)
    assert values[committee].rate == 20 and values[other].rate == 50
    assert _records("problems_rectified_on_time", committee) == sorted(
        Finding.objects.filter(unit_id=committee).values_list("pk", flat=True)
    )
    assert _values("problems_rectified_on_time", year=2027) == {}

    records_agree_with_values("problems_rectified_on_time")


# --- Problems by source, and closed ---


def _audit_problems(scenario, supervision) -> tuple[Finding, Finding]:
    """Two problems of an audit's list in the first committee, due in 30 days: one ticked off today
    (its measure reported, verified and closed), one still open."""
    audit = ProblemSource.objects.get(code=ProblemSourceCode.AUDIT)
    office = supervision.org.office_admin
    batch = problem_batch_open(
        data=batch_input(source=audit, title="2025年度经济责任审计发现问题"), opened_by=office
    )
    unit = scenario.committee.unit
    done, still_open = (
        problem_record(
            batch=batch, data=problem_input(unit, title=title, evidence_required=False), recorded_by=office
        )
        for title in ("公务支出审批不规范", "固定资产台账不全")
    )
    problem_ticked_off(done, by=supervision.outside_inspector)
    return done, still_open


def test_problems_are_counted_over_every_source_or_over_one(mid_year, supervision, drawn):
    # given the ledger's inspection findings (the committee: 1 of 5 verified on time, none closed; the
    # other committee: 1 of 2, closed) and the committee's two audit problems, one ticked off today
    scenario = ledger_scenario(supervision, drawn)
    committee, other = scenario.committee.unit_id, scenario.other.unit_id
    done, still_open = _audit_problems(scenario, supervision)

    # then over every source the audit's count with the inspections'
    assert _values("problems_rectified_on_time")[committee] == IndicatorValue(done=2, due=7)
    # and over one source, only its own
    assert _values("problems_rectified_on_time.audit") == {committee: IndicatorValue(done=1, due=2)}
    assert _values("problems_rectified_on_time.supervision") == {
        committee: IndicatorValue(done=1, due=5),
        other: IndicatorValue(done=1, due=2),
    }
    assert _values("problems_rectified_on_time.democratic_life") == {}
    assert _records("problems_rectified_on_time.audit", committee) == sorted([done.pk, still_open.pk])
    # closed (销号): the other committee's closed inspection finding, the committee's audit problem
    assert _values("problems_closed") == {
        committee: IndicatorValue(done=1, due=7),
        other: IndicatorValue(done=1, due=2),
    }
    assert _values("problems_closed.audit") == {committee: IndicatorValue(done=1, due=2)}
    for code in ("problems_rectified_on_time.audit", "problems_closed", "problems_closed.supervision"):
        records_agree_with_values(code)


def test_a_problem_closed_after_its_year_ended_is_not_closed_in_that_year(supervision, drawn):
    with time_machine.travel(MID_YEAR, tick=False):
        scenario = ledger_scenario(supervision, drawn)
    committee, other = scenario.committee.unit_id, scenario.other.unit_id
    with time_machine.travel(datetime.datetime(2027, 1, 5, 2, 0, tzinfo=datetime.UTC), tick=False):
        move(scenario.findings["green"], "closed", supervision=supervision)  # due 15 July 2026

        values = _values("problems_closed", year=2026)

    assert values[committee] == IndicatorValue(done=0, due=5)
    assert values[other] == IndicatorValue(done=1, due=2)  # closed on 15 June 2026


def test_every_source_every_installation_has_has_its_indicators_named_for_it():
    codes = [code for code in INDICATORS if "." in code]
    assert len(codes) == 3 * len(BUILTIN_PROBLEM_SOURCES)
    assert max(map(len, INDICATORS)) <= SchemeItem._meta.get_field("indicator").max_length
    # a rate names its records' outcomes (按期整改, 未销号 …), a count does not
    assert all(
        (indicator.outcomes is None) == (indicator.kind == "count") for indicator in INDICATORS.values()
    )
    with translation.override("zh-hans"):
        assert str(INDICATORS["problems_closed.inspection_tour"].name) == "问题整改销号率（巡视巡察）"
        assert [str(word) for word in INDICATORS["problems_closed.audit"].outcomes] == ["已销号", "未销号"]
        assert str(INDICATORS["recheck_failures.audit"].definition).endswith("仅统计来源为“审计”的问题。")


def test_rechecks_that_opened_a_problem_again_are_counted_for_its_unit(mid_year, supervision, drawn):
    scenario = ledger_scenario(supervision, drawn)
    member = supervision.inspectors[0]
    closed = [
        move(Finding.objects.get(pk=scenario.findings[name].pk), "closed", supervision=supervision)
        for name in ("green", "yellow")
    ]
    recheck = recheck_draw(
        data=RecheckInput(
            title="2026年度回头看",
            batches=[closed[0].batch],
            closed_from=None,
            closed_to=None,
            requested=3,
            public_value="20260615",
        ),
        drawn_by=member,
    )
    drawn_findings = {finding.pk: finding for finding in Finding.objects.filter(pk__in=recheck.result)}
    outcomes = [RecheckOutcome.INADEQUATE, RecheckOutcome.CONFIRMED, RecheckOutcome.FALSE]
    failed = []
    for finding_id, outcome in zip(recheck.result, outcomes, strict=True):
        reopening = outcome != RecheckOutcome.CONFIRMED
        recheck_result_record(
            recheck=recheck,
            finding=drawn_findings[finding_id],
            data=RecheckFinding(
                outcome=outcome,
                reason="台账未更新。" if reopening else "",
                deadline=timezone.localdate() + datetime.timedelta(days=20) if reopening else None,
            ),
            recorded_by=member,
        )
        if reopening:
            failed.append(drawn_findings[finding_id])

    values = _values("recheck_failures")

    expected: dict[int, int] = {}
    for finding in failed:
        expected[finding.unit_id] = expected.get(finding.unit_id, 0) + 1
    assert {unit: value.count for unit, value in values.items()} == expected
    assert sum(expected.values()) == 2
    unit = failed[0].unit_id
    assert len(_records("recheck_failures", unit)) == expected[unit]
    assert _values("recheck_failures", year=2025) == {}
    records_agree_with_values("recheck_failures")
    # all of them inspection findings: the same over that source, none over another
    assert _values("recheck_failures.supervision") == values and _values("recheck_failures.audit") == {}
