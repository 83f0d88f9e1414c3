"""The schedule rules: which reminder is due on a day, for any deadline and any campaign rules."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from responsibility.reminders.registry import DuePeriod, Schedule, day_effective, is_weekend, period_current

DEADLINE = datetime.date(2026, 12, 31)  # a Thursday
DEFAULT = Schedule()  # 7, 3, 1 days before; every 2 days overdue; weekends skipped


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_period_current_follows_the_default_schedule_through_a_deadline():
    # given the default rules and a deadline on a Thursday
    # when each day from three weeks before to a week after is swept
    due = {}
    for offset in range(-21, 8):
        today = DEADLINE + datetime.timedelta(days=offset)
        period = period_current(schedule=DEFAULT, deadline=DEADLINE, today=today)
        if period is not None:
            due.setdefault(period.label, today)

    # then each reminder first comes due on its day; Sunday's overdue reminder waits for Monday
    assert due == {
        "before-7": day("2026-12-24"),  # Thursday
        "before-3": day("2026-12-28"),  # Monday
        "before-1": day("2026-12-30"),  # Wednesday
        "overdue-1": day("2027-01-01"),  # Friday
        "overdue-3": day("2027-01-04"),  # Sunday 3 January → Monday
        "overdue-5": day("2027-01-05"),
        "overdue-7": day("2027-01-07"),
    }


def test_period_current_is_nothing_on_a_weekend_when_weekends_are_skipped():
    # when swept on a Saturday after the 7-day reminder
    assert period_current(schedule=DEFAULT, deadline=DEADLINE, today=day("2026-12-26")) is None
    # then with weekends not skipped, the 7-day reminder is still the current one
    anyday = Schedule(skip_weekends=False)
    assert period_current(schedule=anyday, deadline=DEADLINE, today=day("2026-12-26")).label == "before-7"


def test_period_current_moves_a_weekend_reminder_to_monday():
    # given a deadline on a Tuesday: 3 days before is a Saturday
    deadline = day("2027-01-12")

    # when swept on the Monday after
    period = period_current(schedule=DEFAULT, deadline=deadline, today=day("2027-01-11"))

    # then the Monday's own reminder (1 day before) supersedes the one moved from Saturday
    assert period == DuePeriod("before-1", day("2027-01-11"), day("2027-01-11"))
    # and on the Saturday's Monday-moved reminder, swept on Friday, nothing is due yet after before-7
    assert period_current(schedule=DEFAULT, deadline=deadline, today=day("2027-01-08")).label == "before-7"


def test_period_current_skips_a_reminder_whose_day_came_before_the_item_was_outstanding():
    # given a letter issued five days before the deadline
    issued = DEADLINE - datetime.timedelta(days=5)

    # when swept that day: the 7-day reminder's day had passed before the letter existed
    assert period_current(schedule=DEFAULT, deadline=DEADLINE, today=issued, since=issued) is None
    # then its first reminder is the 3-day one
    three_days = DEADLINE - datetime.timedelta(days=3)
    assert period_current(schedule=DEFAULT, deadline=DEADLINE, today=three_days, since=issued).label == (
        "before-3"
    )


def test_period_current_sends_only_the_latest_reminder_after_a_gap():
    # given a sweep that did not run for a week before the deadline
    # when it runs again on the deadline day
    period = period_current(schedule=DEFAULT, deadline=DEADLINE, today=DEADLINE)

    # then only the closest reminder is due, not the three missed ones
    assert period.label == "before-1"


def test_period_current_on_the_deadline_itself_when_zero_days_are_listed():
    schedule = Schedule(days_before=(0,), skip_weekends=False)
    assert period_current(schedule=schedule, deadline=DEADLINE, today=DEADLINE).label == "before-0"
    assert (
        period_current(schedule=schedule, deadline=DEADLINE, today=DEADLINE - datetime.timedelta(1)) is None
    )


schedules = st.builds(
    Schedule,
    days_before=st.lists(st.integers(0, 60), min_size=1, max_size=10, unique=True).map(tuple),
    overdue_every_days=st.integers(1, 30),
    skip_weekends=st.booleans(),
)
dates = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(schedule=schedules, deadline=dates, offset=st.integers(-90, 90))
def test_period_current_is_a_reminder_of_the_schedule_whose_day_has_come(schedule, deadline, offset):
    today = deadline + datetime.timedelta(days=offset)
    period = period_current(schedule=schedule, deadline=deadline, today=today)
    if period is None:
        # nothing due: a skipped weekend, or no reminder's day has come yet
        first = deadline - datetime.timedelta(days=max(schedule.days_before))
        assert (schedule.skip_weekends and is_weekend(today)) or today < first
        return
    kind, _, number = period.label.partition("-")
    days = int(number)
    if kind == "before":
        assert days in schedule.days_before
        assert period.nominal == deadline - datetime.timedelta(days=days)
    else:
        assert kind == "overdue"
        assert (days - 1) % schedule.overdue_every_days == 0
        assert period.nominal == deadline + datetime.timedelta(days=days)
    # it is due today or earlier, never on a skipped weekend, and no later reminder of the schedule is
    assert period.effective <= today
    assert period.effective == day_effective(period.nominal, skip_weekends=schedule.skip_weekends)
    assert not (schedule.skip_weekends and is_weekend(period.effective))
    later_before = [
        d for d in schedule.days_before if period.nominal < deadline - datetime.timedelta(d) <= today
    ]
    assert later_before == []
    if kind == "overdue":
        assert (today - period.nominal).days < schedule.overdue_every_days


@settings(max_examples=200, deadline=None)
@given(schedule=schedules, deadline=dates)
def test_sweeping_every_day_sends_each_reminder_once_and_never_on_a_skipped_weekend(schedule, deadline):
    # when the sweep runs every day from before the first reminder to well past the deadline
    start = deadline - datetime.timedelta(days=max(schedule.days_before) + 3)
    sent: dict[str, datetime.date] = {}
    for offset in range((deadline - start).days + 40):
        today = start + datetime.timedelta(days=offset)
        period = period_current(schedule=schedule, deadline=deadline, today=today)
        if period is not None and period.label not in sent:
            sent[period.label] = today  # the ledger's unique row: the first sweep creates it

    # then no reminder goes out on a skipped weekend, reminders go out in schedule order, and every
    # overdue reminder of the first weeks is sent, each on its own (moved) day
    if schedule.skip_weekends:
        assert not any(is_weekend(when) for when in sent.values())
    assert list(sent.values()) == sorted(sent.values())
    overdue = [label for label in sent if label.startswith("overdue-")]
    expected_overdue = [
        f"overdue-{n}"
        for n in range(1, 40, schedule.overdue_every_days)
        if deadline + datetime.timedelta(days=n)
        <= start + datetime.timedelta(days=(deadline - start).days + 39)
    ]
    if not schedule.skip_weekends:
        assert overdue == expected_overdue
    else:
        assert set(overdue) <= set(expected_overdue)
        # a reminder is dropped only when a later one falls on the same Monday
        for label in set(expected_overdue) - set(overdue):
            nominal = deadline + datetime.timedelta(days=int(label.split("-")[1]))
            assert is_weekend(nominal)
    # the reminder closest to the deadline is always sent when weekends do not hide it
    closest = min(schedule.days_before)
    closest_day = deadline - datetime.timedelta(days=closest)
    if not schedule.skip_weekends or not is_weekend(closest_day):
        assert f"before-{closest}" in sent
