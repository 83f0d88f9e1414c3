"""WeasyPrint subsets each face in one pass (core.pdf.subsetting), and the glyphs drawn are the ones used."""

import pytest
from weasyprint.pdf import fonts as weasyprint_fonts

from core.pdf import engine, subsetting
from responsibility.letters.pdf import letter_render_pdf
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
