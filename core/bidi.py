"""Characters that change the direction of text (Unicode bidirectional controls): refused where people
type text, removed where text is written into a document or a spreadsheet.

A right-to-left override (U+202E) inside a letter title makes the sealed PDF show the title reversed,
and makes "报告‮fdp.exe" read as "报告exe.pdf". Chinese documents never need them. Input is refused
(`core.forms` installs the check on every form's text fields); output drops them, so text stored before
the check cannot reverse a document either.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI; LRM, RLM; the Arabic letter mark.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BIDI_CONTROLS_RE = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


def bidi_controls_present(text: str) -> bool:
    return _BIDI_CONTROLS_RE.search(text) is not None


def bidi_controls_strip(text: str) -> str:
    """The text without any direction control: what a document or a spreadsheet cell may show."""
    return _BIDI_CONTROLS_RE.sub("", text)


def bidi_controls_refuse(value) -> None:
    """A validator: text typed into a form may not change the direction of what follows it."""
    if isinstance(value, str) and bidi_controls_present(value):
        raise ValidationError(
            _("The text must not contain control characters that change the direction of writing."),
            code="bidi_control",
        )
