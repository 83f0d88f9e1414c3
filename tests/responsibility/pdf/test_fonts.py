"""Fonts: every character has a real glyph; the configured stacks are safe CSS; the start-up checks."""

import io
import logging
import re

import pypdf
import pytest
from django.core.checks import run_checks
from django.test import override_settings
from weasyprint import HTML

from accounts.models import User
from core.pdf import fonts
from core.pdf.engine import font_configuration
from core.pdf.fonts import (
    font_family_css,
    font_stack_parse,
    harfbuzz_subset_available,
    pdf_fonts_check,
    pdf_fonts_compact,
)
from responsibility.letters.pdf import letter_render_pdf
from responsibility.letters.services.letters import letter_countersign, letter_sign
from tests.conftest import attestation_for
from tests.responsibility.pdf.reading import compact, pdf_glyph_report, pdf_text

# Engine-independent: glyphs and fonts in the rendered PDF; the database only holds the letter rendered.
pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]

# Outside GB2312: the fonts of many deployments (and FandolFang) lack them.
RARE_NAME = "林堃喆昇祎珺"
ISSUER_NAME = "陈永昇"


@pytest.fixture
def rare_name_letter(issued_letter):
    """A letter whose signer's name (and typed signature) is made of characters outside GB2312."""
    User.objects.filter(pk=issued_letter.signer_id).update(full_name=RARE_NAME)
    User.objects.filter(pk=issued_letter.issuer_id).update(full_name=ISSUER_NAME)
    letter = letter_sign(
        letter=issued_letter,
        signed_by=User.objects.get(pk=issued_letter.signer_id),
        attestation=attestation_for(issued_letter, name=RARE_NAME),
    )
    return letter_countersign(
        letter=letter,
        countersigned_by=User.objects.get(pk=letter.issuer_id),
        attestation=attestation_for(letter, name=ISSUER_NAME),
    )


def test_letter_render_pdf_draws_every_character_of_names_outside_gb2312(rare_name_letter, caplog):
    # when
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = letter_render_pdf(letter=rare_name_letter, verification_code="K7QX-3M9D-PA2W-H4TZ")

    # then the names read back as text ...
    text = compact(pdf_text(pdf))
    assert text.count(RARE_NAME) >= 3  # under the signature, the typed signature, the record
    assert ISSUER_NAME in text
    # ... and every character of the PDF selects a real outline in an embedded font: no .notdef
    report = pdf_glyph_report(pdf)
    assert report.notdef == set()
    assert report.encodings == {"/Identity-H"}  # WeasyPrint switches to its own CMap for missing glyphs
    assert set(RARE_NAME + ISSUER_NAME) <= report.drawn
    assert set(text) - {"\x0c"} <= report.drawn  # every character pdftotext read, page breaks aside
    assert not [record for record in caplog.records if ".notdef" in record.getMessage()]


def test_pdf_glyph_report_notices_a_character_no_font_can_draw():
    # given a PDF made the same way, with a character no installed font has (unassigned U+0378)
    pdf = HTML(string='<html lang="zh-CN"><body>王\u0378喆</body></html>').write_pdf(
        font_config=font_configuration(), finisher=pdf_fonts_compact
    )

    # when
    report = pdf_glyph_report(pdf)

    # then the check that guards the letters would fail
    assert report.notdef == {"\u0378"}
    assert {"王", "喆"} <= report.drawn


def test_pdf_fonts_compact_embeds_only_the_glyphs_used(rare_name_letter):
    # when
    pdf = letter_render_pdf(letter=rare_name_letter, verification_code="K7QX-3M9D-PA2W-H4TZ")

    # then the CJK faces are bare CID-keyed CFF programs holding a few hundred glyphs, not 65,000
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    programs = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            if "/FontFile3" in descriptor:
                stream = descriptor["/FontFile3"].get_object()
                programs[descendant["/BaseFont"]] = (stream.get("/Subtype"), len(stream.get_data()))
    # (the pre-subset faces of manage.py prepare_pdf_fonts when they exist, else the system font)
    assert any("Noto-Serif-CJK-SC" in name or "Letters-Serif-GB" in name for name in programs)
    for subtype, size in programs.values():
        assert subtype == "/CIDFontType0C"
        assert size < 120_000


def test_font_family_css_keeps_a_normal_stack_readable():
    # when
    css = font_family_css('"仿宋_GB2312", "FangSong_GB2312", FandolFang, "Noto Serif CJK SC", serif')

    # then
    assert css == "仿宋_GB2312, FangSong_GB2312, FandolFang, Noto Serif CJK SC, serif"


@pytest.mark.parametrize(
    "stack",
    [
        '"Evil</style><script>alert(1)</script>", serif',
        "Noto Serif CJK SC; } body { background: url(http://169.254.169.254/) } x {",
        "'A\\\"B', \"C'D\", serif",
        "\"Font\nwith newline\", @import, {}, 'x/y'",
    ],
)
def test_font_family_css_cannot_break_out_of_the_declaration(stack):
    # when
    css = font_family_css(stack)

    # then only escaped identifiers, commas and spaces: nothing that ends a value, a rule or a <style>
    assert re.fullmatch(r"[\w\- ,\\\u00a0-\U0010ffff]+", css)
    assert not set(css) & set("<>&\"';{}()/@:\n")


