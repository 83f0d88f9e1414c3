"""Typography of a letter to GB/T 9704-2012, measured on the rendered pages (positions read from the PDF).

The dash of the page number 7 mm below the text block; Latin words and numbers that open no gaps in a
justified line; a signature block never alone on its page; letter numbers and dates never broken; the
body in a 仿宋 face.
"""

import io
import re

import pypdf
import pytest

from accounts.models import User
from core.pdf.fonts import PRESUBSET_FANG, installed_cjk_families
from responsibility.letters.models.letters import ClauseCategory
from responsibility.letters.pdf import letter_render_pdf
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import letter_countersign, letter_sign
from responsibility.templatetags.pdf_text import keep_dates_whole
from tests.conftest import attestation_for
from tests.factories import CampaignFactory, LetterTemplateFactory
from tests.responsibility.pdf.layout import (
    MM,
    TEXT_BLOCK_LEFT,
    TEXT_BLOCK_RIGHT,
    body_lines,
    page_number_dash_tops_mm,
    pdf_lines,
)
from tests.responsibility.pdf.reading import compact, pdf_glyph_report, pdf_text

pytestmark = pytest.mark.django_db

CODE = "K7QX-3M9D-PA2W-H4TZ"
ISSUER_LABEL = "甲方（党组）"
BODY_SIZE = 16  # points: 三号
# A clause of Chinese text with Latin words and numbers, as offices write them.
MIXED_CLAUSE = (
    "本单位按 3 个方面开展自查，代码 12110000MB0123456X 的账户每季度核对一次；统一使用国产操作系统和 WPS "
    "Office 办公软件，定期检查 Microsoft Windows 系统的补丁和 Administrator 账户的口令强度，发现问题在 3 "
    "个工作日内整改，整改情况通过 https://www.example.gov.cn/zhenggai/2026/report 报送，每季度第 1 个月的 "
    "15 日前完成 ISO 27001 内审。"
)
# About a line of the 28-character grid.
GRID_LINE = "甲乙双方应当按照本责任书要求认真履行职责，自觉接受监督检查。"


def _countersigned(
    org,
    *,
    clauses: list[str],
    closing: str,
    signer_name: str = "王振华",
    prefix: str = "人常廉责",
    title: str = "2026年度党风廉政建设责任书",
):
    """A letter issued from its own template, signed and countersigned through the services.

    Letters of one test need a letter number `prefix` each: the year and the number would repeat.
    """
    template = LetterTemplateFactory(
        title=title,
        clauses=[(ClauseCategory.PRINCIPAL, text) for text in clauses],
        preamble="为深入推进全面从严治党，落实党风廉政建设主体责任，甲乙双方签订本责任书。",
        closing=closing,
        issuer_label=ISSUER_LABEL,
        published=True,
        created_by=org.office_admin,
    )
    campaign = CampaignFactory(template=template, created_by=org.office_admin, reference_prefix=prefix)
    (letter,) = campaign_issue_letters(
        campaign=campaign,
        issuer_post=org.secretary_post,
        signer_posts=[org.head_posts[0]],
        issued_by=org.office_admin,
    ).issued
    User.objects.filter(pk=letter.signer_id).update(full_name=signer_name)
    letter = letter_sign(
        letter=letter,
        signed_by=User.objects.get(pk=letter.signer_id),
        attestation=attestation_for(letter, name=signer_name),
    )
    return letter_countersign(
        letter=letter, countersigned_by=letter.issuer, attestation=attestation_for(letter)
    )


def _skip_without_fandolfang() -> None:
    installed = installed_cjk_families() or frozenset()
    if PRESUBSET_FANG.source_family.casefold() not in installed:
        pytest.skip("FandolFang is not installed (scripts/install-fang-font installs it)")


