"""The pre-subset GBK faces (manage.py prepare_pdf_fonts): used when present, optional, fetchable alone."""

import io
import shutil

import pypdf
import pytest
from django.core.management import call_command
from django.test import override_settings
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont
from weasyprint.urls import FatalURLFetchingError

from accounts.models import User
from core.pdf import fonts
from core.pdf.engine import ASSETS_DIR, AssetsOnlyFetcher
from core.pdf.fonts import (
    PRESUBSET_FAMILY,
    PRESUBSET_FANG,
    PRESUBSET_FILES,
    font_stack_with_presubset,
    pdf_fonts_check,
    presubset_font_face_css,
    presubset_fonts_dir,
)
from responsibility.letters.pdf import _letter_context, letter_render_pdf
from responsibility.letters.services.letters import letter_countersign, letter_sign
from tests.conftest import attestation_for
from tests.responsibility.pdf.reading import compact, pdf_glyph_report, pdf_text

pytestmark = pytest.mark.django_db

CODE = "K7QX-3M9D-PA2W-H4TZ"
# 䶮 (U+4DAE, CJK Extension A, the name of 刘䶮) is outside GBK: it must come from the full system font.
EXTENSION_A_NAME = "刘䶮昇"


@pytest.fixture
def presubset_fonts(pdf_fonts):
    if pdf_fonts is None:
        pytest.skip("Noto Serif CJK SC Regular and Bold are not installed")
    return pdf_fonts


@pytest.fixture
def no_presubset_fonts(tmp_path):
    """Settings whose VAR_DIR has no fonts folder: the state before prepare_pdf_fonts ran."""
    with override_settings(VAR_DIR=tmp_path / "var"):
        yield


