"""The pre-subset faces cut by HarfBuzz's subsetter (hb-subset), the library WeasyPrint already loads.

core.pdf.fonts makes the small GBK faces of the letters (`presubset_fonts_prepare`) from the full Noto
Serif CJK SC and FandolFang. fontTools' subsetter took about 35 s a face, desubroutinizing the CFF in
Python; HarfBuzz cuts the same characters, layout features and options in well under a second, and
fontTools then only renames the face and numbers its CIDs (core.pdf.fonts). WeasyPrint's bindings
(weasyprint.text.ffi) lack the calls that read a face from a file and fill the subset's Unicode set,
so this module declares the few it needs, in its own cffi namespace.
"""

import functools

import cffi

# hb-subset's flags and sets (hb-subset.h, HarfBuzz ≥ 2.9: Debian bookworm has 6.0).
_FLAG_NO_HINTING = 0x00000001
_FLAG_DESUBROUTINIZE = 0x00000004
_SET_NAME_ID = 4
_SET_LAYOUT_FEATURE_TAG = 6

_DECLARATIONS = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;
hb_blob_t * hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t * hb_face_reference_blob (hb_face_t *face);
hb_tag_t hb_tag_from_string (const char *str, int len);
void hb_set_clear (hb_set_t *set);
void hb_set_add_sorted_array (hb_set_t *set, const hb_codepoint_t *sorted_codepoints, unsigned int count);
"""
_SUBSET_DECLARATIONS = """
hb_subset_input_t * hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t * hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_set_t * hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
hb_face_t * hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""


class HarfBuzzCutError(RuntimeError):
    """HarfBuzz could not read the source face or cut it."""


@functools.cache
def _libraries():
    ffi = cffi.FFI()
    ffi.cdef(_DECLARATIONS + _SUBSET_DECLARATIONS)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


def face_cut(path, *, index: int, characters: str, layout_features: list[str], name_ids: list[int]) -> bytes:
    """The font file of face `index` of `path` cut to `characters` (and the glyphs their layout features
    reach), CFF desubroutinized, without hinting, keeping the names `name_ids`: a CID-keyed face keeps
    each glyph's CID in its charset."""
    ffi, hb, subset = _libraries()
    blob = hb.hb_blob_create_from_file_or_fail(str(path).encode())
    if blob == ffi.NULL:
        raise HarfBuzzCutError(f"HarfBuzz cannot read {path}")
    blob = ffi.gc(blob, hb.hb_blob_destroy)
    face = ffi.gc(hb.hb_face_create(blob, index), hb.hb_face_destroy)
    cut_input = subset.hb_subset_input_create_or_fail()
    if cut_input == ffi.NULL:
        raise HarfBuzzCutError("HarfBuzz cannot make a subset input")
    cut_input = ffi.gc(cut_input, subset.hb_subset_input_destroy)
    _set_fill(ffi, hb, subset.hb_subset_input_unicode_set(cut_input), sorted(map(ord, set(characters))))
    tags = sorted(hb.hb_tag_from_string(tag.encode(), -1) for tag in layout_features)
    _set_fill(ffi, hb, subset.hb_subset_input_set(cut_input, _SET_LAYOUT_FEATURE_TAG), tags)
    _set_fill(ffi, hb, subset.hb_subset_input_set(cut_input, _SET_NAME_ID), sorted(name_ids))
    subset.hb_subset_input_set_flags(cut_input, _FLAG_NO_HINTING | _FLAG_DESUBROUTINIZE)
    cut = subset.hb_subset_or_fail(face, cut_input)
    if cut == ffi.NULL:
        raise HarfBuzzCutError(f"HarfBuzz cannot cut face {index} of {path}")
    cut = ffi.gc(cut, hb.hb_face_destroy)
    data = ffi.gc(hb.hb_face_reference_blob(cut), hb.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    pointer = hb.hb_blob_get_data(data, length)
    return bytes(ffi.buffer(pointer, length[0]))


def _set_fill(ffi, hb, target, values: list[int]) -> None:
    """`target` holds exactly `values` (sorted)."""
    hb.hb_set_clear(target)
    hb.hb_set_add_sorted_array(target, ffi.new("hb_codepoint_t[]", values), len(values))
