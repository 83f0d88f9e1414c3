"""When a duty task falls due in a year: its periods and due dates. Pure functions, no database.

- once: one period, the whole year, due on the given date (which must be in the year);
- quarterly: four periods, due on the last day of March, June, September and December;
- half-yearly: two periods, due on 30 June and 31 December;
- yearly: one period, due on 31 December;
- N times a year: N periods of 12/N whole months each, due on the last day of each; N must divide the
  year into whole months (1, 2, 3, 4, 6 or 12), since "5 times a year" has no natural due dates.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import ApplicationError

TIMES_A_YEAR_ALLOWED = (1, 2, 3, 4, 6, 12)
MONTHS_PER_PERIOD = {
    "quarterly": 3,
    "half_yearly": 6,
    "yearly": 12,
}


class RecurrenceRefused(ApplicationError):
    """A recurrence that makes no sense for the year; nothing was created."""


@dataclass(frozen=True)
class Period:
    sequence: int  # 1, 2, 3 … within the year
    start: datetime.date
    due: datetime.date


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def recurrence_check(
    *, recurrence: str, year: int, times_a_year: int | None, due_date: datetime.date | None
) -> None:
    """Refuse a recurrence that makes no sense, with a message for the person who entered it."""
    if recurrence == "once":
        if due_date is None:
            raise RecurrenceRefused(_("A task done once needs a due date."), code="due_date")
        if due_date.year != year:
            raise RecurrenceRefused(
                _("The due date must be in %(year)d, the year of the assignment.") % {"year": year},
                code="due_date_year",
            )
    elif recurrence == "times_a_year":
        if times_a_year not in TIMES_A_YEAR_ALLOWED:
            raise RecurrenceRefused(
                _("“Several times a year” must split the year into whole months: 1, 2, 3, 4, 6 or 12 times."),
                code="times_a_year",
            )
    elif recurrence not in MONTHS_PER_PERIOD:
        raise RecurrenceRefused(_("Choose how often the task recurs."), code="recurrence")


def periods_of(
    *, recurrence: str, year: int, times_a_year: int | None = None, due_date: datetime.date | None = None
) -> list[Period]:
    """The periods of a task in a year, in order, each with its due date."""
    recurrence_check(recurrence=recurrence, year=year, times_a_year=times_a_year, due_date=due_date)
    if recurrence == "once":
        return [Period(1, datetime.date(year, 1, 1), due_date)]
    months = 12 // times_a_year if recurrence == "times_a_year" else MONTHS_PER_PERIOD[recurrence]
    return [
        Period(index + 1, datetime.date(year, index * months + 1, 1), _month_end(year, (index + 1) * months))
        for index in range(12 // months)
    ]
