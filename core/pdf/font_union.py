"""One font program for many subsets of the same face: the union of their glyphs, each glyph unchanged.

A PDF renderer embeds, per document, a subset of each face with only the glyphs that document uses.
Merge many such documents and the same face is embedded once per document. When the subsets keep
the face's own glyph numbering, their union is a single program that draws every document's text
exactly as before: the same outline for the same glyph number, byte for byte. Two kinds qualify:

- a bare CID-keyed CFF (FontFile3 /CIDFontType0C), whose glyphs are found by CID, as WeasyPrint's
  output is after `core.pdf.fonts.pdf_fonts_compact`;
- a TrueType program (FontFile2) subset with its glyph ids kept ("retain gids", WeasyPrint's
  default for CIDFontType2 with /CIDToGIDMap /Identity).

Nothing is trusted: a subset joins a union only if every glyph number the two hold in common has
the same outline (and, for CFF, the same Private DICT and face description). A subset from another
version of the face, where glyph 4,812 is another character, starts a union of its own. Anything this
module does not understand (subroutines, a charset by name, an unknown per-glyph TrueType table)
reads as None, and the caller keeps that program as it is.
"""

import itertools
import struct
from dataclasses import dataclass, field
from operator import lt

from fontTools.cffLib import cffStandardStrings

# --- CFF (Adobe Technical Note #5176) -------------------------------------------------------------

_ESCAPE = 0x0C00
_OP_CHARSET, _OP_ENCODING, _OP_CHARSTRINGS, _OP_PRIVATE, _OP_SUBRS = 15, 16, 17, 18, 19
_OP_ROS, _OP_CIDCOUNT, _OP_FDARRAY, _OP_FDSELECT = _ESCAPE | 30, _ESCAPE | 34, _ESCAPE | 36, _ESCAPE | 37
# Operators whose operands are string ids (ROS: the first two of three).
_SID_OPERATORS = frozenset({0, 1, 2, 3, 4, _ESCAPE | 0, _ESCAPE | 21, _ESCAPE | 22, _ESCAPE | 38, _OP_ROS})
# Operators whose operands are offsets into the font: rewritten when the union is written.
_OFFSET_OPERATORS = frozenset(
    {_OP_CHARSET, _OP_ENCODING, _OP_CHARSTRINGS, _OP_PRIVATE, _OP_FDARRAY, _OP_FDSELECT}
)
_STANDARD_STRINGS = len(cffStandardStrings)
_OFFSET_FORMATS = {1: "B", 2: "H", 4: "I"}


class _CffUnreadable(ValueError):
    pass


@dataclass(frozen=True)
class _DictEntry:
    operator: int
    operands: tuple  # ints, or the raw bytes of a real number
    raw: bytes  # the operand bytes as written


def _index_read(data: bytes, position: int) -> tuple[list[bytes], int]:
    """An INDEX at `position`: its items and the position right after it."""
    count = int.from_bytes(data[position : position + 2], "big")
    if count == 0:
        return [], position + 2
    offset_size = data[position + 2]
    start = position + 3
    if offset_size in _OFFSET_FORMATS:
        offsets = struct.unpack_from(f">{count + 1}{_OFFSET_FORMATS[offset_size]}", data, start)
    elif offset_size == 3:
        offsets = [int.from_bytes(data[start + 3 * i : start + 3 * i + 3], "big") for i in range(count + 1)]
    else:
        raise _CffUnreadable(f"INDEX offset size {offset_size}")
    base = start + (count + 1) * offset_size - 1
    end = base + offsets[-1]
    if end > len(data) or any(b < a for a, b in zip(offsets, offsets[1:], strict=False)):
        raise _CffUnreadable("INDEX runs past the end of the font")
    return [data[base + a : base + b] for a, b in zip(offsets, offsets[1:], strict=False)], end


