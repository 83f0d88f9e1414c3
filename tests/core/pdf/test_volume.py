"""core.pdf.volume: parts bound as one volume, fonts and identical objects once, pages numbered as printed.

Real WeasyPrint documents (the way letters are made) read back with poppler (pdftotext, pdftoppm).
"""

import io
import re

import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet
from PIL import ImageOps

from core.pdf.volume import MM, Volume, VolumeError
from tests.core.pdf.making import (
    differing_box,
    font_programs,
    page_image,
    page_texts,
    part,
    pdf_from_html,
    signature_png,
)

LABEL = re.compile(r"汇编第\s*(\d+)\s*页")
DPI = 100
# The number is printed in the top margin: above this row (30 mm) at DPI, the letters draw nothing.
NUMBER_BAND = round(30 * DPI / 25.4)


def number_text(number: int) -> str:
    return f"汇编第 {number} 页"


@pytest.fixture(scope="module")
def parts() -> list[bytes]:
    """Three documents of 3, 2 and 1 pages, with different characters, two with the same picture."""
    same = signature_png(1)
    return [
        part("第一份文件", ["甲方承诺遵守纪律。", "乙方负责落实责任。", "双方签字后生效。"], image=same),
        part("第二份文件", ["财政经济工作委员会", "法制工作委员会主任"], image=same),
        part("第三份文件", ["监督检查与考核问责"], image=signature_png(2)),
    ]


@pytest.fixture(scope="module")
def front() -> bytes:
    return pdf_from_html("<h1>目录</h1><p>第一份文件</p>")


@pytest.fixture(scope="module")
def number_font() -> bytes:
    return pdf_from_html("<p>汇编第0123456789页</p>")


def _write(parts, front, number_font, *, odd_starts=False):
    volume = Volume(odd_starts=odd_starts)
    placements = [volume.part_add(data, title=f"第{index}份") for index, data in enumerate(parts, 1)]
    out = io.BytesIO()
    summary = volume.write(out, front=front, number_font=number_font, number_text=number_text, title="汇编")
    return placements, summary, out.getvalue()


def _compact(text: str) -> str:
    return re.sub(r"\s", "", text)


def _numbers(texts: list[str]) -> list[int | None]:
    return [int(found.group(1)) if (found := LABEL.search(text)) else None for text in texts]


def test_volume_numbers_the_parts_pages_through_from_the_first_part(parts, front, number_font):
    # when three parts of 3, 2 and 1 pages are bound behind a one-page front matter
    placements, summary, pdf = _write(parts, front, number_font)

    # then each part's placement says where it starts, as printed
    assert [(p.first, p.last, p.blank_before) for p in placements] == [
        (1, 3, False),
        (4, 5, False),
        (6, 6, False),
    ]
    assert (summary.pages, summary.blank_pages) == (7, 0)
    # and every page of the parts carries its number, the front matter none
    texts = page_texts(pdf)
    assert _numbers(texts) == [None, 1, 2, 3, 4, 5, 6]
    # each part keeps its own footer and its text
    assert "—3—" in _compact(texts[3]) and "双方签字后生效" in texts[3]
    assert "—1—" in _compact(texts[4]) and "财政经济工作委员会" in texts[4]
    # the bookmarks point at the parts' first pages, and the page labels say the printed numbers
    with pikepdf.open(io.BytesIO(pdf)) as volume:
        with volume.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert titles == ["第1份", "第2份", "第3份"]
        labels = volume.Root.PageLabels.Nums
        assert (labels[0], labels[1].S, labels[2], labels[3].S) == (0, "/r", 1, "/D")


def test_volume_prints_odd_numbers_on_the_right_and_even_numbers_on_the_left(parts, front, number_font):
    _placements, _summary, pdf = _write(parts, front, number_font)
    outer = 26 * MM * DPI / 72  # the default: the number ends 26 mm from the outer edge

    for page, number in ((2, 1), (3, 2)):
        image = page_image(pdf, page, dpi=DPI)
        # what is drawn in the top margin (inverted: ink is non-zero)
        left, _top, right, _bottom = ImageOps.invert(image.crop((0, 0, image.width, NUMBER_BAND))).getbbox()
        if number % 2:
            assert right == pytest.approx(image.width - outer, abs=3)
        else:
            assert left == pytest.approx(outer, abs=3)


