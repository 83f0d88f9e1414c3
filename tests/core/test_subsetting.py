"""WeasyPrint subsets each face in one pass (core.pdf.subsetting), and the glyphs drawn are the ones used."""

import io

import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet
from weasyprint import HTML
from weasyprint.pdf import fonts as weasyprint_fonts

from core.pdf import engine, subsetting
from core.pdf.fonts import pdf_fonts_compact
from responsibility.letters.pdf import letter_render_pdf
from tests.core.pdf.making import PAGE_CSS, differing_box, page_image, pdf_from_html
from tests.responsibility.pdf.reading import pdf_glyph_report

pytestmark = pytest.mark.django_db


def test_the_engine_installs_the_one_pass_subsetting():
    assert engine.subsetting is subsetting
    assert weasyprint_fonts.Font._harfbuzz_subset is subsetting.subset_one_pass


def test_a_letter_is_subset_once_per_face_and_every_glyph_drawn_has_its_outline(
    countersigned_letter, monkeypatch
):
    passes = []
    original = subsetting.subset_one_pass

    def counted(font, to_unicode, hinting):
        passes.append(font.hash)
        return original(font, to_unicode, hinting)

    monkeypatch.setattr(weasyprint_fonts.Font, "_harfbuzz_subset", counted)

    pdf = letter_render_pdf(letter=countersigned_letter, verification_code="K7QX-3M9D-PA2W-H4TZ")

    assert passes and len(passes) == len(set(passes))  # one pass per face
    report = pdf_glyph_report(pdf)
    assert "责" in report.drawn and not report.notdef, report.notdef


def test_bare_cid_faces_draw_the_same_glyphs_as_faces_that_keep_their_glyph_ids():
    """Renders and rasterises two PDFs (about 2 s): the bare subset must select each glyph by its CID."""
    # given the same Chinese text, subset by CID (as html_to_pdf does) and with the glyph ids kept
    body = "<h1>党风廉政建设责任书</h1><p>认真履行“一岗双责”，问题整改销号：昇、喆、堃、珺。</p>"
    bare = pdf_from_html(body)
    html = HTML(string=f'<html lang="zh-CN"><head><style>{PAGE_CSS}</style></head><body>{body}</body></html>')
    kept = html.write_pdf(font_config=engine.font_configuration(), finisher=pdf_fonts_compact)

    # then the pages look the same, pixel for pixel
    assert differing_box(page_image(bare, 1), page_image(kept, 1)) is None
    # and only the bare subsets hold just the glyphs used (plus .notdef), not every id up to the last
    assert max(_glyph_counts(bare)) < 40
    assert max(_glyph_counts(kept)) > 1000


def _glyph_counts(pdf: bytes) -> list[int]:
    """How many glyphs each embedded CFF program holds."""
    counts = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and "/FontFile3" in obj:
                fonts = CFFFontSet()
                fonts.decompile(io.BytesIO(obj["/FontFile3"].read_bytes()), None)
                counts.append(len(fonts[fonts.fontNames[0]].charset))
    return counts