def _dict_read(data: bytes) -> list[_DictEntry]:
    entries, operands, start, position = [], [], 0, 0
    while position < len(data):
        byte = data[position]
        if byte <= 21:
            raw = data[start:position]
            if byte == 12:
                operator, position = _ESCAPE | data[position + 1], position + 2
            else:
                operator, position = byte, position + 1
            entries.append(_DictEntry(operator, tuple(operands), raw))
            operands, start = [], position
        elif byte == 28:
            operands.append(int.from_bytes(data[position + 1 : position + 3], "big", signed=True))
            position += 3
        elif byte == 29:
            operands.append(int.from_bytes(data[position + 1 : position + 5], "big", signed=True))
            position += 5
        elif byte == 30:
            end = position + 1
            while end < len(data) and (data[end] & 0x0F) != 0x0F and (data[end] >> 4) != 0x0F:
                end += 1
            operands.append(bytes(data[position : end + 1]))
            position = end + 1
        elif 32 <= byte <= 246:
            operands.append(byte - 139)
            position += 1
        elif 247 <= byte <= 250:
            operands.append((byte - 247) * 256 + data[position + 1] + 108)
            position += 2
        elif 251 <= byte <= 254:
            operands.append(-(byte - 251) * 256 - data[position + 1] - 108)
            position += 2
        else:
            raise _CffUnreadable(f"DICT byte {byte}")
    if operands:
        raise _CffUnreadable("DICT ends with operands")
    return entries


def _number(value: int, *, fixed: bool = False) -> bytes:
    if fixed or not -32768 <= value <= 32767:
        return b"\x1d" + value.to_bytes(4, "big", signed=True)
    if -107 <= value <= 107:
        return bytes([value + 139])
    if 108 <= value <= 1131:
        value -= 108
        return bytes([(value >> 8) + 247, value & 0xFF])
    if -1131 <= value <= -108:
        value = -value - 108
        return bytes([(value >> 8) + 251, value & 0xFF])
    return b"\x1c" + value.to_bytes(2, "big", signed=True)


def _operator(operator: int) -> bytes:
    return bytes([12, operator & 0xFF]) if operator & _ESCAPE else bytes([operator])


def _index_write(items: list[bytes]) -> bytes:
    if not items:
        return b"\x00\x00"
    total = sum(len(item) for item in items) + 1
    offset_size = 1 if total < 0x100 else 2 if total < 0x10000 else 3 if total < 0x1000000 else 4
    offsets, position = [], 1
    for item in items:
        offsets.append(position)
        position += len(item)
    offsets.append(position)
    head = len(items).to_bytes(2, "big") + bytes([offset_size])
    return head + b"".join(o.to_bytes(offset_size, "big") for o in offsets) + b"".join(items)


def _sid_string(sid: int, strings: list[bytes]) -> str:
    if sid < _STANDARD_STRINGS:
        return cffStandardStrings[sid]
    try:
        return strings[sid - _STANDARD_STRINGS].decode("latin-1")
    except IndexError:
        raise _CffUnreadable(f"string id {sid}") from None


def _resolved(entries: list[_DictEntry], strings: list[bytes]) -> tuple:
    """A DICT without its offsets, string ids read as strings: comparable between two fonts."""
    resolved = []
    for entry in entries:
        if entry.operator in _OFFSET_OPERATORS:
            continue
        if entry.operator in _SID_OPERATORS:
            count = 2 if entry.operator == _OP_ROS else len(entry.operands)
            operands = tuple(_sid_string(sid, strings) for sid in entry.operands[:count])
            resolved.append((entry.operator, operands + entry.operands[count:]))
        else:
            resolved.append((entry.operator, entry.operands))
    return tuple(resolved)


@dataclass(frozen=True)
class CffSubset:
    """A CID-keyed CFF subset read for merging: its face description and its glyphs by CID."""

    face: tuple  # the font name and the Top DICT without offsets: subsets of one face agree on it
    glyphs: dict[int, tuple[bytes, tuple]]  # CID -> (charstring, its Font DICT and Private DICT)
    notdef: tuple[bytes, tuple]


def cff_subset_read(program: bytes) -> CffSubset | None:
    """`program` read as a CID-keyed CFF without subroutines, or None if it is anything else."""
    try:
        return _cff_subset_read(program)
    except (_CffUnreadable, IndexError, struct.error):
        return None


