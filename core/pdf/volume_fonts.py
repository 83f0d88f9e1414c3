"""The font dictionaries of a print volume (core.pdf.volume): which parts' fonts are subsets of one face,
and one dictionary for those that agree.

A `FontUse` is one composite font dictionary of one part; a `FontGroup` holds the subsets of one face
that share one program (core.pdf.font_union). Their widths (/W) and text mappings (/ToUnicode) are read
here, compared, and written back as one.
"""

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pikepdf

from core.pdf.font_union import CffUnion, TrueTypeUnion, cff_subset_read, truetype_subset_read


@dataclass
class FontUse:
    """One composite font dictionary of one source PDF, with what is needed to share it."""

    source: int  # index into _Writer.sources
    font: pikepdf.Object  # the Type0 dictionary
    program: pikepdf.Object  # its FontFile2 or FontFile3 stream
    # Its /W as the set of its entries' text (`c [w1 w2 …]`, `c_first c_last w`): the entries most
    # members have in common are compared as text, and only the others read as numbers.
    width_entries: frozenset[bytes] = frozenset()
    unicode: dict[bytes, bytes] = field(default_factory=dict)  # its /ToUnicode: {code: UTF-16BE}, hex


@dataclass
class FontGroup:
    """Subsets of one face: one program for all of them."""

    union: CffUnion | TrueTypeUnion
    members: list[FontUse] = field(default_factory=list)


def group_join(groups: list[FontGroup], use: FontUse) -> FontGroup | None:
    """The group of the face this program is a subset of (a new group if none fits), or None."""
    data = use.program.read_bytes()
    if use.program.get("/Subtype") == pikepdf.Name.CIDFontType0C:
        subset, kind, start = cff_subset_read(data), CffUnion, CffUnion.start
    else:
        subset, kind, start = truetype_subset_read(data), TrueTypeUnion, TrueTypeUnion.start
    if subset is None:
        return None
    for group in groups:
        if isinstance(group.union, kind) and group.union.add(subset):
            return group
    groups.append(FontGroup(union=start(subset)))
    return groups[-1]


def font_use(source: int, font: pikepdf.Object, memo: dict) -> FontUse | None:
    """A Type0 font with one CIDFont and an embedded program of a kind that can be merged, or None."""
    if font.get("/Subtype") != pikepdf.Name.Type0:
        return None
    descendants = font.get("/DescendantFonts")
    if not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
        return None
    descendant = descendants[0]
    descriptor = descendant.get("/FontDescriptor") if isinstance(descendant, pikepdf.Dictionary) else None
    if not isinstance(descriptor, pikepdf.Dictionary):
        return None
    subtype = descendant.get("/Subtype")
    if subtype == pikepdf.Name.CIDFontType0 and "/FontFile3" in descriptor:
        program = descriptor.FontFile3
        if not isinstance(program, pikepdf.Stream) or program.get("/Subtype") != pikepdf.Name.CIDFontType0C:
            return None
    elif subtype == pikepdf.Name.CIDFontType2 and "/FontFile2" in descriptor:
        if descendant.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
            return None  # glyph ids are not the CIDs: the union by glyph id would not hold
        program = descriptor.FontFile2
    else:
        return None
    if not isinstance(program, pikepdf.Stream) or not program.is_indirect:
        return None
    to_unicode = font.get("/ToUnicode")
    return FontUse(
        source=source,
        font=font,
        program=program,
        width_entries=_width_entries(descendant.get("/W"), memo),
        unicode=_to_unicode_read(to_unicode.read_bytes(), memo)
        if isinstance(to_unicode, pikepdf.Stream)
        else {},
    )


def font_setup(font: pikepdf.Object) -> tuple:
    """What font dictionaries of one face must agree on to be one: name, style, encoding, defaults.

    The name without its subset tag and the descriptor's style keys keep apart dictionaries that
    share glyphs but not a style (a synthetic bold drawn with the regular glyphs, say).
    """
    descendant = font.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    name = str(font.get("/BaseFont", "")).split("+", 1)[-1]
    return (name,) + tuple(
        value.unparse() if isinstance(value, pikepdf.Object) else repr(value)
        for value in (
            font.get("/Encoding"),
            descendant.get("/Subtype"),
            descendant.get("/CIDSystemInfo"),
            descendant.get("/DW"),
            descendant.get("/W2"),
            descendant.get("/DW2"),
            descendant.get("/CIDToGIDMap"),
            descriptor.get("/Flags"),
            descriptor.get("/ItalicAngle"),
            descriptor.get("/FontWeight"),
            descriptor.get("/StemV"),
        )
    )


