"""Template filters of the assessment pages."""

from decimal import Decimal

from django import template

from responsibility.assessment.rules import points_text

register = template.Library()


@register.filter
def points(value) -> str:
    """Points as the forms write them: 2, 0.5, 1.25."""
    return "" if value is None else points_text(Decimal(value))