def _embedded_fonts(pdf: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return {
        str(font.get_object()["/DescendantFonts"][0].get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_letter_render_pdf_sets_the_text_in_the_presubset_faces(presubset_fonts, countersigned_letter):
    # when
    pdf = letter_render_pdf(letter=countersigned_letter, verification_code=CODE)

    # then the body and the title come from our small faces, and no glyph is missing
    embedded = _embedded_fonts(pdf)
    assert "Letters-Serif-GB" in embedded
    assert "Letters-Serif-GB-Bold" in embedded
    assert pdf_glyph_report(pdf).notdef == set()


def test_letter_render_pdf_falls_back_per_glyph_for_characters_outside_gbk(presubset_fonts, issued_letter):
    # given a signer whose name holds a character of CJK Extension A
    User.objects.filter(pk=issued_letter.signer_id).update(full_name=EXTENSION_A_NAME)
    letter = letter_sign(
        letter=issued_letter,
        signed_by=User.objects.get(pk=issued_letter.signer_id),
        attestation=attestation_for(issued_letter, name=EXTENSION_A_NAME),
    )
    letter = letter_countersign(
        letter=letter, countersigned_by=letter.issuer, attestation=attestation_for(letter)
    )

    # when
    pdf = letter_render_pdf(letter=letter, verification_code=CODE)

    # then 䶮 is drawn from the full system font, the rest of the name from the small face
    assert EXTENSION_A_NAME in compact(pdf_text(pdf))
    report = pdf_glyph_report(pdf)
    assert report.notdef == set()
    assert set(EXTENSION_A_NAME) <= report.drawn
    assert {"Letters-Serif-GB", "Noto-Serif-CJK-SC"} <= _embedded_fonts(pdf)


def test_letter_render_pdf_works_without_the_presubset_faces(no_presubset_fonts, countersigned_letter):
    # when
    context = _letter_context(letter=countersigned_letter, verification_code=CODE, resources={})
    pdf = letter_render_pdf(letter=countersigned_letter, verification_code=CODE)

    # then no @font-face is declared, the stacks are the configured ones, and the text still renders
    assert context["font_faces"] == ""
    assert "Letters Serif GB" not in context["font_body"]
    assert countersigned_letter.reference in compact(pdf_text(pdf))
    assert pdf_glyph_report(pdf).notdef == set()


def _fonts_folder_holding(var, names) -> None:
    """VAR_DIR/fonts with files of these names (font_stack_with_presubset looks only at which exist)."""
    (var / "fonts").mkdir(parents=True)
    for name in names:
        (var / "fonts" / name).write_bytes(b"OTTO")


def test_font_stack_with_presubset_goes_right_before_each_source(tmp_path):
    # given the pre-subset serif and 仿宋 faces
    _fonts_folder_holding(tmp_path, [*PRESUBSET_FILES.values(), *PRESUBSET_FANG.files.values()])

    # when
    with override_settings(VAR_DIR=tmp_path):
        stack = font_stack_with_presubset('"仿宋_GB2312", FandolFang, "Noto Serif CJK SC", serif')
        unrelated = font_stack_with_presubset('"LXGW WenKai", serif')

    # then each goes right before the face it was cut from; official faces keep precedence, and a
    # stack without either source is left alone
    assert stack == (
        f'"仿宋_GB2312", "{PRESUBSET_FANG.family}", "FandolFang", '
        f'"{PRESUBSET_FAMILY}", "Noto Serif CJK SC", serif'
    )
    assert unrelated == '"LXGW WenKai", serif'


def test_font_stack_with_presubset_leaves_fandolfang_alone_without_its_presubset_face(tmp_path):
    # given the serif faces only (FandolFang was not installed when prepare_pdf_fonts ran)
    _fonts_folder_holding(tmp_path, PRESUBSET_FILES.values())

    # when
    with override_settings(VAR_DIR=tmp_path):
        stack = font_stack_with_presubset('"仿宋_GB2312", FandolFang, "Noto Serif CJK SC", serif')

    # then
    assert stack == f'"仿宋_GB2312", "FandolFang", "{PRESUBSET_FAMILY}", "Noto Serif CJK SC", serif'


def test_presubset_font_face_css_is_inert_in_a_style_element(presubset_fonts, tmp_path):
    # given a VAR_DIR whose path holds characters that mean something in CSS or HTML
    var = tmp_path / "v a'r\"</style>(x)"
    shutil.copytree(presubset_fonts, var / "fonts")

    # when
    with override_settings(VAR_DIR=var):
        css = presubset_font_face_css()

    # then one rule a file (the serif's two, the 仿宋's where FandolFang is installed), and the URLs are
    # percent-encoded: nothing can end the url(), the rule or the <style>
    assert css.count("@font-face") == len(list((var / "fonts").glob("*.otf"))) >= 2
    for char in "<>\"'&;":
        assert char not in css.replace("; ", "").replace(";}", "")
    assert "%3C/style%3E%28x%29" in css


def test_assets_only_fetcher_serves_the_presubset_fonts(presubset_fonts):
    # given
    fetcher = AssetsOnlyFetcher(fonts=presubset_fonts_dir())

    # when
    response = fetcher.fetch((presubset_fonts_dir() / PRESUBSET_FILES["normal"]).resolve().as_uri())

    # then
    assert response.read()[:4] == b"OTTO"


@pytest.mark.parametrize(
    "relative",
    ["../db.sqlite3", "../seal/organisation-seal.p12", "../media/letters/x.pdf", "no-such-font.otf"],
)
def test_assets_only_fetcher_allows_nothing_else_near_the_fonts(presubset_fonts, relative):
    # given a fetcher allowed the fonts folder
    fetcher = AssetsOnlyFetcher(fonts=presubset_fonts_dir())

    # when / then the folder's neighbours (and traversals out of it) stay refused
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch(presubset_fonts_dir().as_uri() + "/" + relative)


def test_assets_only_fetcher_refuses_a_symlink_out_of_the_fonts(tmp_path):
    # given a fonts folder holding a symlink to a secret outside it
    fonts_dir = tmp_path / "fonts"
    fonts_dir.mkdir()
    secret = tmp_path / "organisation-seal.p12"
    secret.write_bytes(b"secret")
    (fonts_dir / "font.otf").symlink_to(secret)

    # when / then
    with pytest.raises(FatalURLFetchingError):
        AssetsOnlyFetcher(root=ASSETS_DIR, fonts=fonts_dir).fetch((fonts_dir / "font.otf").as_uri())


def test_pdf_fonts_check_mentions_the_slower_path_without_the_presubset_faces(no_presubset_fonts):
    # when
    warnings = [message for message in pdf_fonts_check() if message.id == "responsibility.W003"]

    # then
    assert len(warnings) == 1
    assert "prepare_pdf_fonts" in warnings[0].hint


def test_prepare_pdf_fonts_keeps_up_to_date_faces(presubset_fonts, monkeypatch):
    # given the faces were made by the session fixture; making them again would take 45 s
    monkeypatch.setattr(fonts, "_font_rename", lambda *args, **kwargs: pytest.fail("subset again"))
    out = io.StringIO()

    # when
    call_command("prepare_pdf_fonts", stdout=out)

    # then (the command speaks the interface's language, Chinese first)
    assert "PDF 字体已是最新" in out.getvalue()


@pytest.mark.parametrize("face", [fonts.PRESUBSET_SERIF, PRESUBSET_FANG], ids=["serif", "fang"])
def test_each_cut_face_holds_every_character_asked_for_with_the_sources_outlines(presubset_fonts, face):
    """The faces HarfBuzz cut (core.pdf.presubset_cut), read back with fontTools: about 2 s a face."""
    sources = fonts.presubset_source_fonts(face)
    if sources is None:
        pytest.skip(f"{face.source_family} is not installed")
    characters = {ord(char) for char in fonts.presubset_characters()}
    for weight, (source_path, index) in sources.items():
        source = TTFont(source_path, fontNumber=index, lazy=True)
        cut = TTFont(presubset_fonts_dir() / face.files[weight])
        source_map, cut_map = source.getBestCmap(), cut.getBestCmap()
        # every character asked for that the source has, and our own name
        assert {code for code in characters if code in source_map} <= set(cut_map)
        assert cut["name"].getDebugName(1) == face.family
        # glyph ids are the CIDs again: the charset is .notdef, cid00001, cid00002 …
        charset = cut["CFF "].cff.topDictIndex[0].charset
        assert charset == [".notdef"] + [f"cid{glyph_id:05d}" for glyph_id in range(1, len(charset))]
        # and each glyph draws as in the source (a sample across the ranges), at the same width
        source_glyphs, cut_glyphs = source.getGlyphSet(), cut.getGlyphSet()
        for char in "党风廉政建设责任书〔〕（），。“”—１Aa0":
            drawn = []
            for glyphs, cmap in ((source_glyphs, source_map), (cut_glyphs, cut_map)):
                pen = RecordingPen()
                glyphs[cmap[ord(char)]].draw(pen)
                drawn.append((pen.value, glyphs[cmap[ord(char)]].width))
            assert drawn[0] == drawn[1], char