def _cff_subset_read(data: bytes) -> CffSubset | None:
    if len(data) < 4 or data[0] != 1:
        return None
    names, position = _index_read(data, data[2])
    tops, position = _index_read(data, position)
    strings, position = _index_read(data, position)
    global_subrs, position = _index_read(data, position)
    if len(names) != 1 or len(tops) != 1 or global_subrs:
        return None
    top = _dict_read(tops[0])
    operands = {entry.operator: entry.operands for entry in top}
    if _OP_ROS not in operands or not all(
        op in operands for op in (_OP_CHARSET, _OP_CHARSTRINGS, _OP_FDARRAY, _OP_FDSELECT)
    ):
        return None
    charstrings, _end = _index_read(data, operands[_OP_CHARSTRINGS][0])
    glyph_count = len(charstrings)
    cids = _charset_read(data, operands[_OP_CHARSET][0], glyph_count)
    selects = _fdselect_read(data, operands[_OP_FDSELECT][0], glyph_count)
    font_dicts, _end = _index_read(data, operands[_OP_FDARRAY][0])
    descriptions = []
    for font_dict in font_dicts:
        entries = _dict_read(font_dict)
        private = next((entry.operands for entry in entries if entry.operator == _OP_PRIVATE), None)
        if private is None or len(private) != 2:
            return None
        size, offset = private
        private_data = data[offset : offset + size]
        if len(private_data) != size or any(e.operator == _OP_SUBRS for e in _dict_read(private_data)):
            return None  # local subroutines: not a desubroutinised subset
        descriptions.append((_resolved(entries, strings), private_data))
    if max(selects, default=0) >= len(descriptions):
        return None
    face = (names[0], _resolved(top, strings))
    glyphs = {cid: (charstrings[gid], descriptions[selects[gid]]) for gid, cid in enumerate(cids, start=1)}
    if len(glyphs) != glyph_count - 1:
        return None  # one CID twice
    return CffSubset(face=face, glyphs=glyphs, notdef=(charstrings[0], descriptions[selects[0]]))


def _charset_read(data: bytes, offset: int, glyph_count: int) -> list[int]:
    """The CIDs of glyphs 1 … glyph_count-1 (a CID-keyed font's charset holds CIDs)."""
    if offset < 3:
        raise _CffUnreadable("predefined charset in a CID-keyed font")
    wanted = glyph_count - 1
    form, position = data[offset], offset + 1
    if form == 0:
        return list(struct.unpack_from(f">{wanted}H", data, position))
    if form not in (1, 2):
        raise _CffUnreadable(f"charset format {form}")
    cids: list[int] = []
    size = 3 if form == 1 else 4
    while len(cids) < wanted:
        first = int.from_bytes(data[position : position + 2], "big")
        left = data[position + 2] if form == 1 else int.from_bytes(data[position + 2 : position + 4], "big")
        cids.extend(range(first, first + left + 1))
        position += size
    if len(cids) != wanted:
        raise _CffUnreadable("charset longer than the font")
    return cids


def _fdselect_read(data: bytes, offset: int, glyph_count: int) -> list[int]:
    form = data[offset]
    if form == 0:
        return list(data[offset + 1 : offset + 1 + glyph_count])
    if form != 3:
        raise _CffUnreadable(f"FDSelect format {form}")
    ranges = int.from_bytes(data[offset + 1 : offset + 3], "big")
    selects: list[int] = []
    position = offset + 3
    for _ in range(ranges):
        first, font_dict = struct.unpack_from(">HB", data, position)
        following = int.from_bytes(data[position + 3 : position + 5], "big")
        if first != len(selects) or following <= first:
            raise _CffUnreadable("FDSelect ranges out of order")
        selects.extend([font_dict] * (following - first))
        position += 3
    if len(selects) != glyph_count:
        raise _CffUnreadable("FDSelect does not cover the glyphs")
    return selects


