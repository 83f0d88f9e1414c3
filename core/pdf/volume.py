"""A print volume: many PDFs bound as one file, what they share embedded once, their pages numbered.

`Volume` knows nothing of what it binds. Its parts are PDFs (each with a title for its bookmark), its
front matter a PDF the caller renders once the parts' numbers are known (`part_add` returns them),
and the number printed on each of the parts' pages a text the caller chooses ("汇编第 12 页"), set in
a font borrowed from a one-page specimen PDF the caller rendered in the face it wants.

What it does to the pages, and why their look does not change:

- **Fonts once per face.** Each part embeds its own subset of each face. Subsets that keep the face's
  glyph numbers (see `core.pdf.font_union`) are replaced by one program holding the union of their
  glyphs, each glyph's outline byte for byte as it was; the parts' font dictionaries of that face
  whose widths (/W), text mapping (/ToUnicode) and set-up agree become one too. A subset that does not
  fit (another face, another version of it, a program not understood) keeps its own program.
- **Identical objects once.** Every other object a page reaches (images and their masks, ICC
  profiles, graphics states, content streams) is compared by its bytes and its dictionary, after its
  own references were shared: equal objects become one.
- **Numbers as printed.** The parts' pages are numbered from 1 through the volume; the front matter is
  not (its pages are labelled i, ii, … in the PDF, the parts' pages 1, 2, … as printed). A part's page
  gets its number in the top outer corner (odd numbers right, even numbers left, where GB/T 9704-2012
  7.5 places page numbers), drawn after the page's own content, which is closed in q … Q first so that
  nothing it leaves set can move or restyle the number. Pages are taken to be upright (no /Rotate).
- **Odd-page starts** (`odd_starts`, for double-sided printing): the front matter is made even and
  every part starts on an odd page; a blank page put in counts in the numbering but carries no number
  (GB/T 9704-2012 7.5: blank pages are not numbered).

Interactive parts of the pages (form fields, signatures, annotations other than web links) are not
carried over: a bound volume is a print copy.
"""

import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

import pikepdf

from core.pdf.font_union import CffUnion
from core.pdf.volume_fonts import (
    FontGroup,
    FontUse,
    bbox_union,
    font_setup,
    font_use,
    group_join,
    to_unicode_cmap,
    widths_array,
    widths_parse,
)

MM = 72 / 25.4
# Where the numbers go unless told otherwise: baseline 20 mm below the top edge, ending 26 mm from the
# outer edge (the right margin of a GB/T 9704 page), in 10.5 pt (五号).
NUMBER_TOP = 20 * MM
NUMBER_OUTER = 26 * MM
NUMBER_SIZE = Decimal("10.5")
# A space in the number text is drawn as a gap of a quarter of the font size (thousandths of it).
_SPACE_GAP = 250
_NUMBER_FONT_NAME = "/VolumeNumber"
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
# Keys of a page that are not carried over as they are: the page tree, interaction and structure, and
# what is copied separately.
_PAGE_KEYS_SET_APART = frozenset(
    {"/Parent", "/Annots", "/StructParents", "/B", "/Tabs", "/Resources", "/Contents"}
)
_INHERITABLE = ("/MediaBox", "/CropBox", "/Rotate")
_REFERENCE = re.compile(rb"\d+ \d+ R\b")


class VolumeError(ValueError):
    """A part or the front matter cannot be bound (an unreadable PDF, a number font lacking a glyph)."""


@dataclass(frozen=True)
class PartPlacement:
    """Where a part lands: the number printed on its first page (from 1 through the parts), its pages."""

    first: int
    pages: int
    blank_before: bool  # a blank page was put in front of it to start it on an odd page

    @property
    def last(self) -> int:
        return self.first + self.pages - 1


@dataclass(frozen=True)
class VolumeSummary:
    pages: int  # every page of the file: front matter, parts and blank pages
    blank_pages: int
    size: int  # bytes written
    font_programs: int  # embedded font programs (FontFile, FontFile2, FontFile3) in the file


@dataclass
class _Part:
    pdf: pikepdf.Pdf
    title: str
    placement: PartPlacement


