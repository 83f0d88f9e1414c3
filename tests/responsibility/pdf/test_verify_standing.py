"""pdf_verify on real sealed letters, rendered, sealed and stored by the services: where the letter stands,
its place in the audit chain, and copies saved again by other programs.

Each test renders and seals one letter: a fraction of a second, but several for the first in a process.
"""

import io

import pytest
from django.utils import translation
from pypdf import PdfReader, PdfWriter

from accounts.anchors.models import AnchorReason, ChainAnchor
from core.verification import Standing
from responsibility.letters.models.letters import LetterEvent, LetterEventKind
from responsibility.letters.services.letters import letter_void
from responsibility.letters.verify import VerificationOutcome, pdf_verify
from tests.responsibility.pdf.verifying import (
    letter_sealed_as_stored,
    resaved_by_pikepdf,
    resaved_by_pypdf,
    resaved_with_a_word_changed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The verdicts are read in English here, where they are made and where they are read (the page and
    the command speak the reader's language; the Chinese is checked in the page tests)."""
    with translation.override("en"):
        yield


@pytest.fixture
def stored(seal_settings, countersigned_letter):
    """The countersigned letter's real sealed PDF, stored by letter_document_attach: (document, bytes)."""
    return letter_sealed_as_stored(countersigned_letter)


def test_a_stored_letter_verifies_in_force_with_its_place_in_the_audit_chain(stored):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    # Given a letter sealed and stored by the services
    document, pdf = stored
    letter = document.letter

    # When its stored PDF is verified
    with translation.override("en"):
        result = pdf_verify(pdf=pdf)

    # Then it is in force, and its record places it in the letter audit chain: the countersignature's
    # event, and the anchor made when it was sealed
    assert result.outcome == VerificationOutcome.AUTHENTIC
    countersigned = LetterEvent.objects.get(letter=letter, kind=LetterEventKind.COUNTERSIGNED)
    anchor = ChainAnchor.objects.get(reason=AnchorReason.SEAL, subject=letter.reference)
    chain = result.record.chain
    assert (chain.sequence, chain.event_hash) == (countersigned.sequence, countersigned.hash)
    assert (chain.anchor_number, chain.anchor_digest) == (anchor.number, anchor.digest)
    assert chain.chain_label == "The letter audit chain"
    assert chain.event_label == "The issuer countersigned the letter; it is in force."
    assert dict(result.record.rows)["Content SHA-256"] == letter.content_hash


def test_a_stored_letter_voided_afterwards_verifies_as_voided(stored, org):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    # Given a stored sealed letter, voided by the office afterwards
    document, pdf = stored
    letter_void(letter=document.letter, voided_by=org.office_admin, reason="人事调整")

    # When its stored PDF is verified, then it is authentic but voided, with who and why
    result = pdf_verify(pdf=pdf)
    assert result.outcome == VerificationOutcome.VOIDED
    assert result.record.standing == Standing.VOIDED
    assert (result.record.standing_by, result.record.standing_reason) == ("李管理", "人事调整")


@pytest.mark.parametrize("resave", [resaved_by_pikepdf, resaved_by_pypdf], ids=["pikepdf", "pypdf"])
def test_a_copy_saved_again_by_another_program_is_changed_and_named_for_what_it_is(stored, resave):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    # Given the stored letter written back by another program: the same pages, other bytes
    document, pdf = stored
    copy = resave(pdf)
    assert copy != pdf

    # When the copy is verified
    with translation.override("en"):
        result = pdf_verify(pdf=copy)

    # Then it is not authentic, but the verdict says whose pages it has and what that usually means
    assert result.outcome == VerificationOutcome.CHANGED
    assert not result.authentic and not result.seal_valid
    assert result.same_pages_as is not None
    assert result.same_pages_as.verification_code == document.verification_code
    assert document.letter.reference in result.resaved_note
    assert "saved again by another program" in result.resaved_note
    assert "Ask the office that issued it for the original file" in result.resaved_note


def test_a_copy_saved_again_with_a_word_added_is_changed_with_no_such_note(stored):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    # Given the stored letter with one more word drawn on its first page, saved again
    document, pdf = stored
    changed = resaved_with_a_word_changed(pdf)

    # When it is verified, then it is changed after sealing, and nothing says its pages are the original's
    result = pdf_verify(pdf=changed)
    assert result.outcome == VerificationOutcome.CHANGED
    assert result.same_pages_as is None
    assert result.resaved_note == ""


def test_a_byte_flipped_in_the_signed_content_is_changed(stored):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    _document, pdf = stored
    tampered = bytearray(pdf)
    signed_until = int(bytes(pdf).split(b"/ByteRange")[1].split()[2])  # [0 a b c]: a
    tampered[signed_until // 2] ^= 0x01

    result = pdf_verify(pdf=bytes(tampered))

    assert not result.authentic
    assert result.outcome in (VerificationOutcome.CHANGED, VerificationOutcome.DAMAGED)


def test_an_annotation_added_after_the_seal_is_changed_with_no_such_note(stored):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    # Given a note drawn on the stored letter in an incremental update
    from pypdf.annotations import FreeText

    _document, pdf = stored
    writer = PdfWriter(PdfReader(io.BytesIO(pdf)), incremental=True)
    writer.add_annotation(page_number=0, annotation=FreeText(text="本条款作废", rect=(100, 100, 300, 150)))
    out = io.BytesIO()
    writer.write(out)

    # When it is verified, then it is changed, and its pages are not the archived letter's
    result = pdf_verify(pdf=out.getvalue())
    assert result.outcome == VerificationOutcome.CHANGED
    assert result.same_pages_as is None


def test_a_copy_of_a_voided_letter_saved_again_names_the_letter_and_what_it_is(stored, org):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    # Given a voided letter's copy saved again by another program
    document, pdf = stored
    letter_void(letter=document.letter, voided_by=org.office_admin, reason="人事调整")

    # When it is verified, then it is changed, and the letter it copies says it is voided
    result = pdf_verify(pdf=resaved_by_pikepdf(pdf))
    assert result.outcome == VerificationOutcome.CHANGED
    assert result.same_pages_as.standing == Standing.VOIDED


def test_the_comparison_with_the_archive_shares_the_seal_checks_time_budget(stored, settings):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    # Given no time left after the seal check (a budget the seal check alone uses up)
    _document, pdf = stored
    settings.VERIFY_TIMEOUT_SECONDS = 0.001

    # When a copy saved again is verified, then the answer still comes, unexplained
    result = pdf_verify(pdf=resaved_by_pikepdf(pdf))
    assert result.outcome in (VerificationOutcome.TOO_COMPLEX, VerificationOutcome.CHANGED)
    assert result.same_pages_as is None
