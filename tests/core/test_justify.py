"""Chinese lines justified by characters (core/pdf/justify.py), measured on PDFs WeasyPrint lays out."""

import pytest
from weasyprint import HTML

from core.pdf.engine import font_configuration
from core.pdf.justify import MAX_GAP_EM, is_character_gap
from tests.responsibility.pdf.layout import pdf_lines

# A 300 pt column of 15 pt text, 20 characters a line; the body margin is 0, so lines start at x = 0
# plus the page margin (36 pt).
PAGE = """<html lang="zh-CN"><style>
  @page {{ size: 372pt 600pt; margin: 36pt }}
  body {{ margin: 0; font: 15pt/24pt "Noto Serif CJK SC", serif; text-align: {align} }}
  p {{ margin: 0 0 24pt }}
</style><body>{body}</body></html>"""
LEFT, RIGHT = 36, 336


def _lines(text: str, *, align: str = "justify"):
    html = PAGE.format(align=align, body=f"<p>{text}</p>")
    pdf = HTML(string=html).write_pdf(font_config=font_configuration())
    return pdf_lines(pdf)


def test_a_chinese_line_before_a_latin_word_is_spread_over_its_characters():
    # given a line of Chinese text whose next word is too long for what is left of it
    text = "本单位统一使用国产操作系统和 Administrator 账户，每季度检查一次口令强度。"
    (first, second, last) = _lines(text)

    # then the first line reaches both margins, and its slack is spread over its 13 characters: no gap
    # between two of them is wider than two characters
    assert first.x_min == pytest.approx(LEFT, abs=1)
    assert first.x_max == pytest.approx(RIGHT, abs=1)
    assert first.widest_gap() < 2 * 15
    assert second.text.startswith("Administrator")
    assert last.x_max < RIGHT - 15  # the paragraph's last line is not stretched


def test_a_latin_word_keeps_its_own_letter_spacing():
    # given a stretched line with a Latin word inside it
    text = "定期检查 Windows 系统的补丁和 Administrator 账户的口令强度。"

    # when it is set justified, and flush left
    (justified, *_rest) = _lines(text)
    (ragged, *_rest) = _lines(text, align="left")

    # then the line is stretched, but the word is as wide as it is unstretched: its letters are not spread
    assert justified.x_max > ragged.x_max + 15
    (stretched,) = [word for word in justified.words if word.text == "Windows"]
    (natural,) = [word for word in ragged.words if word.text == "Windows"]
    assert stretched.x_max - stretched.x_min == pytest.approx(natural.x_max - natural.x_min, abs=0.1)


def test_a_line_that_would_be_torn_apart_stays_flush_left():
    # given two characters before a number too long for the rest of their line
    (first, second, *_rest) = _lines(f"访问 {'9' * 34} 核验。")

    # then stretching the two characters would open gaps wider than MAX_GAP_EM: the line is left alone
    assert first.text == "访问"
    assert second.text.startswith("9999")
    assert first.x_max < LEFT + 2 * 15 + 1
    assert MAX_GAP_EM == 1.0


def test_a_latin_paragraph_is_still_justified_by_its_spaces():
    # when
    (first, *_rest) = _lines("The letter is justified between its words when it holds no Chinese, as before.")

    # then
    assert first.x_max == pytest.approx(RIGHT, abs=1)
    assert len(first.words) >= 5


@pytest.mark.parametrize(
    ("character", "grows"),
    [("中", True), ("，", True), ("。", True), ("Ａ", True), (" ", True), ("\u3000", True)]
    + [("a", False), ("7", False), ("-", False), ("/", False)],
)
def test_is_character_gap(character, grows):
    assert is_character_gap(character) is grows