class Volume:
    """Parts added in order (`part_add`), then written once, with the front matter (`write`)."""

    def __init__(self, *, odd_starts: bool = False):
        self.odd_starts = odd_starts
        self._parts: list[_Part] = []
        self._next = 1

    def part_add(self, pdf: bytes, *, title: str) -> PartPlacement:
        """Take a part in. Its placement is final: the contents can be rendered from it."""
        source = _open(pdf, what=title)
        pages = len(source.pages)
        if not pages:
            raise VolumeError(f"{title}: the PDF has no pages")
        blank = self.odd_starts and self._next % 2 == 0
        if blank:
            self._next += 1
        placement = PartPlacement(first=self._next, pages=pages, blank_before=blank)
        self._next += pages
        self._parts.append(_Part(pdf=source, title=title, placement=placement))
        return placement

    def write(
        self,
        out: BinaryIO,
        *,
        front: bytes,
        number_font: bytes,
        number_text: Callable[[int], str],
        title: str,
        language: str = "zh-CN",
        number_top: float = NUMBER_TOP,
        number_outer: float = NUMBER_OUTER,
    ) -> VolumeSummary:
        """The front matter, then the parts with their numbers, written to `out`.

        `number_font` is a PDF whose first page sets every character `number_text` uses (spaces
        aside) in one font: that font prints the numbers. `number_top` and `number_outer` (points)
        place the number's baseline below the top edge and its outer end from the outer edge.
        """
        if not self._parts:
            raise VolumeError("A volume needs at least one part.")
        writer = _Writer(
            front=_open(front, what="front matter"),
            specimen=_open(number_font, what="number font"),
            parts=self._parts,
        )
        return writer.write(
            out,
            odd_starts=self.odd_starts,
            number_text=number_text,
            title=title,
            language=language,
            number_top=number_top,
            number_outer=number_outer,
        )


def _open(data: bytes, *, what: str) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as error:
        raise VolumeError(f"{what}: not a readable PDF ({error})") from None


def _inherited(page: pikepdf.Object, key: str):
    """A page attribute, from the page or the nearest page-tree node above it that has it."""
    node, depth = page, 0
    while isinstance(node, pikepdf.Dictionary) and depth < 64:
        if key in node:
            return node[key]
        node, depth = node.get("/Parent"), depth + 1
    return None


