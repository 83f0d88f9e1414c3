"""Deadlines and their traffic lights (红黄绿灯), one rule for rectifications and duty periods alike."""

import datetime

from django.db import models
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
    if deadline <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return TrafficLight.YELLOW
    return TrafficLight.GREEN