@dataclass
class CffUnion:
    """Glyphs of subsets of one face, gathered into one program (`program()`)."""

    face: tuple
    notdef: tuple[bytes, tuple]
    glyphs: dict[int, tuple[bytes, tuple]] = field(default_factory=dict)

    @classmethod
    def start(cls, subset: CffSubset) -> "CffUnion":
        return cls(face=subset.face, notdef=subset.notdef, glyphs=dict(subset.glyphs))

    def add(self, subset: CffSubset) -> bool:
        """Take `subset`'s glyphs in; False (and nothing taken) if it is not a subset of this face."""
        if subset.face != self.face:
            return False
        glyphs = self.glyphs
        new = {}
        for cid, glyph in subset.glyphs.items():
            known = glyphs.get(cid)
            if known is None:
                new[cid] = glyph
            elif known != glyph:
                return False
        glyphs.update(new)
        return True

    def program(self) -> bytes:
        """The union as a bare CID-keyed CFF: glyphs by CID, each with its own Font DICT."""
        name, top = self.face
        strings: list[bytes] = []

        def sid(text: str) -> int:
            encoded = text.encode("latin-1")
            if encoded not in strings:
                strings.append(encoded)
            return _STANDARD_STRINGS + strings.index(encoded)

        def dict_bytes(resolved: tuple, offsets: dict[int, tuple[int, ...]]) -> bytes:
            out = []
            for operator, operands in resolved:
                if operator in _SID_OPERATORS:
                    count = 2 if operator == _OP_ROS else len(operands)
                    numbers = [_number(sid(text)) for text in operands[:count]]
                    numbers += [_number(value) for value in operands[count:]]
                else:
                    numbers = [value if isinstance(value, bytes) else _number(value) for value in operands]
                out.append(b"".join(numbers) + _operator(operator))
            for operator, values in offsets.items():
                out.append(b"".join(_number(value, fixed=True) for value in values) + _operator(operator))
            return b"".join(out)

        cids = sorted(self.glyphs)
        glyphs = [self.notdef] + [self.glyphs[cid] for cid in cids]
        descriptions: list[tuple] = []
        selects = []
        for _charstring, description in glyphs:
            if description not in descriptions:
                descriptions.append(description)
            selects.append(descriptions.index(description))

        charset = bytearray([2])
        run_start = previous = None
        for cid in cids:
            if run_start is not None and cid == previous + 1:
                previous = cid
                continue
            if run_start is not None:
                charset += struct.pack(">HH", run_start, previous - run_start)
            run_start = previous = cid
        if run_start is not None:
            charset += struct.pack(">HH", run_start, previous - run_start)

        ranges = [(gid, fd) for gid, fd in enumerate(selects) if gid == 0 or selects[gid - 1] != fd]
        fdselect = struct.pack(">BH", 3, len(ranges))
        fdselect += b"".join(struct.pack(">HB", gid, fd) for gid, fd in ranges) + struct.pack(
            ">H", len(glyphs)
        )
        charstrings = _index_write([charstring for charstring, _description in glyphs])

        # Offsets are written as 5-byte numbers, so every length is known before the offsets are.
        zero = dict.fromkeys((_OP_CHARSET, _OP_FDSELECT, _OP_CHARSTRINGS, _OP_FDARRAY), (0,))
        top_length = len(_index_write([dict_bytes(top, zero)]))
        font_dict_zero = [dict_bytes(resolved, {_OP_PRIVATE: (0, 0)}) for resolved, _private in descriptions]
        # The strings of every DICT are collected by the passes above; the String INDEX is now final.
        head = b"\x01\x00\x04\x04" + _index_write([name])
        string_index = _index_write(strings) + b"\x00\x00"  # and an empty Global Subr INDEX
        charset_at = len(head) + top_length + len(string_index)
        fdselect_at = charset_at + len(charset)
        charstrings_at = fdselect_at + len(fdselect)
        fdarray_at = charstrings_at + len(charstrings)
        private_at = fdarray_at + len(_index_write(font_dict_zero))
        font_dicts = []
        for resolved, private in descriptions:
            font_dicts.append(dict_bytes(resolved, {_OP_PRIVATE: (len(private), private_at)}))
            private_at += len(private)
        offsets = {
            _OP_CHARSET: (charset_at,),
            _OP_FDSELECT: (fdselect_at,),
            _OP_CHARSTRINGS: (charstrings_at,),
            _OP_FDARRAY: (fdarray_at,),
        }
        top_index = _index_write([dict_bytes(top, offsets)])
        if len(top_index) != top_length or _index_write(strings) + b"\x00\x00" != string_index:
            raise AssertionError("CFF union layout changed while it was written")
        return b"".join(
            [
                head,
                top_index,
                string_index,
                bytes(charset),
                fdselect,
                charstrings,
                _index_write(font_dicts),
                *(private for _resolved_dict, private in descriptions),
            ]
        )


# --- TrueType with kept glyph ids -----------------------------------------------------------------

# Tables a union may carry over from one subset: nothing in them is indexed by glyph beyond what is
# rewritten here (glyf, loca, hmtx, vmtx, maxp, head, hhea, vhea, post).
_TRUETYPE_KEPT = frozenset(
    {b"head", b"hhea", b"maxp", b"OS/2", b"cmap", b"name", b"post", b"gasp", b"cvt ", b"fpgm", b"prep"}
    | {b"hmtx", b"vmtx", b"vhea", b"loca", b"glyf", b"GDEF"}
)
# What tells one face from another: the header tables (the parts that do not vary with the glyphs
# kept), the names and the hinting programs. cmap and OS/2 list the characters a subset kept.
_TRUETYPE_HEADERS = frozenset({b"head", b"hhea", b"vhea", b"maxp"})
_TRUETYPE_FACE = frozenset({b"name", b"cvt ", b"fpgm", b"prep", b"gasp"})


