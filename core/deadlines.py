"""Deadlines and their traffic lights (红黄绿灯), one rule for rectifications and duty periods alike.

The window is written here once: `deadline_light` decides one deadline in Python, `deadline_q` the
same in a query, `deadline_days` counts the days left or overdue for the reminder that names them.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# A rectification turns yellow this many days before its deadline (and red after it).
DUE_SOON_DAYS = 7


class TrafficLight(models.TextChoices):
    GREEN = "green", _("On track")
    YELLOW = "yellow", _("Due within 7 days")
    RED = "red", _("Overdue")
    DONE = "done", _("Done")  # verified or closed: no longer on the clock


def deadline_light(*, finished: bool, deadline: datetime.date, today: datetime.date) -> TrafficLight:
    """Done once finished; else red past the deadline, yellow within DUE_SOON_DAYS of it, green before.

    The one rule for every deadline on the clock: rectifications and duty task periods alike.
    """
    if finished:
        return TrafficLight.DONE
    if deadline < today:
        return TrafficLight.RED
    if deadline <= due_soon_until(today):
        return TrafficLight.YELLOW
    return TrafficLight.GREEN


def due_soon_until(today: datetime.date) -> datetime.date:
    """The last day a deadline still counts as due soon (yellow) on `today`."""
    return today + datetime.timedelta(days=DUE_SOON_DAYS)


def deadline_q(field: str, light: TrafficLight, *, today: datetime.date) -> Q:
    """The rows whose deadline (`field`, a date lookup path) shows `light` on `today`.

    RED, YELLOW or GREEN only: whether a row is finished (DONE) is the caller's own filter.
    """
    until = due_soon_until(today)
    return {
        TrafficLight.RED: Q(**{f"{field}__lt": today}),
        TrafficLight.YELLOW: Q(**{f"{field}__gte": today, f"{field}__lte": until}),
        TrafficLight.GREEN: Q(**{f"{field}__gt": until}),
    }[light]


def deadline_days(deadline: datetime.date, *, today: datetime.date) -> dict:
    """Days left before the deadline, or days past it, as a reminder names them."""
    days_left = (deadline - today).days
    return {"days_left": max(days_left, 0), "days_overdue": max(-days_left, 0), "overdue": days_left < 0}
