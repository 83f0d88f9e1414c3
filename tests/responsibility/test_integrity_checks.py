"""Content checked, not only the chain: a letter's stored rows held to what its parties signed and to the
audit chain, a sealed PDF and an evidence file held to their SHA-256, reported by object by
`verify_audit_chain` and, for a letter, on its page."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from accounts.anchors.verify import Severity, integrity_report
from responsibility.letters.integrity import letter_integrity_problems
from responsibility.letters.models.letters import Letter, LetterStatus, Signature, SignatureRole
from tests.accounts.anchors.conftest import raw_sql
from tests.responsibility.archive_helpers import documents_attach, fake_render_install, media_root_use

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(settings):
    """Reports asserted in English, whatever the catalog says."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def problems(report) -> list[str]:
    return [f"{f.subject}: {f.reason}" for f in report.findings if f.severity == Severity.BROKEN]


def letter_row_set(letter: Letter, **values) -> Letter:
    assignments = ", ".join(f"{name} = %s" for name in values)
    raw_sql(f"UPDATE responsibility_letter SET {assignments} WHERE id = %s", [*values.values(), letter.pk])
    return Letter.objects.get(pk=letter.pk)


def test_intact_letters_have_no_problem(countersigned_letter, issued_letters, english, client):
    assert letter_integrity_problems(countersigned_letter) == []
    assert problems(integrity_report()) == []
    client.force_login(countersigned_letter.signer)
    page = client.get(reverse("responsibility:letter-detail", kwargs={"pk": countersigned_letter.pk}))
    assert page.status_code == 200 and "data-integrity-warning" not in page.content.decode()


def test_a_title_edited_in_the_database_is_reported_and_shown_on_the_letter_page(
    countersigned_letter, client
):
    # When someone with the database edits the countersigned letter's title
    letter = letter_row_set(countersigned_letter, title="篡改后的标题")

    # Then the check names the letter
    [problem] = problems(integrity_report())
    assert letter.reference in problem and "与签发时不一致" in problem
    # And the letter's page warns its readers
    client.force_login(letter.signer)
    page = client.get(reverse("responsibility:letter-detail", kwargs={"pk": letter.pk})).content.decode()
    assert "data-integrity-warning" in page
    assert "此责任书已与签署时的内容不一致" in page
    assert "与签发时不一致" in page


def test_a_content_hash_recomputed_to_match_still_differs_from_what_the_parties_signed(
    countersigned_letter, english
):
    from responsibility.letters.content import letter_stored_content_hash

    # When the forger edits the title and recomputes the stored content hash to match
    letter = letter_row_set(countersigned_letter, title="篡改后的标题")
    letter = letter_row_set(letter, content_hash=letter_stored_content_hash(letter=letter))

    # Then both signatures and the chain still record the content that was seen
    reasons = letter_integrity_problems(letter)
    assert any("not the content" in reason for reason in reasons)
    assert any("differs from what the audit chain recorded" in reason for reason in reasons)


def test_a_status_moved_back_behind_the_chain_is_reported(countersigned_letter, english):
    letter = letter_row_set(countersigned_letter, status=LetterStatus.SIGNED)

    [reason] = letter_integrity_problems(letter)

    assert "is not the one the audit chain records" in reason


def test_a_signature_removed_is_reported(countersigned_letter, english):
    signature = Signature.objects.get(letter=countersigned_letter, role=SignatureRole.ISSUER)
    raw_sql("DELETE FROM responsibility_signature WHERE id = %s", [signature.pk])

    reasons = letter_integrity_problems(Letter.objects.get(pk=countersigned_letter.pk))

    assert any("records a signature that is missing" in reason for reason in reasons)


def test_a_sealed_pdf_replaced_in_storage_is_reported(
    countersigned_letter, monkeypatch, settings, tmp_path, english
):
    # Given the letter's PDF stored (rendering at the edge replaced by a small PDF)
    fake_render_install(monkeypatch)
    media_root_use(settings, tmp_path)
    [document] = documents_attach([countersigned_letter])
    assert problems(integrity_report()) == []

    # When the file in storage is replaced by other bytes
    name = document.file.name
    document.file.storage.delete(name)
    document.file.storage.save(name, ContentFile(b"%PDF-1.7 forged"))
    [problem] = problems(integrity_report())
    assert countersigned_letter.reference in problem and "SHA-256 differs" in problem

    # And a file removed from storage is reported too; the command fails
    document.file.storage.delete(name)
    [problem] = problems(integrity_report())
    assert "missing from storage" in problem
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", stdout=None)