@dataclass(frozen=True)
class TrueTypeSubset:
    """A TrueType subset with kept glyph ids, read for merging."""

    face: tuple  # tables other than the glyphs and their metrics: subsets of one face agree on them
    tables: dict[bytes, bytes]
    glyphs: dict[int, bytes]  # glyph id -> outline (the non-empty ones)
    horizontal: dict[int, bytes]  # glyph id -> 4-byte horizontal metric of a non-empty glyph
    vertical: dict[int, bytes]
    glyph_count: int
    maxp: tuple[int, ...]
    bounds: tuple[int, int, int, int]  # head's xMin, yMin, xMax, yMax


def truetype_subset_read(program: bytes) -> TrueTypeSubset | None:
    """`program` read as a TrueType font of glyph outlines, or None if it is anything else."""
    try:
        return _truetype_subset_read(program)
    except (ValueError, IndexError, KeyError, struct.error):
        return None


def _truetype_subset_read(data: bytes) -> TrueTypeSubset | None:
    if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
        return None
    (table_count,) = struct.unpack_from(">H", data, 4)
    tables = {}
    for i in range(table_count):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if offset + length > len(data):
            return None
        tables[tag] = data[offset : offset + length]
    if not set(tables) <= _TRUETYPE_KEPT or not {b"head", b"hhea", b"maxp", b"loca", b"glyf", b"hmtx"} <= set(
        tables
    ):
        return None
    glyph_count = struct.unpack_from(">H", tables[b"maxp"], 4)[0]
    long_offsets = struct.unpack_from(">h", tables[b"head"], 50)[0] == 1
    loca = tables[b"loca"]
    offsets = struct.unpack_from(f">{glyph_count + 1}{'I' if long_offsets else 'H'}", loca)
    scale = 1 if long_offsets else 2  # short offsets are stored halved
    glyf = tables[b"glyf"]
    # A subset that keeps glyph ids is mostly empty glyphs: find the others without a Python loop.
    drawn = itertools.compress(range(glyph_count), map(lt, offsets, offsets[1:]))
    glyphs = {gid: glyf[scale * offsets[gid] : scale * offsets[gid + 1]] for gid in drawn}
    horizontal = _metrics(tables[b"hmtx"], struct.unpack_from(">H", tables[b"hhea"], 34)[0], glyphs)
    vertical = {}
    if b"vmtx" in tables and b"vhea" in tables:
        vertical = _metrics(tables[b"vmtx"], struct.unpack_from(">H", tables[b"vhea"], 34)[0], glyphs)
    maxp = struct.unpack_from(">13H", tables[b"maxp"], 6) if len(tables[b"maxp"]) >= 32 else ()
    face = tuple(
        sorted(
            (tag, _face_part(tag, table) if tag in _TRUETYPE_HEADERS else table)
            for tag, table in tables.items()
            if tag in _TRUETYPE_HEADERS or tag in _TRUETYPE_FACE
        )
    )
    return TrueTypeSubset(
        face=face,
        tables=tables,
        glyphs=glyphs,
        horizontal=horizontal,
        vertical=vertical,
        glyph_count=glyph_count,
        maxp=maxp,
        bounds=struct.unpack_from(">4h", tables[b"head"], 36),
    )


def _face_part(tag: bytes, table: bytes) -> bytes:
    """The part of a header table that does not depend on which glyphs a subset holds."""
    if tag == b"head":  # without checkSumAdjustment, modified, bounding box, indexToLocFormat
        return table[:8] + table[12:28] + table[44:50]
    if tag in (b"hhea", b"vhea"):  # without the extremes and the number of long metrics
        return table[:10]
    return table[:4]  # maxp: version only


def _metrics(table: bytes, long_count: int, glyphs: dict[int, bytes]) -> dict[int, bytes]:
    if long_count == 0:
        return {}
    last_advance = table[4 * (long_count - 1) : 4 * long_count - 2]
    metrics = {}
    for gid in glyphs:
        if gid < long_count:
            metrics[gid] = table[4 * gid : 4 * gid + 4]
        else:
            side = 4 * long_count + 2 * (gid - long_count)
            metrics[gid] = last_advance + table[side : side + 2]
    return metrics


