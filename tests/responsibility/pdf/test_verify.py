"""pdf_verify's verdicts on sealed letter-like PDFs archived as the attach task would (fast: no real
render); the real renderer's files are in test_verify_standing.py."""

import datetime
import io

import pytest
import time_machine
from django.utils import translation
from pypdf import PdfReader, PdfWriter

from core.pdf.seal import pdf_seal, seal_certificate_create
from core.verification import Standing
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.services.letters import letter_archive, letter_void
from responsibility.letters.verify import VerificationOutcome, pdf_seal_check, pdf_verify
from tests.responsibility.pdf.sealing import document_archive, sealed_pdf_for, small_letter_pdf
from tests.responsibility.pdf.verifying import OtherSeal, letter_superseded, second_signature_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The verdicts are read in English here, where they are made and where they are read (the page and
    the command speak the reader's language; the Chinese is checked in the page tests)."""
    with translation.override("en"):
        yield


def _unsealed_pdf_for(letter) -> bytes:
    return small_letter_pdf(
        reference=letter.reference,
        title=letter.title,
        unit=letter.signer_unit.name,
        signer=letter.signer.get_full_name(),
    )


@pytest.fixture
def other_seal(seal_settings, tmp_path):
    return OtherSeal(tmp_path)


def test_pdf_verify_accepts_an_archived_sealed_letter_in_force(seal_settings, archived):
    # Given a countersigned letter whose sealed PDF is archived
    document, pdf = archived

    # When the same bytes are verified
    with translation.override("en"):
        result = pdf_verify(pdf=pdf)

    # Then they are authentic, in force, and lead to the letter
    assert result.outcome == VerificationOutcome.AUTHENTIC
    assert result.authentic and result.in_force and result.seal_valid
    assert result.record.reference == document.letter.reference
    assert result.record.verification_code == document.verification_code
    assert result.record.standing == Standing.IN_FORCE
    assert seal_settings.organisation in result.signed_by
    assert result.sealed_at is not None
    assert result.sha256 == document.sha256
    assert (result.tone, result.headline) == ("ok", "Authentic and in force")
    assert result.reason.startswith("This is the archived Responsibility letter")


def test_pdf_verify_says_an_archived_letter_stays_in_force_once_filed(archived, org):
    document, pdf = archived

    letter_archive(letter=document.letter, archived_by=org.office_admin)

    assert pdf_verify(pdf=pdf).outcome == VerificationOutcome.AUTHENTIC


def test_pdf_verify_says_a_letter_voided_after_sealing_is_authentic_but_voided(archived, org):
    # Given an archived sealed letter that the office then voids
    document, pdf = archived
    letter_void(letter=document.letter, voided_by=org.office_admin, reason="机构改革，责任书重新签订")

    # When its stored PDF is verified
    with translation.override("en"):
        result = pdf_verify(pdf=pdf)

    # Then the file is authentic, but the verdict says it no longer stands: when, by whom, why
    assert result.outcome == VerificationOutcome.VOIDED
    assert result.authentic and not result.in_force
    assert (result.tone, result.headline) == ("warn", "Authentic, but voided")
    record = result.record
    assert record.standing == Standing.VOIDED
    assert record.standing_by == org.office_admin.get_full_name()
    assert record.standing_reason == "机构改革，责任书重新签订"
    assert record.standing_at == type(document.letter).objects.get(pk=document.letter.pk).voided_at
    assert "voided on" in result.reason


def test_pdf_verify_says_a_letter_replaced_by_a_later_version_is_superseded(seal_settings, issued_letter):
    # Given version 1 sealed and archived, and version 2 in force with its own sealed PDF
    first, second = letter_superseded(issued_letter)
    first_pdf = sealed_pdf_for(first)

    # When version 1's file is verified
    with translation.override("en"):
        result = pdf_verify(pdf=first_pdf)

    # Then it is authentic but superseded, naming version 2 and the code of its PDF
    assert result.outcome == VerificationOutcome.SUPERSEDED
    assert result.authentic and not result.in_force
    assert result.record.reference == first.reference
    assert result.record.successor_label == "Version 2"
    assert result.record.successor_code == second.document.verification_code
    assert result.record.standing_at == second.countersigned_at
    assert result.record.standing_by == second.issuer.get_full_name()
    assert result.headline == "Authentic, but superseded by Version 2"
    # And version 2's own file is in force
    assert pdf_verify(pdf=sealed_pdf_for(second)).outcome == VerificationOutcome.AUTHENTIC


def test_pdf_verify_says_a_valid_seal_is_not_enough_without_the_archive(seal_settings, countersigned_letter):
    # Given a sealed PDF the archive does not hold
    pdf = sealed_pdf_for(countersigned_letter)

    # When it is verified
    with translation.override("en"):
        result = pdf_verify(pdf=pdf)

    # Then the seal is genuine but the record is missing
    assert not result.authentic
    assert result.seal_valid
    assert result.outcome == VerificationOutcome.NOT_ARCHIVED
    assert result.record is None
    assert (result.tone, result.headline) == ("warn", "Genuine seal, but no record in the archive")


@pytest.mark.parametrize("status", [DocumentStatus.PENDING, DocumentStatus.FAILED])
def test_pdf_verify_counts_only_ready_documents(seal_settings, countersigned_letter, status):
    pdf = sealed_pdf_for(countersigned_letter)
    document_archive(letter=countersigned_letter, pdf=pdf, status=status)

    result = pdf_verify(pdf=pdf)

    assert not result.authentic
    assert result.outcome == VerificationOutcome.NOT_ARCHIVED
    assert result.record is None


def test_pdf_verify_rejects_a_seal_made_with_another_certificate(
    seal_settings, countersigned_letter, other_seal
):
    # Given a PDF sealed with a self-made certificate, whose hash someone even managed to register
    forged = other_seal(_unsealed_pdf_for(countersigned_letter))
    document_archive(letter=countersigned_letter, pdf=forged)

    # When it is verified
    with translation.override("en"):
        result = pdf_verify(pdf=forged)

    # Then it is not authentic: the seal is intact but not the organisation's
    assert not result.authentic
    assert not result.seal_valid
    assert result.outcome == VerificationOutcome.UNTRUSTED
    assert "冒充单位" in result.signed_by
    assert result.headline == "Not authentic: not sealed by this organisation"
    assert not pdf_seal_check(pdf=forged)


def test_pdf_verify_trusts_an_earlier_seal_listed_in_the_trust_roots_file(
    seal_settings, countersigned_letter, other_seal, settings
):
    # Given a letter sealed with a previous seal whose root the office still trusts
    pdf = other_seal(_unsealed_pdf_for(countersigned_letter))
    document_archive(letter=countersigned_letter, pdf=pdf)
    settings.SEAL_TRUST_ROOTS_FILE = str(other_seal.root_pem)

    # When it is verified, then it is authentic
    assert pdf_verify(pdf=pdf).authentic


def test_pdf_verify_rejects_an_unsealed_pdf_even_when_archived(seal_settings, countersigned_letter):
    pdf = _unsealed_pdf_for(countersigned_letter)
    document_archive(letter=countersigned_letter, pdf=pdf)

    with translation.override("en"):
        result = pdf_verify(pdf=pdf)

    assert not result.authentic
    assert result.outcome == VerificationOutcome.NO_SEAL
    assert result.signed_by == ""
    assert result.headline == "Not authentic: the file carries no seal"


def test_pdf_verify_rejects_a_second_seal_after_the_organisations(seal_settings, archived, other_seal):
    # Given the archived letter signed once more after the seal, with our certificate and with another
    _document, pdf = archived
    sealed_twice = [
        second_signature_add(pdf, seal_settings.pkcs12, seal_settings.password),
        second_signature_add(pdf, other_seal.path),
    ]

    # When each is verified
    results = [pdf_verify(pdf=twice) for twice in sealed_twice]

    # Then neither is authentic: something was signed after the seal
    assert [result.outcome for result in results] == [VerificationOutcome.CHANGED] * 2
    assert not any(result.authentic or result.seal_valid for result in results)


def _incremental_update(pdf: bytes, change) -> bytes:
    writer = PdfWriter(PdfReader(io.BytesIO(pdf)), incremental=True)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_verify_rejects_an_incremental_update_after_the_seal(archived):
    # Given the archived letter with its title changed in an incremental update (its pages untouched)
    _document, pdf = archived
    updated = _incremental_update(pdf, lambda writer: writer.add_metadata({"/Title": "篡改后的责任书"}))
    assert updated.startswith(pdf)

    # When it is verified, then it was changed after sealing
    result = pdf_verify(pdf=updated)
    assert result.outcome == VerificationOutcome.CHANGED
    assert not result.authentic


@pytest.mark.parametrize(
    ("data", "outcome"),
    [
        (b"", VerificationOutcome.EMPTY),
        (b"hello, this is not a PDF at all", VerificationOutcome.NOT_PDF),
        (bytes(range(256)) * 40, VerificationOutcome.NOT_PDF),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, VerificationOutcome.DAMAGED),
        (b"%PDF-1.7\n%%EOF\n", VerificationOutcome.DAMAGED),
    ],
)
def test_pdf_verify_answers_garbage_with_a_reason(seal_settings, data, outcome):
    with translation.override("en"):
        result = pdf_verify(pdf=data)

    assert not result.authentic
    assert result.unreadable
    assert result.outcome == outcome
    assert result.headline == "Cannot be verified: the file cannot be read"
    assert result.reason
    assert result.record is None


