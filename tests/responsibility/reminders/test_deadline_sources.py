"""The schedule every deadline source follows (reminders.registry.DeadlineSource), for each of them.

Rectifications (整改) and duty task periods (履责任务) are reminded by one mechanism: an open item due on
Friday 20 November 2026 (the reminders' calendar, tests/responsibility/reminders/conftest.py) reminds
its one person on 13, 17 and 19 November, then on Monday 23 (the 1-day-overdue reminder falls on
Saturday 21 and is overtaken by the 3-day one), 25 and 27 November and on Monday 30 November (the
9-day one, from Sunday 29). What only one kind does is tested in its own module.
"""

import datetime
from dataclasses import dataclass

import pytest

from responsibility.reminders.models import Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.registry import start_of_day
from tests.responsibility.reminders.test_duty_task_reminders import assignment, occurrence  # noqa: F401
from tests.responsibility.reminders.test_rectification_reminders import (  # noqa: F401 (fixtures)
    committee_inspection,
    drawn,
    rectification,
    supervision,
    sweep_on,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class DueItem:
    kind: str
    object_key: str
    recipient_id: int

    def rows(self) -> list[tuple]:
        return sorted(
            Reminder.objects.filter(kind=self.kind).values_list(
                "object_key", "recipient_id", "due_period", "status"
            )
        )


@pytest.fixture(
    params=[ReminderKind.RECTIFICATION_DUE, ReminderKind.DUTY_TASK_DUE], ids=["rectification", "duty"]
)
def due_item(request) -> DueItem:
    """An open item due on Friday 20 November: a finding's rectification, or a duty task's one period."""
    if request.param == ReminderKind.RECTIFICATION_DUE:
        item = request.getfixturevalue("rectification")
        return DueItem(request.param, f"rectification:{item.pk}", item.owner_id)
    item = request.getfixturevalue("occurrence")
    return DueItem(request.param, f"occurrence:{item.pk}", item.responsible_id)


@pytest.mark.parametrize(
    ("day", "period", "due_day"),
    [
        (datetime.date(2026, 11, 12), None, None),  # Thursday: 8 days before, nothing yet
        (datetime.date(2026, 11, 13), "before-7", datetime.date(2026, 11, 13)),
        (datetime.date(2026, 11, 16), "before-7", datetime.date(2026, 11, 13)),  # the latest one still
        (datetime.date(2026, 11, 17), "before-3", datetime.date(2026, 11, 17)),
        (datetime.date(2026, 11, 19), "before-1", datetime.date(2026, 11, 19)),
        (datetime.date(2026, 11, 20), "before-1", datetime.date(2026, 11, 19)),  # on the deadline
        (datetime.date(2026, 11, 21), None, None),  # Saturday
        (datetime.date(2026, 11, 22), None, None),  # Sunday
        (datetime.date(2026, 11, 23), "overdue-3", datetime.date(2026, 11, 23)),
        (datetime.date(2026, 11, 25), "overdue-5", datetime.date(2026, 11, 25)),
        (datetime.date(2026, 11, 30), "overdue-9", datetime.date(2026, 11, 30)),  # Sunday's, on Monday
    ],
)
def test_reminders_sweep_reminds_the_one_person_of_an_open_item_on_its_day(
    due_item, clock, day, period, due_day
):
    # when the sweep runs (for the first time) on that day
    result = sweep_on(clock, day)

    # then the person has the schedule's current reminder, if any, with no campaign
    if period is None:
        assert result.created[due_item.kind] == 0
        assert due_item.rows() == []
    else:
        assert result.created[due_item.kind] == 1
        assert due_item.rows() == [
            (due_item.object_key, due_item.recipient_id, period, ReminderStatus.PENDING)
        ]
        reminder = Reminder.objects.get(kind=due_item.kind)
        assert reminder.due_at == start_of_day(due_day)
        assert reminder.campaign_id is None


def test_reminders_sweep_every_day_reminds_each_period_once_and_never_on_a_weekend(due_item, clock):
    # when the sweep runs every day from the item's start to ten days after its deadline
    created: dict[datetime.date, list[str]] = {}
    day = datetime.date(2026, 11, 2)
    while day <= datetime.date(2026, 11, 30):
        before = set(Reminder.objects.filter(kind=due_item.kind).values_list("pk", flat=True))
        sweep_on(clock, day)
        new = Reminder.objects.filter(kind=due_item.kind).exclude(pk__in=before)
        if new:
            created[day] = list(new.values_list("due_period", flat=True))
        day += datetime.timedelta(days=1)

    # then
    assert created == {
        datetime.date(2026, 11, 13): ["before-7"],
        datetime.date(2026, 11, 17): ["before-3"],
        datetime.date(2026, 11, 19): ["before-1"],
        datetime.date(2026, 11, 23): ["overdue-3"],
        datetime.date(2026, 11, 25): ["overdue-5"],
        datetime.date(2026, 11, 27): ["overdue-7"],
        datetime.date(2026, 11, 30): ["overdue-9"],
    }


def test_reminders_sweep_twice_creates_nothing_new(due_item, clock):
    first = sweep_on(clock, datetime.date(2026, 11, 17))
    rows = due_item.rows()
    second = sweep_on(clock, datetime.date(2026, 11, 17))

    assert first.created[due_item.kind] == 1
    assert second.created_total == 0
    assert due_item.rows() == rows
