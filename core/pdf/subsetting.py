"""Font subsetting in one HarfBuzz pass where WeasyPrint makes two, and our finisher made a third.

WeasyPrint 70 subsets each embedded face twice (weasyprint/pdf/fonts.py, Font._harfbuzz_subset): once to
the glyphs used, keeping their ids, then again to every glyph id up to the last one used, to drop the
empty slots after it. `subset_one_pass` does it once, with the same glyphs, flags and dropped tables and
no hinting. Within `bare_cid_faces` (html_to_pdf), a CID-keyed CFF face (the CJK faces of the letters) is
subset without retained glyph ids: its glyphs keep their CIDs in the charset, and our finisher
(core.pdf.fonts.pdf_fonts_compact) embeds its CFF program bare, where glyphs are found by CID. Before,
the finisher subset each such face once more to get there: about 12 ms of a letter's 0.16 s of CPU
(bench/run-pdf), for the same bytes. When HarfBuzz fails, the face is left to WeasyPrint's own method.

It replaces `weasyprint.pdf.fonts.Font._harfbuzz_subset`; `install` is idempotent and is called by the
PDF engine at import. tests/core/test_subsetting.py fails if a WeasyPrint upgrade stops calling it.
"""

import contextlib
import contextvars

from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

from core.pdf.fonts import cff_is_cid_keyed

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


# Set by `bare_cid_faces`: the document's finisher embeds CID-keyed faces bare (pdf_fonts_compact).
_bare_cid_faces: contextvars.ContextVar[bool] = contextvars.ContextVar("bare_cid_faces", default=False)


@contextlib.contextmanager
def bare_cid_faces():
    """Within: CID-keyed CFF faces are subset for core.pdf.fonts.pdf_fonts_compact, which must then be the
    document's finisher (html_to_pdf's is). Outside, a subset stays one WeasyPrint may embed as it is."""
    token = _bare_cid_faces.set(True)
    try:
        yield
    finally:
        _bare_cid_faces.reset(token)


def install() -> None:
    """Make WeasyPrint subset every face in one pass (idempotent)."""
    weasyprint_fonts.Font._harfbuzz_subset = subset_one_pass


def subset_one_pass(font, to_unicode, hinting) -> None:
    """Keep the glyphs of `to_unicode` in `font.file_content`, in one pass: within `bare_cid_faces`, a
    CID-keyed CFF face with its glyphs' CIDs only, any other face (and any face outside) with their glyph
    ids unchanged."""
    subset_input = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy
    )
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    glyph_ids = sorted(to_unicode)
    harfbuzz.hb_set_add_sorted_array(
        glyphs, ffi.new(f"hb_codepoint_t[{len(glyph_ids)}]", glyph_ids), len(glyph_ids)
    )
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if not (_bare_cid_faces.get() and face_is_cid_keyed_cff(font.hb_face)):
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS  # read by glyph id, as WeasyPrint embeds it
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


_CFF_TAG = harfbuzz.hb_tag_from_string(b"CFF ", -1)
# The CFF header, name and top DICT of a CID-keyed face sit in its first bytes.
_CFF_HEAD_BYTES = 4096


def face_is_cid_keyed_cff(hb_face) -> bool:
    """Whether a HarfBuzz face is an OpenType font whose CFF program is CID-keyed (glyphs found by CID)."""
    blob = harfbuzz.hb_face_reference_table(hb_face, _CFF_TAG)
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        if not length[0]:
            return False
        return cff_is_cid_keyed(bytes(ffi.buffer(data, min(length[0], _CFF_HEAD_BYTES))))
    finally:
        harfbuzz.hb_blob_destroy(blob)