def _fonts_drawing(pdf: bytes, clause: str) -> dict[str, set[str]]:
    """{character: the embedded fonts that draw it}, over the text runs of page 1 inside `clause`."""
    fonts: dict[str, set[str]] = {}

    def visitor(text, _cm, _tm, font, _size):
        if font is not None and text.strip() and compact(text) in clause:
            for character in compact(text):
                fonts.setdefault(character, set()).add(str(font["/BaseFont"]).split("+", 1)[-1])

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visitor)
    return fonts


def test_the_page_number_dash_sits_7_mm_below_the_text_block(pdf_fonts, demo_like_letter):
    # when
    pdf = letter_render_pdf(letter=demo_like_letter, verification_code=CODE)

    # then on every page the top of the dash's stroke is inked 7 mm (± 0.5) below the text block
    tops = page_number_dash_tops_mm(pdf)
    assert len(tops) == len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 4
    assert all(6.5 <= top <= 7.5 for top in tops), tops


def test_latin_words_and_numbers_open_no_gaps_in_a_justified_line(pdf_fonts, org):
    # given a clause mixing Chinese with Latin words, numbers and a long address
    letter = _countersigned(org, clauses=[MIXED_CLAUSE], closing="本责任书一式两份，甲乙双方各执一份。")

    # when
    pdf = letter_render_pdf(letter=letter, verification_code=CODE)

    # then the clause reads back whole ...
    assert compact(MIXED_CLAUSE) in compact(pdf_text(pdf))
    # ... and on its lines no gap between two words is wider than two characters
    lines = body_lines(pdf, page=1)
    start = next(index for index, line in enumerate(lines) if line.text.startswith("一、本单位按"))
    end = next(index for index, line in enumerate(lines) if "27001" in line.text)
    mixed = lines[start : end + 1]
    assert len(mixed) >= 5
    widest = max(line.widest_gap() for line in mixed)
    assert widest <= 2 * BODY_SIZE, f"a gap of {widest / MM:.1f} mm"
    # and the lines other than the clause's last are justified: flush with both edges of the text block
    assert mixed[0].x_max == pytest.approx(TEXT_BLOCK_RIGHT, abs=1.5), mixed[0].text
    for line in mixed[1:-1]:
        assert line.x_min == pytest.approx(TEXT_BLOCK_LEFT, abs=1.5), line.text
        assert line.x_max == pytest.approx(TEXT_BLOCK_RIGHT, abs=1.5), line.text


def test_the_signature_block_never_stands_alone_on_a_page(pdf_fonts, org):
    """Ten letters, one render each (about 0.3 s a letter): the body must end on each line near the foot of
    page 1 for the case where the signatures no longer fit under it to be met."""
    pages_of_signatures = []
    for number, closing_lines in enumerate(range(6, 16)):
        # given a letter whose body ends lower and lower on page 1
        closing = GRID_LINE * closing_lines
        letter = _countersigned(
            org,
            clauses=["切实履行主体责任。", "坚持一岗双责。", "严守廉洁纪律。"],
            closing=closing,
            prefix=f"人常{'甲乙丙丁戊己庚辛壬癸'[number]}廉责",
        )

        # when
        pdf = letter_render_pdf(letter=letter, verification_code=CODE)

        # then the page that holds the signatures also holds the end of the body, right above them
        lines = body_lines(pdf)
        label = next(line for line in lines if line.text.startswith(ISSUER_LABEL))  # then the record's
        above = [line for line in lines if line.page == label.page and line.y_min < label.y_min]
        assert above, f"{closing_lines} lines: the signatures stand alone on page {label.page}"
        assert closing.endswith(above[-1].text), above[-1].text
        pages_of_signatures.append(label.page)
    # and the lengths did reach the case where the signatures had to go over to page 2
    assert pages_of_signatures[0] == 1
    assert 2 in pages_of_signatures


