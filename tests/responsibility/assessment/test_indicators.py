"""Each indicator on hand-built data, reached through the services, with the figures worked out here; and
the records it names for a unit are exactly those it counted."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from responsibility.assessment.indicators import INDICATORS, IndicatorValue
from responsibility.letters.services.letters import letter_sign, letter_void
from responsibility.supervision.models import Finding, RecheckOutcome
from responsibility.supervision.services.rechecks import (
    RecheckFinding,
    RecheckInput,
    recheck_draw,
    recheck_result_record,
)
from tests.conftest import attestation_for
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

    # --- 回头看 failures ---
    records_agree_with_values("problems_rectified_on_time")


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
