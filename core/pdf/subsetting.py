"""Font subsetting in one HarfBuzz pass where WeasyPrint makes two.

WeasyPrint 70 subsets each embedded face twice (weasyprint/pdf/fonts.py, Font._harfbuzz_subset): once to
the glyphs used, keeping their ids, then again to every glyph id up to the last one used, to drop the
empty slots after it. Our finisher (core.pdf.fonts.pdf_fonts_compact) then cuts each CFF face a third
time, to the used glyphs as a bare CID-keyed CFF, so the second pass only costs: with the pre-subset
faces it was half of WeasyPrint's subsetting time, about 12 ms of a 4-page letter's 0.18 s
(bench/run-pdf). `subset_one_pass` does the first pass alone, with the same glyphs, flags and dropped
tables, and no hinting (the finisher drops it anyway); when HarfBuzz fails it leaves the face to
WeasyPrint's own method.

It replaces `weasyprint.pdf.fonts.Font._harfbuzz_subset`; `install` is idempotent and is called by the
PDF engine at import. tests/core/test_subsetting.py fails if a WeasyPrint upgrade stops calling it.
"""

from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

# The tables WeasyPrint drops (layout and bitmap tables a PDF does not use).
_DROPPED_TABLES = (
    b"BASE",
    b"DSIG",
    b"EBDT",
    b"EBLC",
    b"EBSC",
    b"GPOS",
    b"GSUB",
    b"JSTF",
    b"LTSH",
    b"PCLT",
    b"SVG ",
)

_weasyprint_harfbuzz_subset = weasyprint_fonts.Font._harfbuzz_subset


def install() -> None:
    """Make WeasyPrint subset every face in one pass (idempotent)."""
    weasyprint_fonts.Font._harfbuzz_subset = subset_one_pass


def subset_one_pass(font, to_unicode, hinting) -> None:
    """Keep the glyphs of `to_unicode` (their ids unchanged) in `font.file_content`, in one pass."""
    subset_input = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy
    )
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    glyph_ids = sorted(to_unicode)
    harfbuzz.hb_set_add_sorted_array(
        glyphs, ffi.new(f"hb_codepoint_t[{len(glyph_ids)}]", glyph_ids), len(glyph_ids)
    )
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
        | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    dropped = harfbuzz_subset.hb_subset_input_set(subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = [harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROPPED_TABLES]
    harfbuzz.hb_set_add_sorted_array(
        dropped, ffi.new(f"hb_codepoint_t[{len(tags)}]", sorted(tags)), len(tags)
    )
    face = harfbuzz_subset.hb_subset_or_fail(font.hb_face, subset_input)
    if face != ffi.NULL:
        face = ffi.gc(face, harfbuzz.hb_face_destroy)
        content = weasyprint_fonts.get_hb_object_data(face)
        if content:
            font.file_content = content
            return
    _weasyprint_harfbuzz_subset(font, to_unicode, hinting)