class _Writer:
    _FRONT, _SPECIMEN = 0, 1  # source indexes; the parts follow

    def __init__(self, *, front: pikepdf.Pdf, specimen: pikepdf.Pdf, parts: list[_Part]):
        self.front = front
        self.parts = parts
        self.sources = [front, specimen, *(part.pdf for part in parts)]
        self.pdf = pikepdf.new()
        # (source, objgen) -> the object in the volume: what was copied, and what replaces a source's
        # font dictionary or program. `shared`: content key -> the one object in the volume.
        self.copied: dict[tuple[int, tuple[int, int]], pikepdf.Object] = {}
        self.substitutes: dict[tuple[int, tuple[int, int]], pikepdf.Object] = {}
        self.shared: dict[tuple, pikepdf.Object] = {}
        self.copying: set[tuple[int, tuple[int, int]]] = set()

    def write(self, out, *, odd_starts, number_text, title, language, number_top, number_outer):
        uses = self._fonts_collect()
        self._fonts_share(uses)
        number_font = self._number_font(uses, text=number_text(1234567890) + number_text(0))

        pdf = self.pdf
        for page in self.front.pages:
            pdf.pages.append(self._page_copy(self._FRONT, page))
        blanks = 0
        if odd_starts and len(pdf.pages) % 2:
            pdf.pages.append(self._blank_page(pdf.pages[-1]))
            blanks += 1
        front_pages = len(pdf.pages)
        restore = pdf.make_stream(b"q\n")
        starts = []
        for index, part in enumerate(self.parts, start=2):
            if part.placement.blank_before:
                pdf.pages.append(self._blank_page(pdf.pages[-1]))
                blanks += 1
            starts.append(len(pdf.pages))
            for number, source_page in enumerate(part.pdf.pages, start=part.placement.first):
                page = self._page_copy(index, source_page)
                self._number_print(
                    page, number_font, number_text(number), odd=number % 2 == 1, restore=restore,
                    top=number_top, outer=number_outer,
                )  # fmt: skip
                pdf.pages.append(page)

        with pdf.open_outline() as outline:
            for part, start in zip(self.parts, starts, strict=True):
                outline.root.append(pikepdf.OutlineItem(part.title, start))
        labels = [0, pikepdf.Dictionary(S=pikepdf.Name.r), front_pages, pikepdf.Dictionary(S=pikepdf.Name.D)]
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(labels))
        pdf.Root.PageMode = pikepdf.Name.UseOutlines
        pdf.Root.Lang = pikepdf.String(language)
        pdf.docinfo["/Title"] = pikepdf.String(title)
        start = out.tell()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
        programs = {
            obj[key].objgen
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.FontDescriptor
            for key in _FONT_FILES
            if key in obj
        }
        return VolumeSummary(
            pages=len(pdf.pages), blank_pages=blanks, size=out.tell() - start, font_programs=len(programs)
        )

    # --- fonts ---------------------------------------------------------------------------------

    def _fonts_collect(self) -> list[FontUse]:
        """Every composite font with an embedded program that the sources' pages use, read once."""
        uses: list[FontUse] = []
        seen: set[tuple[int, tuple[int, int]]] = set()
        memo: dict[bytes, object] = {}  # /W entries and ToUnicode maps, by their text
        for index, source in enumerate(self.sources):
            for page in source.pages:
                resources = _inherited(page.obj, "/Resources")
                fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
                if not isinstance(fonts, pikepdf.Dictionary):
                    continue
                for font in fonts.values():
                    if not isinstance(font, pikepdf.Dictionary) or not font.is_indirect:
                        continue
                    if (index, font.objgen) not in seen:
                        seen.add((index, font.objgen))
                        use = font_use(index, font, memo)
                        if use is not None:
                            uses.append(use)
        return uses

    def _fonts_share(self, uses: list[FontUse]) -> None:
        """Subsets of one face become one program; the font dictionaries that agree, one dictionary."""
        groups: list[FontGroup] = []
        group_of: dict[bytes, FontGroup | None] = {}  # by the program's compressed bytes: read once each
        for use in uses:
            digest = hashlib.sha256(use.program.read_raw_bytes()).digest()
            if digest not in group_of:
                group_of[digest] = group_join(groups, use)
            if group_of[digest] is not None:
                group_of[digest].members.append(use)
        for group in groups:
            if len({(member.source, member.program.objgen) for member in group.members}) < 2:
                continue  # one program, used once: nothing to share
            program = group.union.program()
            stream = self.pdf.make_stream(program)
            if isinstance(group.union, CffUnion):
                stream.Subtype = pikepdf.Name.CIDFontType0C
            else:
                stream.Length1 = len(program)  # FontFile2: the program's length before compression
            for member in group.members:
                self.substitutes[(member.source, member.program.objgen)] = stream
            self._font_dictionaries_share(group)

    def _font_dictionaries_share(self, group: FontGroup) -> None:
        """One Type0 dictionary for the members whose set-up (`font_setup`), widths and text mapping
        agree. A member that disagrees keeps its own dictionary, pointing at the shared program."""
        by_setup: dict[tuple, list[FontUse]] = {}
        for member in group.members:
            by_setup.setdefault(font_setup(member.font), []).append(member)
        for members in by_setup.values():
            self._font_dictionary_share(members)

    def _font_dictionary_share(self, members: list[FontUse]) -> None:
        first = members[0]
        widths: dict[int, bytes] = {}
        width_entries: set[bytes] = set()
        unicode: dict[bytes, bytes] = {}
        agreeing: list[FontUse] = []
        for member in members:
            # What a member has that the union has not: new entries, or known keys valued otherwise.
            new_widths = widths_parse(member.width_entries - width_entries)
            new_unicode = member.unicode.items() - unicode.items()
            if any(widths.get(cid, width) != width for cid, width in new_widths.items()) or any(
                code in unicode for code, _text in new_unicode
            ):
                continue
            widths.update(new_widths)
            width_entries |= member.width_entries
            unicode.update(new_unicode)
            agreeing.append(member)
        if len(agreeing) < 2:
            return
        # The first member's dictionaries, with the union's widths, text mapping, bounding box and program.
        source = first.source
        descendant = first.font.DescendantFonts[0]
        descriptor = pikepdf.Dictionary(
            self._children(source, ((k, v) for k, v in descendant.FontDescriptor.items() if k != "/CIDSet"))
        )
        descriptor.FontBBox = bbox_union(member.font.DescendantFonts[0].FontDescriptor for member in agreeing)
        cid_font = pikepdf.Dictionary(
            self._children(
                source, ((k, v) for k, v in descendant.items() if k not in ("/W", "/FontDescriptor"))
            )
        )
        cid_font.FontDescriptor = self.pdf.make_indirect(descriptor)
        cid_font.W = widths_array(widths)
        font = pikepdf.Dictionary(
            self._children(
                source, ((k, v) for k, v in first.font.items() if k not in ("/DescendantFonts", "/ToUnicode"))
            )
        )
        font.DescendantFonts = pikepdf.Array([self.pdf.make_indirect(cid_font)])
        if unicode:
            font.ToUnicode = self.pdf.make_stream(to_unicode_cmap(unicode))
        shared = self.pdf.make_indirect(font)
        for member in agreeing:
            self.substitutes[(member.source, member.font.objgen)] = shared

    def _number_font(self, uses: list[FontUse], *, text: str):
        """The specimen's font that has every character of the numbers: (font, codes, widths)."""
        needed = set(text) - {" "}
        for use in uses:
            if use.source != self._SPECIMEN:
                continue
            codes: dict[str, bytes] = {}
            for code, mapped in use.unicode.items():
                try:
                    char = bytes.fromhex(mapped.decode()).decode("utf-16-be")
                except (ValueError, UnicodeDecodeError):
                    continue
                if char in needed:
                    codes.setdefault(char, code)
            if set(codes) == needed:
                font = self.substitutes.get((use.source, use.font.objgen))
                if font is None:
                    font = self._share(use.source, use.font)
                return font, codes, widths_parse(use.width_entries)
        raise VolumeError("The number font has no glyph for some of: " + "".join(sorted(needed)))

    # --- pages ---------------------------------------------------------------------------------

    def _page_copy(self, source: int, page: pikepdf.Page) -> pikepdf.Page:
        obj = page.obj
        copy = pikepdf.Dictionary(
            self._children(source, ((k, v) for k, v in obj.items() if k not in _PAGE_KEYS_SET_APART))
        )
        for key in _INHERITABLE:
            if key not in obj and (value := _inherited(obj, key)) is not None:
                copy[key] = self._share(source, value)
        resources = _inherited(obj, "/Resources")
        copy.Resources = (
            self._share(source, resources)
            if isinstance(resources, pikepdf.Dictionary)
            else pikepdf.Dictionary()
        )
        if "/Contents" in obj:
            copy.Contents = self._share(source, obj.Contents)
        links = [
            self._share(source, annotation)
            for annotation in obj.get("/Annots", ())
            if isinstance(annotation, pikepdf.Dictionary)
            and annotation.get("/Subtype") == pikepdf.Name.Link
            and isinstance(annotation.get("/A"), pikepdf.Dictionary)
            and annotation.A.get("/S") == pikepdf.Name.URI
        ]
        if links:
            copy.Annots = pikepdf.Array(links)
        return pikepdf.Page(self.pdf.make_indirect(copy))

    def _blank_page(self, like: pikepdf.Page) -> pikepdf.Page:
        box = pikepdf.Array([float(value) for value in like.obj.MediaBox])
        return pikepdf.Page(
            self.pdf.make_indirect(
                pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=box, Resources=pikepdf.Dictionary())
            )
        )

    def _number_print(self, page, number_font, text: str, *, odd: bool, restore, top, outer) -> None:
        """Draw `text` in the top outer corner, after the page's own content (closed in q … Q)."""
        font, codes, widths = number_font
        resources = page.obj.Resources
        if "/Font" not in resources:
            resources.Font = pikepdf.Dictionary()
        fonts = resources.Font
        name = _NUMBER_FONT_NAME
        while name in fonts and not fonts[name].is_same_object_as(font):
            name += "X"
        fonts[name] = font
        pieces, width = [], 0.0
        for char in text:
            if char == " ":
                pieces.append(b"-%d" % _SPACE_GAP)
                width += _SPACE_GAP
            else:
                code = codes[char]  # Identity-H: the code is the CID
                pieces.append(b"<%s>" % code)
                width += float(widths.get(int(code, 16), b"1000"))
        box = page.obj.get("/CropBox", page.obj.MediaBox)
        left, _bottom, right, upper = (float(value) for value in box)
        width *= float(NUMBER_SIZE) / 1000
        x = right - outer - width if odd else left + outer
        drawing = b"Q\nq BT %s %s Tf 0 g 1 0 0 1 %.2f %.2f Tm [%s] TJ ET Q\n" % (
            name.encode(),
            str(NUMBER_SIZE).encode(),
            x,
            upper - top,
            b" ".join(pieces),
        )
        contents = page.obj.get("/Contents")
        streams = (
            list(contents) if isinstance(contents, pikepdf.Array) else [] if contents is None else [contents]
        )
        page.obj.Contents = pikepdf.Array([restore, *streams, self.pdf.make_stream(drawing)])

    # --- sharing -------------------------------------------------------------------------------

    def _share(self, source: int, obj):
        """`obj` of source `source` as an object of the volume: equal ones once, fonts substituted.

        A reference back to an object being copied, or into a page, becomes null.
        """
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            key = (source, obj.objgen)
            found = self.substitutes.get(key)
            if found is None:
                found = self.copied.get(key)
            if found is not None:
                return found
            if key in self.copying or (
                isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.Page
            ):
                return None
            self.copying.add(key)
            try:
                copied = self._share_indirect(source, obj)
            finally:
                self.copying.discard(key)
            self.copied[key] = copied
            return copied
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
            text = obj.unparse()
            if not _REFERENCE.search(text):
                return pikepdf.Object.parse(text)  # nothing indirect inside: copied whole, in one step
            if isinstance(obj, pikepdf.Dictionary):
                return pikepdf.Dictionary(self._children(source, obj.items()))
            return pikepdf.Array([self._share(source, value) for value in obj])
        return _scalar(obj)

    def _children(self, source: int, items: Iterable) -> dict:
        children = {}
        for key, value in items:
            shared = self._share(source, value)
            if shared is not None:
                children[key] = shared
        return children

    def _share_indirect(self, source: int, obj: pikepdf.Object) -> pikepdf.Object:
        if isinstance(obj, pikepdf.Stream):
            dictionary = pikepdf.Dictionary(
                self._children(source, ((k, v) for k, v in obj.stream_dict.items() if k != "/Length"))
            )
            raw = obj.read_raw_bytes()
            key = ("stream", hashlib.sha256(raw).digest(), dictionary.unparse())
            found = self.shared.get(key)
            if found is None:
                found = pikepdf.Stream(self.pdf, b"")
                found.write(
                    raw, filter=dictionary.get("/Filter"), decode_parms=dictionary.get("/DecodeParms")
                )
                for name, value in dictionary.items():
                    if name not in ("/Filter", "/DecodeParms"):
                        found[name] = value
                self.shared[key] = found
            return found
        if isinstance(obj, pikepdf.Dictionary):
            direct = pikepdf.Dictionary(self._children(source, obj.items()))
        elif isinstance(obj, pikepdf.Array):
            direct = pikepdf.Array([self._share(source, value) for value in obj])
        else:
            direct = _scalar(obj)
        key = ("object", direct.unparse() if isinstance(direct, pikepdf.Object) else repr(direct))
        found = self.shared.get(key)
        if found is None:
            found = self.pdf.make_indirect(direct)
            self.shared[key] = found
        return found


def _scalar(obj):
    """A scalar of a source as an object of no file (the volume cannot take a source's own)."""
    if not isinstance(obj, pikepdf.Object):
        return obj  # int, Decimal, bool: Python values already
    kind = obj._type_code
    if kind == pikepdf.ObjectType.name_:
        return pikepdf.Name(str(obj))
    if kind == pikepdf.ObjectType.string:
        return pikepdf.String(bytes(obj))
    return pikepdf.Object.parse(obj.unparse())
