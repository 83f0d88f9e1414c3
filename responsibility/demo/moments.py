"""The moments the demo's steps are taken at: a day at an hour, in the site's time zone."""

import datetime

from django.utils import timezone


def demo_moment(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