def test_pdf_verify_judges_an_archived_letter_when_it_was_sealed_after_the_certificate_expires(
    seal_settings, countersigned_letter, settings, tmp_path
):
    # Given a letter sealed and archived with a seal certificate valid for one day
    path = tmp_path / "short.p12"
    seal_certificate_create(path=path, password="", organisation="短期印章单位", days=1)
    settings.SEAL_PKCS12_FILE, settings.SEAL_PKCS12_PASSWORD = path, ""
    pdf = pdf_seal(pdf=_unsealed_pdf_for(countersigned_letter))
    document_archive(letter=countersigned_letter, pdf=pdf)
    copy_elsewhere = pdf_seal(pdf=small_letter_pdf(reference="x", title="x", unit="x", signer="x"))

    # When both are verified three days later
    with time_machine.travel(datetime.timedelta(days=3)):
        archived = pdf_verify(pdf=pdf)
        not_archived = pdf_verify(pdf=copy_elsewhere)

    # Then the archived letter is still authentic (judged when the office stored it), and a file the
    # archive does not know is judged now, with an expired certificate
    assert archived.authentic
    assert not not_archived.seal_valid


def test_a_ready_document_of_a_letter_in_no_sealed_state_is_no_record(seal_settings, issued_letter):
    # Given (against the services) a sealed PDF archived for a letter still awaiting its signature
    pdf = sealed_pdf_for(issued_letter)
    document_archive(letter=issued_letter, pdf=pdf)

    # When it is verified, then the archive vouches for nothing
    result = pdf_verify(pdf=pdf)
    assert result.outcome == VerificationOutcome.NOT_ARCHIVED
    assert result.record is None
    assert LetterDocument.objects.filter(letter=issued_letter).exists()
