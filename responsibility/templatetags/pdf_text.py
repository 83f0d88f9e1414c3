"""Running text of the PDF templates: dates and letter numbers that a line break must not cut."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

# 2026年12月31日, 2026年12月, 12月31日, and letter numbers 〔2026〕12号 (GB/T 9704 writes both in
# Arabic numerals; a line break inside one reads as two numbers).
_UNBREAKABLE = re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|〔\d{4}〕\d+号")


@register.filter(needs_autoescape=True)
def keep_dates_whole(text, autoescape=True):
    """The text, escaped, with each date and letter number in a <span class="nobreak"> (letter.css).

    The spans hold only what the pattern matched (digits and 年月日〔〕号), so the result stays as safe
    as the escaped text; chain |linebreaksbr after it, which leaves safe text unescaped.
    """
    escaped = str(conditional_escape(text) if autoescape else text)
    return mark_safe(  # noqa: S308 (escaped above; the spans wrap digits and CJK only)
        _UNBREAKABLE.sub(lambda match: f'<span class="nobreak">{match.group(0)}</span>', escaped)
    )
