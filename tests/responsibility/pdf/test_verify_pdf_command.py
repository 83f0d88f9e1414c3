"""manage.py verify_pdf: one exit status per verdict, and the standing printed."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from responsibility.letters.services.letters import letter_void
from responsibility.letters.verify import VerificationOutcome
from responsibility.management.commands import verify_pdf
from tests.responsibility.pdf.sealing import sealed_pdf_for, small_letter_pdf
from tests.responsibility.pdf.verifying import (
    OtherSeal,
    letter_sealed_as_stored,
    letter_superseded,
    resaved_by_pikepdf,
)

pytestmark = pytest.mark.django_db


def _verify(path) -> tuple[int, str]:
    """(exit status, what was printed), in English."""
    out = io.StringIO()
    with translation.override("en"):
        try:
            call_command("verify_pdf", str(path), stdout=out)
        except SystemExit as exited:
            return exited.code, out.getvalue()
    return 0, out.getvalue()


def _file(tmp_path, data: bytes, name="letter.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_verify_pdf_exits_0_and_prints_the_document_in_force(archived, tmp_path):
    # Given an archived sealed letter saved to a file
    document, pdf = archived
    letter = document.letter

    # When the command checks it
    status, output = _verify(_file(tmp_path, pdf))

    # Then it exits 0 and names the letter, its code, its parties
    assert status == 0
    assert "Verdict: Authentic and in force" in output
    for shown in (letter.reference, letter.title, document.verification_code, document.sha256):
        assert shown in output
    assert letter.signer.get_full_name() in output


def test_verify_pdf_exits_3_for_a_voided_letter_and_says_when_by_whom_and_why(archived, org, tmp_path):
    document, pdf = archived
    letter = letter_void(letter=document.letter, voided_by=org.office_admin, reason="机构改革")

    status, output = _verify(_file(tmp_path, pdf))

    local = timezone.localtime(letter.voided_at)
    assert status == verify_pdf.EXIT_VOIDED == 3
    assert "Verdict: Authentic, but voided" in output
    assert f"Voided on: {local.year}年{local.month}月{local.day}日 {local:%H:%M}" in output
    assert f"Voided by: {org.office_admin.get_full_name()}" in output
    assert "Reason for voiding: 机构改革" in output


def test_verify_pdf_exits_4_for_a_superseded_letter_and_names_the_version_in_force(
    seal_settings, issued_letter, tmp_path
):
    first, second = letter_superseded(issued_letter)

    status, output = _verify(_file(tmp_path, sealed_pdf_for(first)))

    assert status == verify_pdf.EXIT_SUPERSEDED == 4
    assert "Verdict: Authentic, but superseded by Version 2" in output
    assert f"In force now: Version 2, verification code {second.document.verification_code}" in output


def test_verify_pdf_exits_5_for_a_valid_seal_the_archive_does_not_know(
    seal_settings, countersigned_letter, tmp_path
):
    status, output = _verify(_file(tmp_path, sealed_pdf_for(countersigned_letter)))

    assert status == verify_pdf.EXIT_NOT_ARCHIVED == 5
    assert "Verdict: Genuine seal, but no record in the archive" in output
    assert countersigned_letter.reference not in output


def test_verify_pdf_exits_1_for_a_changed_file(archived, tmp_path):
    document, pdf = archived

    status, output = _verify(_file(tmp_path, pdf + b"\n% appended\n"))

    assert status == verify_pdf.EXIT_CHANGED == 1
    assert "Verdict: Not authentic: changed after sealing" in output
    assert document.letter.reference not in output


def test_verify_pdf_exits_1_for_a_copy_saved_again_and_says_what_it_is(
    seal_settings, countersigned_letter, tmp_path
):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    document, pdf = letter_sealed_as_stored(countersigned_letter)

    status, output = _verify(_file(tmp_path, resaved_by_pikepdf(pdf)))

    assert status == 1
    assert "saved again by another program" in output
    assert f"Its verification code: {document.verification_code}" in output


def test_verify_pdf_exits_6_for_another_organisations_seal(seal_settings, tmp_path):
    forged = OtherSeal(tmp_path)(small_letter_pdf(reference="x", title="x", unit="x", signer="x"))

    status, output = _verify(_file(tmp_path, forged))

    assert status == verify_pdf.EXIT_UNTRUSTED == 6
    assert "冒充单位" in output


def test_verify_pdf_exits_7_for_a_pdf_without_a_seal(seal_settings, tmp_path):
    status, _output = _verify(
        _file(tmp_path, small_letter_pdf(reference="x", title="x", unit="x", signer="x"))
    )

    assert status == verify_pdf.EXIT_NO_SEAL == 7


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The file is empty."),
        (b"not a pdf", "This is not a PDF file."),
        (b"%PDF-1.7\n%%EOF\n", "The file is damaged: it cannot be read as a PDF."),
    ],
    ids=["empty", "not a PDF", "damaged"],
)
def test_verify_pdf_exits_8_for_a_file_it_cannot_read_as_a_pdf(seal_settings, tmp_path, data, reason):
    status, output = _verify(_file(tmp_path, data))

    assert status == verify_pdf.EXIT_UNREADABLE == 8
    assert "Verdict: Cannot be verified: the file cannot be read" in output
    assert reason in output


def test_verify_pdf_exits_2_for_a_file_it_cannot_open(seal_settings, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("verify_pdf", str(tmp_path / "missing.pdf"))

    assert refused.value.returncode == verify_pdf.EXIT_CANNOT_OPEN == 2


def test_each_verdict_exits_with_a_status_of_its_own_that_the_help_lists():
    # Given the statuses by verdict (the unreadable outcomes are one verdict)
    by_verdict: dict[str, set[int]] = {}
    for outcome, code in verify_pdf.EXIT_CODES.items():
        verdict = "unreadable" if outcome in verify_pdf.UNREADABLE_OUTCOMES else outcome
        by_verdict.setdefault(verdict, set()).add(code)

    # Then every outcome has one, each verdict exactly one, no two verdicts the same, and the help says them
    assert set(verify_pdf.EXIT_CODES) == set(VerificationOutcome)
    assert all(len(codes) == 1 for codes in by_verdict.values())
    codes = [min(codes) for codes in by_verdict.values()]
    assert len(set(codes)) == len(codes) == 8
    assert verify_pdf.EXIT_CANNOT_OPEN not in codes
    for code in (*codes, verify_pdf.EXIT_CANNOT_OPEN):
        assert f"{code} " in verify_pdf.Command.help