def test_font_family_css_keeps_generic_families_generic_and_quoted_keywords_as_names():
    # when
    parsed = font_stack_parse('"serif", serif, "Noto Serif CJK SC"')
    css = font_family_css('"serif", serif, "2D Font"')

    # then
    assert parsed == [("serif", False), ("serif", True), ("Noto Serif CJK SC", False)]
    assert css == "\\73 erif, serif, \\32 D Font"


def test_font_family_css_falls_back_to_noto_for_an_empty_stack():
    assert font_family_css("  ,  ") == "Noto Serif CJK SC, serif"


def test_harfbuzz_subset_available_follows_weasyprint():
    # given WeasyPrint's own decision (weasyprint/pdf/fonts.py Font.subset)
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    weasyprint_uses_harfbuzz = harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))

    # then
    assert harfbuzz_subset_available() is weasyprint_uses_harfbuzz
    assert harfbuzz_subset_available()  # the set-up installs libharfbuzz-subset0


def test_pdf_fonts_check_is_quiet_on_a_complete_installation():
    # when
    messages = [message for message in run_checks() if message.id.startswith("responsibility.W00")]

    # then
    assert messages == []


def test_pdf_fonts_check_warns_when_weasyprint_would_take_the_slow_path(monkeypatch):
    # given WeasyPrint could not load libharfbuzz-subset
    monkeypatch.setattr(fonts, "harfbuzz_subset_available", lambda: False)

    # when
    warnings = [message for message in pdf_fonts_check() if message.id == "responsibility.W001"]

    # then
    assert len(warnings) == 1
    assert "~50x slower" in warnings[0].msg
    assert "libharfbuzz-subset0" in warnings[0].msg


@override_settings(PDF_FONT_BODY='"仿宋_GB2312", "No Such Font", serif')
def test_pdf_fonts_check_warns_when_no_font_of_the_body_stack_is_installed():
    # when
    warnings = [message for message in pdf_fonts_check() if message.id == "responsibility.W002"]

    # then
    assert len(warnings) == 1
    assert "PDF_FONT_BODY" in warnings[0].msg
    assert "No Such Font" in warnings[0].msg


@override_settings(PDF_FONT_BODY='"仿宋_GB2312", "No Such Fang", "Noto Serif CJK SC", serif')
def test_pdf_fonts_check_warns_when_the_body_would_be_set_in_song_not_fangsong():
    # when
    warnings = [message for message in pdf_fonts_check() if message.id == "responsibility.W004"]

    # then the deployment learns that GB/T 9704's 仿宋 is missing, and how to get it
    assert len(warnings) == 1
    assert "Noto Serif CJK SC" in warnings[0].msg
    assert "scripts/install-fang-font" in warnings[0].hint


@override_settings(PDF_FONT_BODY='"Installed Fang", "Noto Serif CJK SC", serif')
def test_pdf_fonts_check_accepts_the_first_installed_face_of_the_body_stack(monkeypatch):
    # given a 仿宋 face the deployment installed itself
    monkeypatch.setattr(
        fonts, "installed_cjk_families", lambda: frozenset({"installed fang", "noto serif cjk sc"})
    )

    # when
    warnings = [
        message
        for message in pdf_fonts_check()
        if message.id in ("responsibility.W002", "responsibility.W004")
    ]

    # then
    assert fonts.pdf_body_face() == "Installed Fang"
    assert warnings == []


def test_pdf_fonts_check_asks_for_the_presubset_fangsong_when_fandolfang_is_installed(monkeypatch, tmp_path):
    # given FandolFang is installed, but prepare_pdf_fonts made only the serif faces
    monkeypatch.setattr(
        fonts, "installed_cjk_families", lambda: frozenset({"fandolfang", "noto serif cjk sc", "lxgw wenkai"})
    )
    (tmp_path / "fonts").mkdir()
    for name in fonts.PRESUBSET_FILES.values():
        (tmp_path / "fonts" / name).write_bytes(b"OTTO")

    # when
    with override_settings(VAR_DIR=tmp_path):
        warnings = [message for message in pdf_fonts_check() if message.id == "responsibility.W003"]

    # then
    assert len(warnings) == 1
    assert fonts.PRESUBSET_FANG.family in warnings[0].msg
    assert fonts.PRESUBSET_FAMILY not in warnings[0].msg


def test_pdf_fonts_check_warns_when_fontconfig_is_missing(monkeypatch):
    # given fc-list is not installed
    monkeypatch.setattr(fonts, "installed_cjk_families", lambda: None)

    # when
    warnings = [message for message in pdf_fonts_check() if message.id == "responsibility.W002"]

    # then every stack is reported: nothing tells which fonts exist
    assert {
        setting for setting in ("PDF_FONT_BODY", "PDF_FONT_TITLE") if any(setting in w.msg for w in warnings)
    } == {
        "PDF_FONT_BODY",
        "PDF_FONT_TITLE",
    }


def test_the_worker_warns_at_start_up_when_pdfs_would_take_the_slow_path(monkeypatch, caplog):
    from django.core import checks

    from responsibility import tasks

    # given a machine where WeasyPrint would fall back to the slow path
    monkeypatch.setattr(
        "core.pdf.fonts.pdf_fonts_check",
        lambda *args, **kwargs: [checks.Warning("slow path", hint="install it", id="responsibility.W001")],
    )

    # when the worker is ready
    with caplog.at_level("WARNING", logger="responsibility.tasks"):
        tasks.pdf_fast_path_warn(sender=None)

    # then the log says so
    assert "responsibility.W001: slow path install it" in caplog.text
