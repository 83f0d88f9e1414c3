"""The periods of a duty task in a year (responsibility/recurrence.py), as properties over every
recurrence and every year 2000–2100, checked against the calendar rather than the module's helpers."""

import calendar
import datetime

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from responsibility.duties.models import Recurrence
from responsibility.duties.recurrence import RecurrenceRefused, periods_of

PROPERTY = settings(deadline=None, max_examples=300)
# Leap years and their neighbours, including the century years 2000 (leap) and 2100 (not).
LEAP_EDGES = (2000, 2001, 2004, 2023, 2024, 2028, 2096, 2099, 2100)
years = st.one_of(st.integers(2000, 2100), st.sampled_from(LEAP_EDGES))
repeating = st.sampled_from([Recurrence.QUARTERLY, Recurrence.HALF_YEARLY, Recurrence.YEARLY])
allowed_times = st.sampled_from([1, 2, 3, 4, 6, 12])
EXPECTED_COUNT = {Recurrence.QUARTERLY: 4, Recurrence.HALF_YEARLY: 2, Recurrence.YEARLY: 1}


@pytest.fixture(autouse=True)
def english():
    # Refusal messages are matched in English (the msgids), whatever the catalog says.
    with translation.override("en"):
        yield


@st.composite
def any_recurrence(draw):
    """Keyword arguments for periods_of: a sensible recurrence of any kind, and the count it should give."""
    year = draw(years)
    kind = draw(st.sampled_from(list(Recurrence)))
    if kind == Recurrence.ONCE:
        due = draw(st.dates(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
        return {"recurrence": kind, "year": year, "due_date": due}, 1
    if kind == Recurrence.TIMES_A_YEAR:
        times = draw(allowed_times)
        return {"recurrence": kind, "year": year, "times_a_year": times}, times
    return {"recurrence": kind, "year": year}, EXPECTED_COUNT[kind]


def month_end(day: datetime.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


# --- Properties -----------------------------------------------------------------------------------


@PROPERTY
@given(case=any_recurrence())
def test_periods_of_gives_the_right_number_of_periods_numbered_from_one(case):
    arguments, expected = case
    periods = periods_of(**arguments)
    assert len(periods) == expected
    assert [period.sequence for period in periods] == list(range(1, expected + 1))


@PROPERTY
@given(case=any_recurrence())
def test_periods_of_keeps_due_dates_in_the_year_strictly_increasing(case):
    arguments, _expected = case
    year = arguments["year"]
    dues = [period.due for period in periods_of(**arguments)]
    assert all(datetime.date(year, 1, 1) <= due <= datetime.date(year, 12, 31) for due in dues)
    assert all(earlier < later for earlier, later in zip(dues, dues[1:], strict=False))


@PROPERTY
@given(case=any_recurrence())
def test_periods_of_starts_the_year_and_each_period_the_day_after_the_last_due_date(case):
    arguments, _expected = case
    periods = periods_of(**arguments)
    assert periods[0].start == datetime.date(arguments["year"], 1, 1)
    for previous, period in zip(periods, periods[1:], strict=False):
        assert period.start == previous.due + datetime.timedelta(days=1)
    assert all(period.start <= period.due for period in periods)


@PROPERTY
@given(year=years, recurrence=repeating)
def test_periods_of_a_repeating_task_fall_due_at_month_ends_and_the_last_on_31_december(year, recurrence):
    periods = periods_of(recurrence=recurrence, year=year)
    assert all(month_end(period.due) for period in periods)
    assert periods[-1].due == datetime.date(year, 12, 31)
    # equal periods: every period spans the same number of whole months
    months = 12 // EXPECTED_COUNT[recurrence]
    assert [period.due.month for period in periods] == list(range(months, 13, months))


@PROPERTY
@given(year=years, times=allowed_times)
def test_periods_of_n_times_a_year_splits_the_year_into_n_equal_runs_of_whole_months(year, times):
    periods = periods_of(recurrence=Recurrence.TIMES_A_YEAR, year=year, times_a_year=times)
    months = 12 // times
    assert [period.due for period in periods] == [
        datetime.date(year, month, calendar.monthrange(year, month)[1]) for month in range(months, 13, months)
    ]
    assert periods[-1].due == datetime.date(year, 12, 31)


@PROPERTY
@given(year=years)
def test_periods_of_monthly_ends_february_on_the_29th_only_in_leap_years(year):
    periods = periods_of(recurrence=Recurrence.TIMES_A_YEAR, year=year, times_a_year=12)
    february = periods[1].due
    assert february == datetime.date(year, 2, 29 if calendar.isleap(year) else 28)
    assert periods[2].start == datetime.date(year, 3, 1)


@PROPERTY
@given(data=st.data(), year=years)
def test_periods_of_once_is_one_period_due_on_the_given_date(data, year):
    due = data.draw(st.dates(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
    [period] = periods_of(recurrence=Recurrence.ONCE, year=year, due_date=due)
    assert period.due == due
    assert period.start == datetime.date(year, 1, 1)


def test_periods_of_once_may_fall_due_on_29_february_of_a_leap_year():
    [period] = periods_of(recurrence=Recurrence.ONCE, year=2024, due_date=datetime.date(2024, 2, 29))
    assert period.due == datetime.date(2024, 2, 29)


# --- Refusals -------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=100)
@given(
    year=years,
    times=st.one_of(
        st.none(),
        st.integers(-5, 30).filter(lambda n: n not in (1, 2, 3, 4, 6, 12)),
        st.sampled_from([0, 5, 7, 13]),
    ),
)
def test_periods_of_refuses_n_times_a_year_that_does_not_divide_the_year_into_whole_months(year, times):
    with pytest.raises(RecurrenceRefused, match="1, 2, 3, 4, 6 or 12 times") as refused:
        periods_of(recurrence=Recurrence.TIMES_A_YEAR, year=year, times_a_year=times)
    assert refused.value.code == "times_a_year"


@pytest.mark.parametrize("times", [0, 5, 7, 13, None])
def test_periods_of_refuses_each_named_nonsense_count(times):
    with pytest.raises(RecurrenceRefused, match="whole months"):
        periods_of(recurrence=Recurrence.TIMES_A_YEAR, year=2026, times_a_year=times)


def test_periods_of_refuses_once_without_a_date():
    with pytest.raises(RecurrenceRefused, match="needs a due date") as refused:
        periods_of(recurrence=Recurrence.ONCE, year=2026)
    assert refused.value.code == "due_date"


@settings(deadline=None, max_examples=100)
@given(data=st.data(), year=years)
def test_periods_of_refuses_once_with_a_date_in_another_year(data, year):
    due = data.draw(
        st.dates(datetime.date(1990, 1, 1), datetime.date(2110, 12, 31)).filter(lambda day: day.year != year)
    )
    with pytest.raises(RecurrenceRefused, match=f"must be in {year}") as refused:
        periods_of(recurrence=Recurrence.ONCE, year=year, due_date=due)
    assert refused.value.code == "due_date_year"


@pytest.mark.parametrize("recurrence", ["", "monthly", "weekly", "QUARTERLY", None])
def test_periods_of_refuses_an_unknown_recurrence(recurrence):
    with pytest.raises(RecurrenceRefused, match="Choose how often") as refused:
        periods_of(recurrence=recurrence, year=2026)
    assert refused.value.code == "recurrence"
