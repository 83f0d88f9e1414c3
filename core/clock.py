"""The one clock: what time it is for the services, the model defaults and the selectors.

`now()` and `today()` read Django's clock (aware, in UTC; the day in the site's time zone), unless a
block of code runs `at(moment)`: then everything inside it, in this thread or task, sees that moment.
The demonstration data uses it to lay out a year of history with real dates; tests move the clock
with time-machine, which this clock follows. Nothing here patches Django.
"""

import contextlib
import datetime
from collections.abc import Iterator
from contextvars import ContextVar

from django.utils import timezone

_moment: ContextVar[datetime.datetime | None] = ContextVar("clock_moment", default=None)


def now() -> datetime.datetime:
    """The current moment, aware."""
    moment = _moment.get()
    return moment if moment is not None else timezone.now()


def today() -> datetime.date:
    """The current day in the site's time zone."""
    return timezone.localdate(now())


@contextlib.contextmanager
def at(moment: datetime.datetime) -> Iterator[datetime.datetime]:
    """Run a block as if it were `moment` (aware): services stamp it, defaults take it, `today()` follows."""
    if timezone.is_naive(moment):
        raise ValueError("the clock is set to aware moments only")
    token = _moment.set(moment)
    try:
        yield moment
    finally:
        _moment.reset(token)
