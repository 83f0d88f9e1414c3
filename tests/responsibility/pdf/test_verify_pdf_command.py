import io

import pytest
from django.core.management import CommandError, call_command

from tests.responsibility.pdf.sealing import document_archive, sealed_pdf_for

pytestmark = pytest.mark.django_db


def _verify(path) -> str:
    out = io.StringIO()
    call_command("verify_pdf", str(path), stdout=out)
    return out.getvalue()


def test_verify_pdf_prints_the_letter_of_an_authentic_file(seal_settings, countersigned_letter, tmp_path):
    # Given an archived sealed letter saved to a file
    pdf = sealed_pdf_for(countersigned_letter)
    document = document_archive(letter=countersigned_letter, pdf=pdf)
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)

    # When the command checks it
    output = _verify(path)  # returns normally: exit status 0

    # Then it names the letter and its code
    assert countersigned_letter.reference in output
    assert countersigned_letter.title in output
    assert document.verification_code in output
    assert document.sha256 in output
    assert countersigned_letter.signer.get_full_name() in output


def test_verify_pdf_exits_1_for_a_changed_file(seal_settings, countersigned_letter, tmp_path):
    pdf = sealed_pdf_for(countersigned_letter)
    document_archive(letter=countersigned_letter, pdf=pdf)
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf + b"\n% appended\n")

    with pytest.raises(CommandError) as refused:
        _verify(path)

    assert refused.value.returncode == 1
    assert countersigned_letter.reference not in str(refused.value)


def test_verify_pdf_exits_1_for_a_file_that_is_not_a_pdf(seal_settings, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a pdf")

    with pytest.raises(CommandError) as refused:
        _verify(path)

    assert refused.value.returncode == 1


def test_verify_pdf_exits_2_for_a_file_it_cannot_read(seal_settings, tmp_path):
    with pytest.raises(CommandError) as refused:
        _verify(tmp_path / "missing.pdf")

    assert refused.value.returncode == 2
