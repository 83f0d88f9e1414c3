"""How a date or a moment reads in a message: one format for every notification, email and notice.

The language's own formats (Django's DATE_FORMAT and DATETIME_FORMAT): 2026年12月31日 and
2026年12月31日 14:05 in Chinese. Emails use the same through the `date_text` and `datetime_text`
template filters (responsibility/templatetags/message_dates.py); never `isoformat()` or `strftime` in
a text a person reads.
"""

import datetime

from django.utils import formats, timezone


def date_text(value: datetime.date | datetime.datetime | None) -> str:
    """The day, as a message names it: 2026年12月31日. A moment is taken in the site's time zone."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT")


def datetime_text(value: datetime.datetime | None) -> str:
    """The moment, in the site's time zone, to the minute: 2026年12月31日 14:05."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")
