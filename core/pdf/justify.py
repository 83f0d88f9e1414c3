"""Justify Chinese lines by characters (CSS Text 3 `text-justify: inter-character`), which WeasyPrint lacks.

WeasyPrint 70 justifies a line by widening its spaces only (weasyprint/layout/inline.py, justify_line).
A Chinese line has no spaces, or a few around a Latin word or a number, so all of its slack went into
those few spaces: a line ending before a long Latin word opened gaps of ~56 mm, and pdftotext then read
the line as columns. GB/T 9704 letters are set on a grid of 28 characters a line, and Word's 两端对齐
spreads the slack over the characters.

`justify_line` below does the same for a line that holds Chinese characters: the slack is spread evenly
over the gaps after its Chinese characters (ideographs, kana, CJK and full-width punctuation) and its
spaces, as letter spacing on exactly those characters; Latin words and numbers keep their own spacing.
A line without Chinese characters is left to WeasyPrint (spaces, as before). A line whose gaps would have
to grow by more than `MAX_GAP_EM` of the font size (a few Chinese characters before a long number) is
not stretched at all but set flush left: a ragged line reads better than one torn apart.

It replaces `weasyprint.layout.inline.justify_line` (called at layout time for every justified line), and
each stretched text box gets a `CharacterSpacedLayout`, the Pango layout WeasyPrint draws it with, which
re-applies the spacing whenever WeasyPrint rebuilds the layout to draw. `install` is idempotent and is
called by the PDF engine at import. tests/core/test_justify.py and
tests/responsibility/pdf/test_typography.py measure the result on rendered PDFs; they fail if a
WeasyPrint upgrade stops calling `justify_line`.
"""

import unicodedata

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text.ffi import TO_UNITS, ffi, pango
from weasyprint.text.line_break import Layout, line_size

# The most a gap may grow, as a fraction of the font size; beyond it the line stays flush left. A line
# that ends far short of the margin reads as the end of a paragraph, so the spacing may reach a whole
# character before that: a gap never grows wider than two characters.
MAX_GAP_EM = 1.0
# Slack below this (points) is left as it is: a line of 28 characters on the GB/T grid is 0.09 pt short
# of the text block, which no reader sees, and not stretching it spares the render the work.
MIN_SLACK = 0.5

_weasyprint_justify_line = inline.justify_line


def install() -> None:
    """Make WeasyPrint justify lines with Chinese characters by characters (idempotent)."""
    inline.justify_line = justify_line


def is_character_gap(character: str) -> bool:
    """Whether the gap after `character` may grow when a Chinese line is justified.

    Chinese, Japanese and Korean characters and punctuation (East Asian width W or F) and spaces; not
    Latin letters and digits, which are set as words.
    """
    return character in " \u00a0\u3000" or unicodedata.east_asian_width(character) in ("W", "F")


def justify_line(context, line, extra_width):
    """Spread `extra_width` over the character gaps of `line`, or leave it to WeasyPrint."""
    if extra_width < MIN_SLACK:
        return
    text_boxes = [box for box in _text_boxes(line) if box.text]
    gaps = sum(_gap_count(box.text) for box in text_boxes)
    if not gaps or not any(
        unicodedata.east_asian_width(character) in ("W", "F") for box in text_boxes for character in box.text
    ):
        _weasyprint_justify_line(context, line, extra_width)
        return
    # Pango drops the half of the letter spacing at either end of each box: measure what one point of
    # spacing adds to the line, then set the spacing that adds exactly the slack.
    growth = sum(_spaced_width(box, 1.0)[0] - box.width for box in text_boxes)
    if growth <= 0:
        return
    spacing = extra_width / growth
    if any(spacing > MAX_GAP_EM * box.style["font_size"] for box in text_boxes if _gap_count(box.text)):
        return  # flush left: see the module docstring
    layouts = {id(box): _spaced_width(box, spacing) for box in text_boxes}
    _boxes_widen(line, layouts, 0)


def _text_boxes(box):
    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _text_boxes(child)


def _gap_count(text: str) -> int:
    return sum(1 for character in text if is_character_gap(character))


def _spaced_width(box, spacing: float):
    """(width, layout) of the text box with `spacing` points added after each character gap."""
    layout = CharacterSpacedLayout(box.style, spacing)
    layout.set_text(box.text)
    first_line, _index = layout.get_first_line()
    width, _height = line_size(first_line, box.style)
    return width, layout


def _boxes_widen(box, layouts, x_advance: float) -> float:
    """Give each text box its spaced layout and width, and move what follows it (as WeasyPrint's
    add_word_spacing does for spaces)."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        if id(box) in layouts:
            width, layout = layouts[id(box)]
            layout.deactivate()
            x_advance += width - box.width
            box.width = width
            box.pango_layout = layout
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        children = box.children[::-1] if box.style["direction"] == "rtl" else box.children
        for child in children:
            if child.is_in_normal_flow():
                x_advance = _boxes_widen(child, layouts, x_advance)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)  # an atomic inline (an image, an inline block)
    return x_advance


class CharacterSpacedLayout(Layout):
    """WeasyPrint's Pango layout, with `spacing` points more letter spacing on each character gap.

    WeasyPrint rebuilds the layout from the style when it draws the box (Layout.reactivate calls
    set_text), so the spacing is applied in set_text, after WeasyPrint's own attributes.
    """

    def __init__(self, style, spacing: float):
        self.character_spacing = spacing
        super().__init__(style)

    def set_text(self, text, justify=False):
        super().set_text(text, justify=justify)
        base = self.style["letter_spacing"]
        base = 0 if base == "normal" else base
        attributes = pango.pango_layout_get_attributes(self.layout)
        if attributes == ffi.NULL:
            attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        spacing = int((base + self.character_spacing) * TO_UNITS)
        for start, end in _gap_runs(self.text):
            attribute = pango.pango_attr_letter_spacing_new(spacing)
            attribute.start_index, attribute.end_index = start, end
            pango.pango_attr_list_change(attributes, attribute)
        pango.pango_layout_set_attributes(self.layout, attributes)


def _gap_runs(text: str):
    """(start, end) UTF-8 byte offsets of each run of characters whose gap may grow."""
    position = start = 0
    in_run = False
    for character in text:
        if is_character_gap(character) != in_run:
            if in_run:
                yield start, position
            start, in_run = position, not in_run
        position += len(character.encode())
    if in_run:
        yield start, position