@dataclass
class TrueTypeUnion:
    """Outlines of TrueType subsets of one face (glyph ids kept), gathered into one program."""

    base: TrueTypeSubset
    glyphs: dict[int, bytes] = field(default_factory=dict)
    horizontal: dict[int, bytes] = field(default_factory=dict)
    vertical: dict[int, bytes] = field(default_factory=dict)
    glyph_count: int = 0
    maxp: list[int] = field(default_factory=list)
    bounds: list[int] = field(default_factory=list)

    @classmethod
    def start(cls, subset: TrueTypeSubset) -> "TrueTypeUnion":
        return cls(
            base=subset,
            glyphs=dict(subset.glyphs),
            horizontal=dict(subset.horizontal),
            vertical=dict(subset.vertical),
            glyph_count=subset.glyph_count,
            maxp=list(subset.maxp),
            bounds=list(subset.bounds),
        )

    def add(self, subset: TrueTypeSubset) -> bool:
        if subset.face != self.base.face or bool(subset.maxp) != bool(self.maxp):
            return False
        glyphs = self.glyphs
        new = {}
        for gid, outline in subset.glyphs.items():
            known = glyphs.get(gid)
            if known is None:
                new[gid] = outline
            elif known != outline or self.horizontal.get(gid) != subset.horizontal.get(gid):
                return False
        glyphs.update(new)
        for gid in new:
            self.horizontal[gid] = subset.horizontal[gid]
            if gid in subset.vertical:
                self.vertical[gid] = subset.vertical[gid]
        self.glyph_count = max(self.glyph_count, subset.glyph_count)
        self.maxp = [max(a, b) for a, b in zip(self.maxp, subset.maxp, strict=True)]
        x_min, y_min, x_max, y_max = self.bounds
        self.bounds = [
            min(x_min, subset.bounds[0]),
            min(y_min, subset.bounds[1]),
            max(x_max, subset.bounds[2]),
            max(y_max, subset.bounds[3]),
        ]
        return True

    def program(self) -> bytes:
        count = self.glyph_count
        glyf, offsets = bytearray(), []
        for gid in range(count):
            offsets.append(len(glyf))
            outline = self.glyphs.get(gid, b"")
            glyf += outline + b"\x00" * (-len(outline) % 4)
        offsets.append(len(glyf))
        tables = dict(self.base.tables)
        tables[b"glyf"] = bytes(glyf)
        tables[b"loca"] = struct.pack(f">{count + 1}I", *offsets)
        empty = b"\x00\x00\x00\x00"
        tables[b"hmtx"] = b"".join(self.horizontal.get(gid, empty) for gid in range(count))
        tables[b"hhea"] = tables[b"hhea"][:34] + struct.pack(">H", count) + tables[b"hhea"][36:]
        if b"vmtx" in tables:
            tables[b"vmtx"] = b"".join(self.vertical.get(gid, empty) for gid in range(count))
            tables[b"vhea"] = tables[b"vhea"][:34] + struct.pack(">H", count) + tables[b"vhea"][36:]
        maxp = tables[b"maxp"][:4] + struct.pack(">H", count)
        tables[b"maxp"] = maxp + (struct.pack(">13H", *self.maxp) if self.maxp else b"")
        head = bytearray(tables[b"head"])
        head[8:12] = b"\x00\x00\x00\x00"  # checkSumAdjustment, set below
        head[36:44] = struct.pack(">4h", *self.bounds)
        head[50:52] = struct.pack(">h", 1)  # long loca offsets
        tables[b"head"] = bytes(head)
        if b"post" in tables:  # format 3: no glyph names, so no list to keep in step with the glyphs
            tables[b"post"] = b"\x00\x03\x00\x00" + tables[b"post"][4:32]
        tables.pop(b"GDEF", None)  # glyph classes for layout; a PDF never lays text out again
        return _sfnt_write(tables)


def _checksum(data: bytes) -> int:
    data += b"\x00" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _sfnt_write(tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1
    while power * 2 <= count:
        power *= 2
    header = struct.pack(
        ">4sHHHH", b"\x00\x01\x00\x00", count, power * 16, power.bit_length() - 1, count * 16 - power * 16
    )
    directory, body = bytearray(), bytearray()
    offset = 12 + 16 * count
    for tag in tags:
        table = tables[tag]
        directory += struct.pack(">4sIII", tag, _checksum(table), offset + len(body), len(table))
        body += table + b"\x00" * (-len(table) % 4)
    font = bytearray(header + directory + body)
    head_at = (
        12 + 16 * count + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[: tags.index(b"head")])
    )
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[head_at + 8 : head_at + 12] = struct.pack(">I", adjustment)
    return bytes(font)
