"""Template filters of the assessment pages."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from responsibility.assessment.rules import answer_words, points_text

register = template.Library()


@register.filter
def points(value) -> str:
    """Points as the forms write them: 2, 0.5, 1.25."""
    return "" if value is None else points_text(Decimal(value))


@register.simple_tag
def answer_text(value, item) -> str:
    """An answer as its item's rule reads it (`assessment.rules.answer_words`)."""
    return answer_words(value, item.rule)


@register.filter
def counted_text(counted: dict) -> str:
    """What an indicator counted for the unit: done of due, or how many times."""
    if not counted:
        return ""
    if "count" in counted:
        return _("%(count)d counted") % {"count": counted["count"]}
    if not counted.get("due"):
        return _("nothing was due this year (full points)")
    return _("%(done)d of %(due)d done") % {"done": counted["done"], "due": counted["due"]}
