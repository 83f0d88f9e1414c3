"""Timeliness (timeliness.period_completion): a task's period is judged by the date of the work its records
describe, not by when they were recorded. Today is 15 May 2026; the first quarter was due on 31 March.
States are reached through the services (records kept and reviewed)."""

import datetime

import pytest

from responsibility.duties.models import TaskOccurrence
from responsibility.duties.services.assignments import (
    RecordInput,
    performance_record_create,
    performance_record_review,
)
from responsibility.duties.timeliness import PeriodCompletion, period_completion
from tests.responsibility.duties.conftest import TODAY

from .conftest import fresh

pytestmark = pytest.mark.django_db

QUARTERLY = "听取分管单位党风廉政建设工作汇报"


@pytest.fixture
def first_quarter(duties) -> TaskOccurrence:
    """The head's first quarter of the quarterly task, due on 31 March and not done yet."""
    occurrence = TaskOccurrence.objects.get(
        task__assignment=duties.head_assignment, task__title=QUARTERLY, sequence=1
    )
    assert occurrence.due_date == datetime.date(2026, 3, 31)
    return occurrence


def keep(occurrence: TaskOccurrence, *, on: datetime.date):
    return performance_record_create(
        occurrence=occurrence,
        data=RecordInput(performed_on=on, summary="听取一季度工作汇报。", participants=""),
        recorded_by=fresh(occurrence.responsible),
    )


def completion_of(occurrence: TaskOccurrence) -> PeriodCompletion | None:
    stored = TaskOccurrence.objects.prefetch_related("records").get(pk=occurrence.pk)
    return period_completion(occurrence=stored, records=stored.records.all())


def test_work_done_before_the_due_date_and_recorded_after_it_is_on_time(first_quarter):
    # given the work of the first quarter done on 21 March, recorded today (15 May)
    keep(first_quarter, on=datetime.date(2026, 3, 21))

    # when
    completion = completion_of(first_quarter)

    # then it counts as done on 21 March, on time, and says it was recorded today
    assert completion == PeriodCompletion(done_on=datetime.date(2026, 3, 21), recorded_on=TODAY, on_time=True)


def test_work_done_on_the_due_date_is_on_time(first_quarter):
    keep(first_quarter, on=datetime.date(2026, 3, 31))

    assert completion_of(first_quarter).on_time is True


def test_work_done_after_the_due_date_is_late(first_quarter):
    # given the first quarter's work done on 10 April, after its due date
    keep(first_quarter, on=datetime.date(2026, 4, 10))

    # when
    completion = completion_of(first_quarter)

    # then
    assert (completion.done_on, completion.on_time) == (datetime.date(2026, 4, 10), False)


def test_the_earliest_standing_record_decides_and_a_returned_one_does_not_count(first_quarter, duties):
    # given a record of work on 20 March that the team returned, and one of work on 5 April that stands
    returned = keep(first_quarter, on=datetime.date(2026, 3, 20))
    keep(first_quarter, on=datetime.date(2026, 4, 5))
    performance_record_review(
        record=returned,
        reviewed_by=fresh(duties.org.inspector),
        accept=False,
        reason="会议纪要未附。",
        expected_version=returned.version,
    )

    # when
    completion = completion_of(first_quarter)

    # then the returned work is not what the period was done with: 5 April, late
    assert (completion.done_on, completion.on_time) == (datetime.date(2026, 4, 5), False)


def test_a_period_is_not_done_before_a_record_or_once_its_only_record_is_returned(first_quarter, duties):
    # given the first quarter without a record
    assert completion_of(first_quarter) is None

    # when its only record is returned
    record = keep(first_quarter, on=datetime.date(2026, 3, 20))
    assert completion_of(first_quarter) is not None
    performance_record_review(
        record=record,
        reviewed_by=fresh(duties.org.inspector),
        accept=False,
        reason="会议纪要未附。",
        expected_version=record.version,
    )

    # then it is open again
    assert completion_of(first_quarter) is None
