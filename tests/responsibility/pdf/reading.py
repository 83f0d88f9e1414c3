"""Reading rendered letter PDFs back in tests: their text, and whether every character has a real glyph."""

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass, field

import pypdf
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


def pdf_text(pdf: bytes) -> str:
    """The text as poppler's pdftotext extracts it (what a reader copying from the PDF gets)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", file.name, "-"], capture_output=True, check=True, timeout=30
        )
    return result.stdout.decode()


def compact(text: str) -> str:
    """Without white space: a long line may be broken anywhere when it is laid out."""
    return re.sub(r"\s+", "", text)


@dataclass
class GlyphReport:
    """What the embedded fonts can draw: characters with a real outline, and the ones that fell to .notdef."""

    drawn: set[str] = field(default_factory=set)
    notdef: set[str] = field(default_factory=set)
    encodings: set[str] = field(default_factory=set)


def pdf_glyph_report(pdf: bytes) -> GlyphReport:
    """Check every (code → Unicode) pair of every font's ToUnicode map against the embedded program.

    A character counts as drawn only if its code selects a glyph that exists in the embedded font
    program and has an outline: for a CID-keyed CFF font through the charset (CID → glyph), for a
    TrueType CIDFont through the identity CID → glyph id map. WeasyPrint marks text it could not
    draw with a non-identity encoding CMap and the .notdef glyph; both show up here.
    """
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    report = GlyphReport()
    seen: set[int] = set()
    for page in reader.pages:
        for font in _fonts(page.get("/Resources")):
            reference = font.indirect_reference
            key = reference.idnum if reference is not None else id(font)
            if key in seen or font.get("/Subtype") != "/Type0":
                continue
            seen.add(key)
            _check_type0_font(font, report)
    return report


def _fonts(resources):
    if resources is None:
        return
    resources = resources.get_object()
    for font in (resources.get("/Font") or DictionaryObject()).values():
        yield font.get_object()
    for xobject in (resources.get("/XObject") or DictionaryObject()).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts(xobject.get("/Resources"))


def _check_type0_font(font, report: GlyphReport) -> None:
    encoding = font.get("/Encoding")
    report.encodings.add(encoding if isinstance(encoding, str) else "custom CMap")
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    to_unicode = _to_unicode_map(font["/ToUnicode"].get_object().get_data())
    if "/FontFile3" in descriptor:
        stream = descriptor["/FontFile3"].get_object()
        data = stream.get_data()
        if stream.get("/Subtype") == "/OpenType":
            data = TTFont(io.BytesIO(data)).reader["CFF "]
        has_outline = _cff_outline_checker(data)
    else:
        has_outline = _truetype_outline_checker(descriptor["/FontFile2"].get_object().get_data())
    for code, text in to_unicode.items():
        for character in text:
            if character.isspace():
                continue
            if code != 0 and has_outline(code):
                report.drawn.add(character)
            else:
                report.notdef.add(character)


def _to_unicode_map(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    text = cmap.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for source, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(source, 16)] = bytes.fromhex(target).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for start, end, target in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first = bytes.fromhex(target).decode("utf-16-be")
            for offset, code in enumerate(range(int(start, 16), int(end, 16) + 1)):
                mapping[code] = first[:-1] + chr(ord(first[-1]) + offset)
    return mapping


def _cff_outline_checker(cff_data: bytes):
    font_set = CFFFontSet()
    font_set.decompile(io.BytesIO(cff_data), None)
    top = font_set[font_set.fontNames[0]]
    char_strings = top.CharStrings
    cid_keyed = hasattr(top, "ROS")
    glyph_order = top.charset

    def has_outline(code: int) -> bool:
        if cid_keyed:
            name = f"cid{code:05d}"
        elif code < len(glyph_order):
            name = glyph_order[code]
        else:
            return False
        if name not in char_strings:
            return False
        char_string = char_strings[name]
        char_string.decompile()
        return any(op in char_string.program for op in ("rmoveto", "hmoveto", "vmoveto"))

    return has_outline


def _truetype_outline_checker(data: bytes):
    font = TTFont(io.BytesIO(data))
    glyph_order = font.getGlyphOrder()
    glyf = font.get("glyf")

    def has_outline(code: int) -> bool:
        if code >= len(glyph_order):
            return False
        if glyf is None:
            return True
        glyph = glyf[glyph_order[code]]
        return glyph.numberOfContours != 0

    return has_outline


def pdf_link_uris(pdf: bytes) -> set[str]:
    """The targets of the link annotations on every page."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    uris = set()
    for page in reader.pages:
        for annotation in page.get("/Annots") or ArrayObject():
            annotation = annotation.get_object() if isinstance(annotation, IndirectObject) else annotation
            action = annotation.get("/A")
            if action is not None and action.get_object().get("/URI"):
                uris.add(str(action.get_object()["/URI"]))
    return uris
