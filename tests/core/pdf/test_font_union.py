"""core.pdf.font_union: subsets of one face merged into one program, never a glyph changed or mixed up."""

import io
import shutil
import subprocess

import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

from core.pdf.font_union import CffUnion, TrueTypeUnion, cff_subset_read, truetype_subset_read
from tests.core.pdf.making import font_programs, pdf_from_html


def _programs(pdf: bytes) -> dict[str, bytes]:
    """{font name without subset tag: its program, uncompressed}."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return {name: document.get_object(objgen).read_bytes() for objgen, name in font_programs(pdf).items()}


def _cff_glyphs(program: bytes) -> dict[str, bytes]:
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(program), None)
    top = fonts.topDictIndex[0]
    return {name: top.CharStrings[name].bytecode for name in top.charset}


@pytest.fixture(scope="module")
def regular_subsets() -> list[bytes]:
    texts = ["党风廉政建设责任书", "财政经济工作委员会", "责任书第三份"]
    return [
        next(p for n, p in _programs(pdf_from_html(f"<p>{t}</p>")).items() if "Bold" not in n) for t in texts
    ]


def test_cff_union_holds_every_subsets_glyphs_unchanged(regular_subsets):
    # given three subsets of the regular face, each with its own characters
    subsets = [cff_subset_read(program) for program in regular_subsets]
    union = CffUnion.start(subsets[0])

    # when the others are added
    assert union.add(subsets[1]) and union.add(subsets[2])
    merged = _cff_glyphs(union.program())

    # then the program holds every glyph of every subset, byte for byte, by CID
    for program in regular_subsets:
        for name, charstring in _cff_glyphs(program).items():
            assert merged[name] == charstring
    assert len(merged) - 1 == len(set().union(*(subset.glyphs for subset in subsets)))


def test_cff_union_refuses_a_subset_whose_glyph_differs(regular_subsets):
    first, second = (cff_subset_read(program) for program in regular_subsets[:2])
    # given a subset in which one glyph shared with the union is drawn otherwise (another version)
    cid = next(iter(set(first.glyphs) & set(second.glyphs)))
    charstring, description = second.glyphs[cid]
    changed = type(second)(
        face=second.face,
        glyphs={**second.glyphs, cid: (b"\x8b" + charstring, description)},
        notdef=second.notdef,
    )
    union = CffUnion.start(first)

    # then it is not taken in, and the union is as it was
    before = dict(union.glyphs)
    assert not union.add(changed)
    assert union.glyphs == before


def test_cff_union_refuses_another_face():
    programs = _programs(pdf_from_html("<p>普通</p><p><b>加粗</b></p>"))
    regular = next(p for n, p in programs.items() if "Bold" not in n)
    bold = next(p for n, p in programs.items() if "Bold" in n)

    assert not CffUnion.start(cff_subset_read(regular)).add(cff_subset_read(bold))


@pytest.mark.parametrize("program", [b"", b"not a font", b"\x01\x00\x04\x04\x00\x01\x01\x01"])
def test_cff_subset_read_says_none_to_what_it_cannot_read(program):
    assert cff_subset_read(program) is None


def _wenkai_installed() -> bool:
    if shutil.which("fc-list") is None:
        return False
    return bool(subprocess.run(["fc-list", "LXGW WenKai"], capture_output=True, text=True).stdout.strip())


@pytest.mark.skipif(not _wenkai_installed(), reason="LXGW WenKai (a TrueType face) is not installed")
def test_truetype_union_holds_every_subsets_outlines_unchanged():
    # given two documents in a TrueType face (WeasyPrint keeps its glyph ids), with other characters
    css = "p { font-family: 'LXGW WenKai'; }"
    programs = [
        next(iter(_programs(pdf_from_html(f"<p>{text}</p>", css=css)).values()))
        for text in ("王建国", "李秀英")
    ]
    subsets = [truetype_subset_read(program) for program in programs]
    union = TrueTypeUnion.start(subsets[0])

    # when they are merged
    assert union.add(subsets[1])
    merged = TTFont(io.BytesIO(union.program()))

    # then every drawn glyph of either is in the union under its glyph id, outline unchanged
    glyf, order = merged["glyf"], merged.getGlyphOrder()
    for program in programs:
        source = TTFont(io.BytesIO(program))
        source_glyf, source_order = source["glyf"], source.getGlyphOrder()
        for gid, name in enumerate(source_order):
            if source_glyf[name].numberOfContours:
                assert glyf[order[gid]].compile(glyf) == source_glyf[name].compile(source_glyf)
    # and a subset whose glyph was drawn otherwise is refused
    gid = next(iter(subsets[1].glyphs))
    changed = type(subsets[1])(**{**subsets[1].__dict__, "glyphs": {**subsets[1].glyphs, gid: b"\x00" * 12}})
    assert not TrueTypeUnion.start(subsets[1]).add(changed)