def test_volume_starts_every_part_on_an_odd_page_with_unnumbered_blank_pages(parts, front, number_font):
    # when the same parts are bound for double-sided printing
    placements, summary, pdf = _write(parts, front, number_font, odd_starts=True)

    # then the front matter is made even and each part starts on an odd number
    assert [(p.first, p.last, p.blank_before) for p in placements] == [
        (1, 3, False),
        (5, 6, True),
        (7, 7, False),
    ]
    texts = page_texts(pdf)
    # cover, blank | 1 2 3, blank (4) | 5 6 | 7
    assert _numbers(texts) == [None, None, 1, 2, 3, None, 5, 6, 7]
    assert (summary.pages, summary.blank_pages) == (9, 2)
    assert texts[1].strip() == texts[5].strip() == ""  # the blank pages carry nothing, no number either
    first_pages = [index for index, text in enumerate(texts) if "—1—" in _compact(text)]
    assert first_pages == [0, 2, 6, 8]  # 0-based: the front matter, then the parts on pages 3, 7 and 9


def test_volume_embeds_one_program_per_face_with_every_glyph_unchanged(parts, front, number_font):
    # given parts that each embed their own subsets of the regular and the bold face
    sources = [*parts, front, number_font]
    assert all(len(font_programs(source)) >= 1 for source in sources)
    assert sum(len(font_programs(source)) for source in sources) >= 8

    # when they are bound
    _placements, _summary, pdf = _write(parts, front, number_font)

    # then the volume holds one program per face
    programs = font_programs(pdf)
    assert sorted(programs.values()) == sorted({name for s in sources for name in font_programs(s).values()})
    # and every glyph of every source is in it, byte for byte, under the same CID
    with pikepdf.open(io.BytesIO(pdf)) as volume:
        merged = {name: _charstrings(volume.get_object(objgen)) for objgen, name in programs.items()}
    for source in sources:
        with pikepdf.open(io.BytesIO(source)) as document:
            for objgen, name in font_programs(source).items():
                for cid, charstring in _charstrings(document.get_object(objgen)).items():
                    assert merged[name][cid] == charstring


def _charstrings(stream: pikepdf.Object) -> dict[str, bytes]:
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(stream.read_bytes()), None)
    top = fonts.topDictIndex[0]
    return {name: top.CharStrings[name].bytecode for name in top.charset[1:]}


def test_volume_pages_render_as_the_parts_pages_do(parts, front, number_font):
    """Renders each page twice with pdftoppm (about 1 s)."""
    _placements, _summary, pdf = _write(parts, front, number_font)

    volume_page = 2
    for data in parts:
        with pikepdf.open(io.BytesIO(data)) as document:
            count = len(document.pages)
        for page in range(1, count + 1):
            original, bound = page_image(data, page, dpi=DPI), page_image(pdf, volume_page, dpi=DPI)
            # pixel for pixel the same below the number, and the number drawn above
            assert differing_box(original, bound, top=NUMBER_BAND) is None
            assert differing_box(original, bound) is not None
            volume_page += 1


def test_volume_keeps_identical_objects_once(parts, front, number_font):
    # given two parts that show the same picture (with its transparency mask), a third another one
    _placements, _summary, pdf = _write(parts, front, number_font)

    with pikepdf.open(io.BytesIO(pdf)) as volume:
        images = [
            obj
            for obj in volume.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        ]
    # two pictures, each with its mask: four image streams, not six
    assert len(images) == 4


def test_volume_refuses_a_part_that_is_not_a_pdf():
    volume = Volume()

    with pytest.raises(VolumeError, match="第9份: not a readable PDF"):
        volume.part_add(b"%PDF-1.7 but nothing else", title="第9份")


def test_volume_refuses_a_number_font_without_the_digits(parts, front):
    volume = Volume()
    volume.part_add(parts[2], title="第1份")

    with pytest.raises(VolumeError, match="no glyph for some of"):
        volume.write(
            io.BytesIO(),
            front=front,
            number_font=pdf_from_html("<p>汇编第页</p>"),
            number_text=number_text,
            title="汇编",
        )


def test_volume_refuses_to_write_without_parts(front, number_font):
    with pytest.raises(VolumeError, match="at least one part"):
        Volume().write(
            io.BytesIO(), front=front, number_font=number_font, number_text=number_text, title="汇编"
        )
