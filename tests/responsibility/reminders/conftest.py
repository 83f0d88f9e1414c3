"""Reminder tests run on a fixed calendar: letters are issued on Monday 2 November 2026, and the
campaign's deadline (tests.factories.CampaignFactory) is Thursday 31 December 2026."""

import datetime
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
ISSUED_ON = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
SEVEN_DAYS_BEFORE = datetime.date(2026, 12, 24)  # Thursday: the default rules' first reminder


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock(time_machine):
    """Frozen at the moment the letters are issued; tests move it on with clock.move_to(...)."""
    time_machine.move_to(ISSUED_ON, tick=False)
    return time_machine
