import datetime

import pytest
import time_machine
from django.utils import translation

from core.pdf.seal import pdf_seal, seal_certificate_create, seal_root_path
from responsibility.letters.models.documents import DocumentStatus
from responsibility.letters.verify import (
    VerificationOutcome,
    letter_document_get_by_code,
    pdf_seal_check,
    pdf_verify,
    verification_code_normalise,
)
from tests.responsibility.pdf.sealing import document_archive, sealed_pdf_for, small_letter_pdf

pytestmark = pytest.mark.django_db


def _unsealed_pdf_for(letter) -> bytes:
    return small_letter_pdf(
        reference=letter.reference,
        title=letter.title,
        unit=letter.signer_unit.name,
        signer=letter.signer.get_full_name(),
    )


@pytest.fixture
def other_seal(settings, tmp_path):
    """Seal with a self-made certificate that is not the organisation's, then put the settings back."""
    path = tmp_path / "someone-else.p12"
    seal_certificate_create(path=path, password="", organisation="冒充单位", days=30)

    def seal(pdf: bytes) -> bytes:
        kept = settings.SEAL_PKCS12_FILE, settings.SEAL_PKCS12_PASSWORD
        settings.SEAL_PKCS12_FILE, settings.SEAL_PKCS12_PASSWORD = path, ""
        try:
            return pdf_seal(pdf=pdf)
        finally:
            settings.SEAL_PKCS12_FILE, settings.SEAL_PKCS12_PASSWORD = kept

    seal.root_pem = seal_root_path(path)
    return seal


def test_pdf_verify_accepts_an_archived_sealed_letter(seal_settings, countersigned_letter):
    # Given a countersigned letter whose sealed PDF is archived
    pdf = sealed_pdf_for(countersigned_letter)
    document = document_archive(letter=countersigned_letter, pdf=pdf)

    # When the same bytes are verified
    with translation.override("en"):
        result = pdf_verify(pdf=pdf)

    # Then they are authentic and lead to the letter
    assert result.authentic
    assert result.outcome == VerificationOutcome.AUTHENTIC
    assert result.seal_valid
    assert result.document == document
    assert result.document.letter == countersigned_letter
    assert seal_settings.organisation in result.signed_by
    assert result.sealed_at is not None
    assert result.sha256 == document.sha256
    assert result.reason.startswith("Authentic")


def test_pdf_verify_says_a_valid_seal_is_not_enough_without_the_archive(seal_settings, countersigned_letter):
    # Given a sealed PDF the archive does not hold
    pdf = sealed_pdf_for(countersigned_letter)

    # When it is verified
    with translation.override("en"):
        result = pdf_verify(pdf=pdf)

    # Then the seal is valid but the file is not authentic
    assert not result.authentic
    assert result.seal_valid
    assert result.outcome == VerificationOutcome.NOT_ARCHIVED
    assert result.document is None
    assert result.reason == "The seal is valid, but this file is not in the archive."


def test_pdf_verify_rejects_a_seal_made_with_another_certificate(
    seal_settings, countersigned_letter, other_seal
):
    # Given a PDF sealed with a self-made certificate, whose hash someone even managed to register
    forged = other_seal(_unsealed_pdf_for(countersigned_letter))
    document_archive(letter=countersigned_letter, pdf=forged)

    # When it is verified
    result = pdf_verify(pdf=forged)

    # Then it is not authentic: the seal is intact but not the organisation's
    assert not result.authentic
    assert not result.seal_valid
    assert result.outcome == VerificationOutcome.UNTRUSTED
    assert "冒充单位" in result.signed_by
    assert not pdf_seal_check(pdf=forged)


def test_pdf_verify_trusts_an_earlier_seal_listed_in_the_trust_roots_file(
    seal_settings, countersigned_letter, other_seal, settings
):
    # Given a letter sealed with a previous seal whose root the office still trusts
    pdf = other_seal(_unsealed_pdf_for(countersigned_letter))
    document_archive(letter=countersigned_letter, pdf=pdf)
    settings.SEAL_TRUST_ROOTS_FILE = str(other_seal.root_pem)

    # When it is verified
    result = pdf_verify(pdf=pdf)

    # Then it is authentic
    assert result.authentic


def test_pdf_verify_rejects_an_unsealed_pdf_even_when_archived(seal_settings, countersigned_letter):
    pdf = _unsealed_pdf_for(countersigned_letter)
    document_archive(letter=countersigned_letter, pdf=pdf)

    result = pdf_verify(pdf=pdf)

    assert not result.authentic
    assert result.outcome == VerificationOutcome.NO_SEAL
    assert result.signed_by == ""


@pytest.mark.parametrize(
    ("data", "outcome"),
    [
        (b"", VerificationOutcome.NOT_PDF),
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
    assert result.outcome == outcome
    assert result.reason
    assert result.document is None


@pytest.mark.parametrize("status", [DocumentStatus.PENDING, DocumentStatus.FAILED])
def test_pdf_verify_counts_only_ready_documents(seal_settings, countersigned_letter, status):
    pdf = sealed_pdf_for(countersigned_letter)
    document_archive(letter=countersigned_letter, pdf=pdf, status=status)

    result = pdf_verify(pdf=pdf)

    assert not result.authentic
    assert result.outcome == VerificationOutcome.NOT_ARCHIVED


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


@pytest.mark.parametrize(
    "typed",
    [
        "K7QX-3M9D-PA2W-H4TZ",
        "k7qx3m9dpa2wh4tz",
        " k7qx 3m9d pa2w h4tz ",
        "K7QX—3M9D—PA2W—H4TZ",
        "k7qx-3m9dpa2w-h4tz",
    ],
)
def test_verification_code_normalise_accepts_what_people_type(typed):
    assert verification_code_normalise(typed) == "K7QX-3M9D-PA2W-H4TZ"


@pytest.mark.parametrize(
    "typed", ["", "K7QX-3M9D-PA2W", "K7QX-3M9D-PA2W-H4TZ-AAAA", "O0I1-3M9D-PA2W-H4TZ", "中文"]
)
def test_verification_code_normalise_refuses_what_cannot_be_a_code(typed):
    assert verification_code_normalise(typed) is None


def test_letter_document_get_by_code_finds_only_ready_documents(seal_settings, countersigned_letter):
    # Given an archived letter
    document = document_archive(letter=countersigned_letter, pdf=sealed_pdf_for(countersigned_letter))
    typed = document.verification_code.replace("-", " ").lower()

    # When looked up by its code as typed, or once it is no longer ready
    found = letter_document_get_by_code(code=typed)
    document.status = DocumentStatus.FAILED
    document.save(update_fields=["status"])
    not_ready = letter_document_get_by_code(code=document.verification_code)

    # Then only the ready document is found
    assert found == document
    assert not_ready is None
    assert letter_document_get_by_code(code="AAAA-BBBB-CCCC-DDDD") is None
