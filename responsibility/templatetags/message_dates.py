"""Dates in notifications and emails: the one format of core.dates, as template filters."""

from django import template

from core.dates import date_text as _date_text
from core.dates import datetime_text as _datetime_text

register = template.Library()


@register.filter(expects_localtime=True)
def date_text(value) -> str:
    """{{ deadline|date_text }} → 2026年12月31日."""
    return _date_text(value)


@register.filter(expects_localtime=True)
def datetime_text(value) -> str:
    """{{ notification.created_at|datetime_text }} → 2026年12月31日 14:05."""
    return _datetime_text(value)
