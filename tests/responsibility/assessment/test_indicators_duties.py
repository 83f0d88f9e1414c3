"""The indicators of 层层签订 and 一岗双责 on hand-built data reached through the services, with the figures
worked out here."""

import datetime

import pytest

from responsibility.assessment.indicators import INDICATORS, IndicatorValue
from responsibility.duties.models import TaskOccurrence
from responsibility.duties.services.assignments import (
    RecordInput,
    performance_record_create,
    performance_record_review,
)
from responsibility.duties.timeliness import occurrence_on_time_q, period_completion
from responsibility.letters.services.letters import letter_sign
from tests.conftest import attestation_for
from tests.responsibility.assessment.test_indicators import records_agree_with_values

pytestmark = pytest.mark.django_db


def _values(code: str, year: int = 2026) -> dict[int, IndicatorValue]:
    return INDICATORS[code].values(year)


# --- 层层签订 coverage ---


def test_coverage_is_the_share_of_a_units_held_posts_whose_holder_signed_a_letter_of_the_year(
    org, staff_letters
):
    # given: the first committee's head signed (staff_letters needs it) and issued letters to the
    # deputy head (same committee) and to the section chief (法规处); the second committee's head has an
    # unsigned letter; the Party Group secretary holds none
    committee, other, section = (
        org.head_posts[0].unit_id,
        org.head_posts[1].unit_id,
        org.staff_posts[1].unit_id,
    )
    deputy_letter = next(letter for letter in staff_letters if letter.signer == org.staff[0])

    before = _values("cascade_coverage")
    letter_sign(letter=deputy_letter, signed_by=org.staff[0], attestation=attestation_for(deputy_letter))
    after = _values("cascade_coverage")

    assert before[committee] == IndicatorValue(done=1, due=2)  # head and deputy: the head signed
    assert after[committee] == IndicatorValue(done=2, due=2)
    assert after[other] == IndicatorValue(done=0, due=1)
    assert after[section] == IndicatorValue(done=0, due=1)
    assert after[org.secretary_post.unit_id] == IndicatorValue(done=0, due=1)
    assert _values("cascade_coverage", year=2025)[committee] == IndicatorValue(done=0, due=2)
    records = INDICATORS["cascade_coverage"].records(committee, 2026)
    assert {(post.pk, post.signed) for post in records} == {
        (org.head_posts[0].pk, True),
        (org.staff_posts[0].pk, True),
    }

    # --- Duty periods on time, and records accepted ---
    records_agree_with_values("cascade_coverage")


def _due_by_today(assignment) -> list[TaskOccurrence]:
    return list(
        TaskOccurrence.objects.filter(
            task__assignment=assignment, due_date__lte=datetime.date(2026, 5, 15)
        ).order_by("due_date", "pk")
    )


def _record(occurrence, *, on: datetime.date, by):
    return performance_record_create(
        occurrence=occurrence,
        data=RecordInput(performed_on=on, summary="听取分管处室汇报。", participants=""),
        recorded_by=by,
    )


def test_periods_count_on_time_by_the_date_of_the_work_and_records_by_what_the_team_decided(duties):
    # given, on 15 May: of the common tasks only the quarterly one has a period due (31 March), for the
    # head and for the deputy head of the first committee
    head, deputy = duties.head_assignment, duties.deputy_assignment
    head_due, deputy_due = _due_by_today(head), _due_by_today(deputy)
    assert [period.due_date for period in (*head_due, *deputy_due)] == [datetime.date(2026, 3, 31)] * 2
    # when the head records work done on 26 March (on time, recorded in May), the deputy work done on
    # 3 April (late), and the head a record of the second quarter that the team returns
    _record(head_due[0], on=datetime.date(2026, 3, 26), by=head.leader)
    late = _record(deputy_due[0], on=datetime.date(2026, 4, 3), by=deputy.leader)
    second_quarter = TaskOccurrence.objects.get(task=head_due[0].task, sequence=2)
    returned = _record(second_quarter, on=datetime.date(2026, 5, 10), by=head.leader)
    inspector = duties.org.inspector
    performance_record_review(record=late, reviewed_by=inspector, accept=True, expected_version=None)
    performance_record_review(
        record=returned, reviewed_by=inspector, accept=False, reason="记录不完整。", expected_version=None
    )

    committee = head.post.unit_id
    # then one of the two periods due was done on time
    assert _values("duty_periods_on_time")[committee] == IndicatorValue(done=1, due=2)
    records = INDICATORS["duty_periods_on_time"].records(committee, 2026)
    assert sorted(period.pk for period in records) == sorted([head_due[0].pk, deputy_due[0].pk])
    # and of the two records reviewed the team accepted one (the head's first is not reviewed yet)
    assert _values("duty_records_accepted")[committee] == IndicatorValue(done=1, due=2)
    # and the query agrees with the duty pages' rule (duties.timeliness), period by period
    on_time = set(TaskOccurrence.objects.filter(occurrence_on_time_q()).values_list("pk", flat=True))
    for period in TaskOccurrence.objects.prefetch_related("records"):
        completion = period_completion(occurrence=period, records=period.records.all())
        assert (period.pk in on_time) == bool(completion and completion.on_time), period
    records_agree_with_values("duty_periods_on_time")
    records_agree_with_values("duty_records_accepted")
