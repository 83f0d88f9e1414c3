"""PDFs built to exhaust a verifier, as an attacker would send them to the public verification page."""

import re
import zlib


def byte_range_bomb(sealed: bytes, *, ranges: int = 150_000) -> bytes:
    """A sealed letter whose seal's /ByteRange is rewritten to `ranges` ranges, each over the first signed
    part (a verifier that follows it hashes that part again and again), with startxref still right."""
    match = re.search(rb"/ByteRange\s*\[([0-9 ]+)\]", sealed)
    start, signed_until, resumes_at, length = (int(number) for number in match.group(1).split())
    repeated = b" ".join(b"%d %d" % (start, signed_until) for _ in range(ranges - 1))
    array = b"/ByteRange [%s %d %d]" % (repeated, resumes_at, length)
    bomb = sealed[: match.start()] + array + sealed[match.end() :]
    # The seal's object is the last but the cross-reference stream: only that one has moved.
    moved_by = len(array) - (match.end() - match.start())
    xref_at = int(re.findall(rb"startxref\s+([0-9]+)", sealed)[-1])
    tail = re.compile(rb"startxref\s+[0-9]+\s+%%EOF\s*$")
    return tail.sub(b"startxref\n%d\n%%%%EOF\n" % (xref_at + moved_by), bomb)


def incremental_updates_append(sealed: bytes, *, count: int = 3000) -> bytes:
    """`count` small, well-formed incremental updates after a sealed letter, each adding one object."""
    root = re.findall(rb"/Root\s+([0-9]+\s+[0-9]+\s+R)", sealed)[-1]
    size = max(int(number) for number in re.findall(rb"/Size\s+([0-9]+)", sealed))
    previous = int(re.findall(rb"startxref\s+([0-9]+)", sealed)[-1])
    out = bytearray(sealed)
    for update in range(count):
        number, size = size, size + 1
        object_at = len(out)
        out += b"%d 0 obj\n<< /Note (update %d) >>\nendobj\n" % (number, update)
        xref_at = len(out)
        out += (
            b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n"
            b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
            % (number, object_at, size, root, previous, xref_at)
        )
        previous = xref_at
    return bytes(out)


def object_bomb(*, count: int = 200_000) -> bytes:
    """A small, well-formed PDF with `count` tiny objects and a compressed cross-reference stream."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = [0]
    for body in (b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (len(offsets) - 1, body)
    for _ in range(count):
        offsets.append(len(out))
        out += b"%d 0 obj()endobj\n" % (len(offsets) - 1)
    xref_number = len(offsets)
    offsets.append(len(out))
    entries = (
        b"\x00"
        + (0).to_bytes(4, "big")
        + b"\xff"
        + b"".join(b"\x01" + offset.to_bytes(4, "big") + b"\x00" for offset in offsets[1:])
    )
    stream = zlib.compress(entries)
    dictionary = b"/Type /XRef /Size %d /W [1 4 1] /Root 1 0 R /Filter /FlateDecode /Length %d" % (
        xref_number + 1,
        len(stream),
    )
    out += b"%d 0 obj\n<< %s >>\nstream\n" % (xref_number, dictionary)
    out += stream + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[-1]
    return bytes(out)


# What an attacker sends, each made from a genuine sealed letter (the object bomb needs none).
HOSTILE_FILES = {
    "byte range of 150,000 ranges": byte_range_bomb,
    "3,000 incremental updates": incremental_updates_append,
    "200,000 tiny objects": lambda _sealed: object_bomb(count=200_000),
}