_W_ENTRY = re.compile(rb"\d+\s*\[[^\]]*\]|\d+\s+\d+\s+[-+.\d]+")


def _width_entries(widths, memo: dict) -> frozenset[bytes]:
    """The entries of a CIDFont's /W array, as text: `c [w1 w2 …]` and `c_first c_last w`."""
    if not isinstance(widths, pikepdf.Array):
        return frozenset()
    text = widths.unparse()
    if text not in memo:
        memo[text] = frozenset(_W_ENTRY.findall(text))
    return memo[text]


def widths_parse(entries: Iterable[bytes]) -> dict[int, bytes]:
    """/W entries as {CID: width}."""
    result: dict[int, bytes] = {}
    for entry in entries:
        if b"[" in entry:
            first, run = entry.rstrip(b"] \t\r\n").split(b"[", 1)
            result.update(zip(itertools.count(int(first)), run.split()))
        else:
            first, last, width = entry.split()
            result.update(dict.fromkeys(range(int(first), int(last) + 1), width))
    return result


def widths_array(widths: dict[int, bytes]) -> pikepdf.Object:
    """{CID: width} as a /W array of runs of consecutive CIDs."""
    parts: list[bytes] = []
    run: list[bytes] = []
    start = previous = -2
    for cid in sorted(widths):
        if cid != previous + 1:
            if run:
                parts.append(b"%d [%s]" % (start, b" ".join(run)))
            start, run = cid, []
        run.append(widths[cid])
        previous = cid
    if run:
        parts.append(b"%d [%s]" % (start, b" ".join(run)))
    return pikepdf.Object.parse(b"[" + b" ".join(parts) + b"]")


def bbox_union(descriptors: Iterable[pikepdf.Object]) -> pikepdf.Array:
    boxes = [[float(value) for value in descriptor.FontBBox] for descriptor in descriptors]
    return pikepdf.Array(
        [
            min(box[0] for box in boxes),
            min(box[1] for box in boxes),
            max(box[2] for box in boxes),
            max(box[3] for box in boxes),
        ]
    )


_BFCHAR = re.compile(rb"BEGINBFCHAR(.*?)ENDBFCHAR", re.S)  # in a CMap read in upper case
_BFCHAR_PAIR = re.compile(rb"<([0-9A-F]+)>\s*<([0-9A-F]*)>")
_BFRANGE = re.compile(rb"BEGINBFRANGE(.*?)ENDBFRANGE", re.S)
_BFRANGE_ENTRY = re.compile(rb"<([0-9A-F]+)>\s*<([0-9A-F]+)>\s*(<[0-9A-F\s]*>|\[[^\]]*\])")
_HEX = re.compile(rb"<([0-9A-F\s]*)>")


def _to_unicode_read(cmap: bytes, memo: dict) -> dict[bytes, bytes]:
    if cmap not in memo:
        memo[cmap] = _to_unicode_parse(cmap)
    return memo[cmap]


def _to_unicode_parse(cmap: bytes) -> dict[bytes, bytes]:
    """{code: UTF-16BE}, both as upper-case hex, from the bfchar and bfrange sections of a CMap."""
    mapping: dict[bytes, bytes] = {}
    cmap = cmap.upper()
    for block in _BFCHAR.findall(cmap):
        mapping.update(_BFCHAR_PAIR.findall(block))
    for block in _BFRANGE.findall(cmap):
        for low, high, target in _BFRANGE_ENTRY.findall(block):
            width, first, last = len(low), int(low, 16), int(high, 16)
            if target.startswith(b"["):
                values = [value.replace(b" ", b"") for value in _HEX.findall(target)]
            else:
                start = target.strip(b"<>").replace(b" ", b"")
                values = [
                    b"%0*X" % (len(start), int(start, 16) + offset) for offset in range(last - first + 1)
                ]
            codes = (b"%0*X" % (width, code) for code in range(first, last + 1))
            mapping.update(zip(codes, values, strict=False))  # a short array maps the first codes
    return mapping


def to_unicode_cmap(mapping: dict[bytes, bytes]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
    ]
    codes = sorted(mapping, key=lambda code: (len(code), code))  # hex of one length sorts as numbers
    for start in range(0, len(codes), 100):  # at most 100 entries a section
        chunk = codes[start : start + 100]
        lines.append(b"%d beginbfchar\n" % len(chunk))
        lines.append(b"".join(b"<%s> <%s>\n" % (code, mapping[code]) for code in chunk))
        lines.append(b"endbfchar\n")
    lines.append(b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
    return b"".join(lines)