def test_letter_numbers_and_dates_stay_on_one_line(pdf_fonts, org):
    # given a letter whose number has the longest prefix a campaign allows (16 characters), under a long
    # title: the record's first line (title and number) no longer fits on one line
    letter = _countersigned(
        org,
        clauses=[MIXED_CLAUSE],
        closing="本责任书一式两份。",
        prefix="某某市人大常委会机关党风廉政责任",
        title="2026年度全面从严治党主体责任和党风廉政建设责任书",
    )

    # when
    pdf = letter_render_pdf(letter=letter, verification_code=CODE)

    # then the letter number is never broken: under the title, in the verification block, in the record
    lines = pdf_lines(pdf)
    holding = [line.text for line in lines if "某某市人" in line.text]
    assert len(holding) >= 3
    assert all(letter.reference in text for text in holding), holding
    # and each signing date (2026年3月1日 under the signatures, 2026-03-01 10:40:00 in the record) is whole
    words = [word.text for line in lines for word in line.words]
    assert len([word for word in words if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", word)]) == 2
    times = [line.text for line in lines if "签字时间" in line.text]
    assert len(times) == 2
    assert all(len(re.findall(r"\d{4}-\d\d-\d\d\d\d:\d\d:\d\d", text)) == 2 for text in times), times


def test_a_date_in_the_running_text_is_not_broken_at_the_end_of_a_line(pdf_fonts, demo_like_letter):
    # given the demo letter, whose closing paragraph reaches the end of a line inside 「2026年12月31日」

    # when
    pdf = letter_render_pdf(letter=demo_like_letter, verification_code=CODE)

    # then the date reads whole on one line (the line before it is spread over its characters instead)
    assert any("有效期至" in line.text for line in body_lines(pdf))
    assert any("2026年12月31日" in line.text for line in body_lines(pdf))


def test_keep_dates_whole_wraps_dates_and_letter_numbers_and_escapes_the_rest():
    # when
    html = keep_dates_whole("<b>自2026年3月1日起</b>，依人常廉责〔2026〕12号，12月31日前完成")

    # then
    assert html == (
        '&lt;b&gt;自<span class="nobreak">2026年3月1日</span>起&lt;/b&gt;，依人常廉责'
        '<span class="nobreak">〔2026〕12号</span>，<span class="nobreak">12月31日</span>前完成'
    )


def test_the_body_is_set_in_a_fangsong_face(pdf_fonts, org):
    _skip_without_fandolfang()
    # given
    letter = _countersigned(
        org, clauses=["切实履行本单位党风廉政建设主体责任。"], closing="本责任书一式两份。"
    )

    # when
    pdf = letter_render_pdf(letter=letter, verification_code=CODE)

    # then the clause's characters are drawn in the pre-subset 仿宋 face
    assert _fonts_drawing(pdf, "一、切实履行本单位党风廉政建设主体责任。") == {
        character: {"Letters-Fang-GB"} for character in "一、切实履行本单位党风廉政建设主体责任。"
    }
    assert pdf_glyph_report(pdf).notdef == set()


def test_names_fandolfang_lacks_fall_back_per_glyph_to_the_serif(pdf_fonts, org):
    _skip_without_fandolfang()
    # given a clause naming people whose names FandolFang cannot draw (镕 喆 堃 珺 玥)
    clause = "由朱镕基、王喆、李堃、张珺、赵玥同志负责落实。"
    letter = _countersigned(org, clauses=[clause], closing="本责任书一式两份。")

    # when
    pdf = letter_render_pdf(letter=letter, verification_code=CODE)

    # then every character is drawn, the rare ones from the serif face, the rest in 仿宋
    report = pdf_glyph_report(pdf)
    assert report.notdef == set()
    assert set(clause) <= report.drawn
    fonts = _fonts_drawing(pdf, f"一、{clause}")
    rare, common = "镕喆堃珺玥", "朱基王李张赵"
    assert {character: fonts[character] for character in rare} == dict.fromkeys(rare, {"Letters-Serif-GB"})
    assert {character: fonts[character] for character in common} == dict.fromkeys(common, {"Letters-Fang-GB"})
