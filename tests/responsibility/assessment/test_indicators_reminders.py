"""The indicator of reminders left unanswered (催办): the reminders sent after an item's deadline, counted
for the unit whose work it is, on the reminders the sweep and the send really made."""

import datetime

import pytest
from django.urls import reverse

from responsibility.assessment.counted import counted_rows
from responsibility.assessment.indicators import INDICATORS, IndicatorValue
from responsibility.reminders.models import Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import reminder_send
from tests.responsibility.reminders import test_deadline_sources as deadline_sources
from tests.responsibility.reminders.conftest import ISSUED_ON
from tests.responsibility.reminders.test_rectification_reminders import submit, sweep_on

# The reminders' fixtures: a rectification and a duty period of the first committee, due 20 November.
supervision = deadline_sources.supervision
drawn = deadline_sources.drawn
committee_inspection = deadline_sources.committee_inspection
rectification = deadline_sources.rectification
assignment = deadline_sources.assignment
occurrence = deadline_sources.occurrence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(time_machine):
    """The reminders' calendar: 2 November 2026, before anything is recorded."""
    time_machine.move_to(ISSUED_ON, tick=False)
    return time_machine


def _remind_every_day(clock, until: datetime.date, *, on_day=None) -> None:
    """The sweep and the send of every day from 2 November (the reminders' calendar: both items are due
    on Friday 20 November); `on_day(day)` is what their people do that day."""
    day = datetime.date(2026, 11, 2)
    while day <= until:
        sweep_on(clock, day)
        if on_day:
            on_day(day)
        for reminder in Reminder.objects.filter(status=ReminderStatus.PENDING):
            reminder_send(reminder=reminder)
        day += datetime.timedelta(days=1)


def test_reminders_sent_after_the_deadline_count_for_the_unit_whose_work_it_is(
    rectification, occurrence, clock, django_assert_num_queries
):
    # given a rectification submitted on 24 November (after its 3-day overdue reminder) and a duty
    # period still not done on 30 November: the same committee's work
    def on_day(day):
        if day == datetime.date(2026, 11, 24):
            submit(rectification)

    _remind_every_day(clock, datetime.date(2026, 11, 30), on_day=on_day)
    unit_id = rectification.finding.unit_id
    assert occurrence.task.assignment.post.unit_id == unit_id

    # then the overdue ones count: the rectification's one (23 November), the period's four (23, 25,
    # 27 and 30 November); those before the deadline do not
    indicator = INDICATORS["reminders_unanswered"]
    with django_assert_num_queries(4):  # one grouped query per kind of work
        assert indicator.values(2026) == {unit_id: IndicatorValue(count=5)}
    assert indicator.values(2025) == {}
    before = Reminder.objects.filter(
        status=ReminderStatus.SENT,
        kind__in=[ReminderKind.RECTIFICATION_DUE, ReminderKind.DUTY_TASK_DUE],
        due_period__startswith="before-",
    )
    assert before.count() == 3 + 3  # 13, 17 and 19 November, for each
    records = list(indicator.records(unit_id, 2026))
    assert sorted((record.object_key, record.due_period) for record in records) == sorted(
        [
            (f"rectification:{rectification.pk}", "overdue-3"),
            *((f"occurrence:{occurrence.pk}", f"overdue-{days}") for days in (3, 5, 7, 9)),
        ]
    )
    assert indicator.records(unit_id + 1000, 2026).count() == 0

    # and the item's page lists each with its person, its day and its item's page
    with django_assert_num_queries(3):  # the reminders, then their rectifications' and periods' pages
        rows, total = counted_rows(indicator_code="reminders_unanswered", unit_id=unit_id, year=2026)
    assert total == 5
    finding_page = reverse("responsibility:finding-detail", args=[rectification.finding_id])
    duty_page = reverse("responsibility:duty-detail", args=[occurrence.task.assignment_id])
    assert sorted(row.url for row in rows) == sorted([finding_page, *[duty_page] * 4])
    assert all(row.outcome == "" and "2026年11月" in row.detail for row in rows)
