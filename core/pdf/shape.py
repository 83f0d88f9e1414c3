"""Is a PDF shaped like a letter the organisation sealed? Cheap checks of the raw bytes, before any parser.

A sealed letter is small and plain: WeasyPrint's PDF (one revision, a few dozen objects) and the seal's
incremental update (a second revision), a few hundred kilobytes in all. A file built to exhaust the
verifier is not: a signature whose /ByteRange lists 150,000 ranges, thousands of incremental updates,
hundreds of thousands of objects. Such files are refused here, before pyHanko (whose time grows with each
of those) sees them, by counting keywords and by a few regular expressions that begin with a literal: each
scan runs near the speed of a substring search, a fraction of a second even over the largest file allowed.

What is checked:
- the size, at most `max_bytes`;
- the revisions (`%%EOF` and `startxref` markers), at most `max_revisions`;
- the objects (`obj` keywords that are not `endobj`, and the largest cross-reference /Size), at most
  `max_objects`;
- every signature's /ByteRange is exactly what PAdES allows: four integers [0 a b c], the gap a…b is
  exactly the /Contents hex string `<…>`, and b + c is the end of the revision the signature closes.

These bounds are the first line only. Whatever passes them is still validated within a time and memory
budget (responsibility.letters.verify), since a file can be costly in ways no cheap scan sees (a
compressed stream, an object stream).
"""

import itertools
import re
from dataclasses import dataclass

# PDF white-space characters (ISO 32000-1, 7.2.2); \s would also take \v and miss NUL.
_WS = rb"[\x00\t\n\f\r ]"
_SIZE = re.compile(rb"/Size" + _WS + rb"*([0-9]{1,12})")
_BYTE_RANGE_KEY = re.compile(rb"/ByteRange(?![A-Za-z0-9])")
# What may follow the key: exactly four integers in brackets, nothing else.
_BYTE_RANGE = re.compile(
    rb"/ByteRange"
    + _WS
    + rb"*\["
    + _WS
    + rb"*([0-9]{1,10})"
    + _WS
    + rb"+([0-9]{1,10})"
    + _WS
    + rb"+([0-9]{1,10})"
    + _WS
    + rb"+([0-9]{1,10})"
    + _WS
    + rb"*\]"
)
_HEX_STRING = re.compile(rb"<[0-9A-Fa-f]*>")
_EOF = b"%%EOF"


@dataclass(frozen=True)
class PdfShapeLimits:
    max_bytes: int
    max_revisions: int
    max_objects: int


def pdf_shape_problem(pdf: bytes, *, limits: PdfShapeLimits, byte_range_offsets: bool = True) -> str | None:
    """None when `pdf` has the shape of a sealed letter; otherwise what is wrong (for the log, in English).

    With `byte_range_offsets=False` a signature's /ByteRange need only have PAdES's form (four integers,
    from 0), not fit the file's bytes: a sealed file saved again by another program keeps its seal's
    numbers while everything moves, and the verifier still reads it, within its budget, to tell what it
    is a copy of.
    """
    if len(pdf) > limits.max_bytes:
        return f"{len(pdf)} bytes, more than {limits.max_bytes}"
    revisions = max(pdf.count(_EOF), pdf.count(b"startxref"))
    if revisions > limits.max_revisions:
        return f"{revisions} revisions, more than {limits.max_revisions}"
    byte_ranges = _byte_ranges_problem(pdf, max_signatures=limits.max_revisions, offsets=byte_range_offsets)
    if byte_ranges is not None:
        return byte_ranges
    objects = pdf.count(b"obj") - pdf.count(b"endobj")  # "12 0 obj" … "endobj"
    if objects > limits.max_objects:
        return f"{objects} objects, more than {limits.max_objects}"
    # One /Size per cross-reference section, that is per revision.
    sizes = [int(match.group(1)) for match in itertools.islice(_SIZE.finditer(pdf), limits.max_revisions + 1)]
    if len(sizes) > limits.max_revisions:
        return f"more than {limits.max_revisions} cross-reference sections"
    declared = max(sizes, default=0)
    if declared > limits.max_objects:
        return f"a cross-reference /Size of {declared}, more than {limits.max_objects}"
    return None


def _byte_ranges_problem(pdf: bytes, *, max_signatures: int, offsets: bool) -> str | None:
    signatures = pdf.count(b"/ByteRange")
    if signatures > max_signatures:
        return f"{signatures} signatures, more than {max_signatures}"
    for position in (match.start() for match in _BYTE_RANGE_KEY.finditer(pdf)):
        match = _BYTE_RANGE.match(pdf, position)
        if match is None:
            return f"a /ByteRange at offset {position} that is not four integers"
        start, signed_until, resumes_at, length = (int(number) for number in match.groups())
        if start != 0:
            return f"a /ByteRange at offset {position} that does not start at 0"
        if not offsets:
            continue
        if not (0 < signed_until < resumes_at <= len(pdf)) or not _HEX_STRING.fullmatch(
            pdf, signed_until, resumes_at
        ):
            return f"a /ByteRange at offset {position} whose gap is not exactly the /Contents hex string"
        if resumes_at + length not in _revision_ends(pdf, resumes_at):
            return f"a /ByteRange at offset {position} that does not end where its revision ends"
    return None


def _revision_ends(pdf: bytes, after: int) -> tuple[int, ...]:
    """Where the revision that goes on at `after` may be said to end: right after its %%EOF marker, or
    after the end-of-line that follows it. () when no marker follows."""
    marker = pdf.find(_EOF, after)
    if marker == -1:
        return ()
    end = marker + len(_EOF)
    for eol in (b"\r\n", b"\n", b"\r"):
        if pdf.startswith(eol, end):
            return end, end + len(eol)
    return (end,)
