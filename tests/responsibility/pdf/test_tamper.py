"""Tamper evidence: no change to an archived, sealed letter PDF passes verification.

Two layers are proven separately: the archive hash rejects every changed byte, and the seal alone (as
a PDF reader checks it, without our archive) rejects every change inside the signed byte range, every
truncation and every incremental update.
"""

import io
import random
from collections import Counter

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText

from responsibility.letters.models.documents import LetterDocument
from responsibility.letters.models.letters import Letter
from responsibility.letters.services.letters import letter_countersign
from responsibility.letters.verify import VerificationOutcome, pdf_seal_check, pdf_verify
from tests.conftest import attestation_for
from tests.responsibility.pdf.sealing import document_archive, letter_countersign_in_full, sealed_pdf_for

# Engine-independent: what is proven is in the PDF bytes and pyHanko; the one lookup (a document by its
# SHA-256) is tested on both engines by tests/responsibility/pdf/test_verify.py.
pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]

FLIPS = 1000  # over four letters
SEED = 20260301


@pytest.fixture
def archived(seal_settings, signed_letter, issued_letters, staff_letters) -> list[bytes]:
    """Four countersigned letters (two committee heads, two of their staff) with archived sealed PDFs."""
    letter_countersign(
        letter=signed_letter,
        countersigned_by=signed_letter.issuer,
        attestation=attestation_for(signed_letter),
    )
    for letter in [issued_letters[1], *staff_letters]:
        letter_countersign_in_full(letter)
    pdfs = []
    for letter in Letter.objects.filter(pk__in=[letter.pk for letter in [*issued_letters, *staff_letters]]):
        pdf = sealed_pdf_for(letter)
        document_archive(letter=letter, pdf=pdf)
        pdfs.append(pdf)
    assert len(pdfs) == 4
    assert all(pdf_verify(pdf=pdf).authentic for pdf in pdfs)  # the untouched files pass
    return pdfs


def _signed_ranges(pdf: bytes) -> list[range]:
    [seal] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    start1, length1, start2, length2 = seal.byte_range
    assert start1 == 0 and start2 + length2 == len(pdf)  # the seal covers the whole file but /Contents
    return [range(start1, start1 + length1), range(start2, start2 + length2)]


def _flip(pdf: bytes, offset: int, mask: int) -> bytes:
    changed = bytearray(pdf)
    changed[offset] ^= mask
    return bytes(changed)


def test_every_random_single_byte_flip_is_not_authentic(archived):
    """A thousand full verifications, as the public page runs them (the shape check, then pyHanko in a
    budgeted child process): about a minute. Fewer flips would leave most of each file untried."""
    # Given four archived sealed letters and a seeded random source
    rng = random.Random(SEED)
    outcomes = Counter()

    # When single bytes are flipped anywhere in them
    for _ in range(FLIPS):
        pdf = rng.choice(archived)
        result = pdf_verify(pdf=_flip(pdf, rng.randrange(len(pdf)), rng.randrange(1, 256)))
        outcomes[result.authentic] += 1

    # Then not one of them is authentic
    assert outcomes == {False: FLIPS}


def test_every_flip_inside_the_signed_range_breaks_the_seal_itself(archived):
    """Two hundred seal validations by pyHanko (about 60 ms each): about 12 s."""
    # Given the signed byte ranges of the sealed letters
    rng = random.Random(SEED + 1)
    kept = []

    # When bytes inside them are flipped and only the seal is checked (no archive lookup)
    for _ in range(200):
        pdf = rng.choice(archived)
        signed = rng.choice(_signed_ranges(pdf))
        if pdf_seal_check(pdf=_flip(pdf, rng.choice(signed), rng.randrange(1, 256))):
            kept.append(pdf)

    # Then the seal rejects every one of them
    assert kept == []


def test_a_flip_inside_the_seal_value_is_caught_by_the_archive_hash(archived):
    # Given a byte of the signature value itself (outside the signed range)
    pdf = archived[0]
    [first, second] = _signed_ranges(pdf)
    contents_start = first.stop + 1  # after the "<" that opens the hex string

    # When it is changed to another hex digit
    tampered = bytearray(pdf)
    tampered[contents_start + 10] = ord("0") if tampered[contents_start + 10] != ord("0") else ord("1")

    # Then the file is not authentic
    assert not pdf_verify(pdf=bytes(tampered)).authentic
    assert second.start > contents_start


APPENDED = [b"\n", b" ", b"%%EOF\n", b"\x00" * 16, random.Random(SEED).randbytes(1000)]


def test_appended_bytes_are_not_authentic(archived):
    for pdf in archived:
        for tail in APPENDED:
            assert not pdf_verify(pdf=pdf + tail).authentic, tail
            assert not pdf_seal_check(pdf=pdf + tail), tail  # the seal no longer ends the file


def test_truncated_files_are_not_authentic(archived):
    for pdf in archived:
        [first, second] = _signed_ranges(pdf)
        cuts = [0, 5, 100, len(pdf) // 2, first.stop, second.start, len(pdf) - 20, len(pdf) - 1]
        for cut in cuts:
            truncated = pdf[:cut]
            assert not pdf_verify(pdf=truncated).authentic, cut
            assert not pdf_seal_check(pdf=truncated), cut


def _incremental_update(pdf: bytes, change) -> bytes:
    writer = PdfWriter(PdfReader(io.BytesIO(pdf)), incremental=True)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_note(writer: PdfWriter) -> None:
    note = FreeText(text="本条款作废", rect=(100, 100, 300, 150))
    writer.add_annotation(page_number=0, annotation=note)


def _change_metadata(writer: PdfWriter) -> None:
    writer.add_metadata({"/Title": "篡改后的责任书"})


@pytest.mark.parametrize("change", [_add_note, _change_metadata], ids=["annotation", "metadata"])
def test_an_incremental_update_is_not_authentic_even_with_its_hash_registered(archived, change):
    # Given an archived letter changed by an incremental update (the original bytes stay in front)
    pdf = archived[0]
    updated = _incremental_update(pdf, change)
    assert updated.startswith(pdf) and len(updated) > len(pdf)

    # When verified, first as it is, then after someone registered its hash in the archive
    as_is = pdf_verify(pdf=updated)
    LetterDocument.objects.filter(sha256=pdf_verify(pdf=pdf).sha256).update(sha256=as_is.sha256)
    registered = pdf_verify(pdf=updated)

    # Then both are rejected: the seal no longer covers the whole file
    assert not as_is.authentic
    assert not registered.authentic
    assert registered.record is not None
    assert registered.outcome == VerificationOutcome.CHANGED
    assert not pdf_seal_check(pdf=updated)
