import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from responsibility.letters.models.documents import DocumentStatus
from tests.responsibility.pdf.sealing import document_archive, sealed_pdf_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """Read the pages in English (the language switch's cookie), so the assertions read the msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _upload(client, data: bytes, name="letter.pdf"):
    return client.post(
        reverse("responsibility:verify"),
        {"action": "upload", "pdf": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def _chinese_date(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日"


def test_verify_page_is_open_to_anyone_and_linked_from_every_page(client):
    # Given nobody is logged in
    # When the verification page is opened
    response = client.get(reverse("responsibility:verify"))

    # Then it shows both ways to check, and the header links to it
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="pdf"' in page and 'name="code"' in page
    assert f'href="{reverse("responsibility:verify")}"' in page
    assert "Log out" not in page  # the anonymous header has no user menu


def test_verify_link_is_in_the_header_for_signed_in_users_too(client, org):
    client.force_login(org.secretary)

    response = client.get(reverse("responsibility:todo"))

    assert f'class="verify-link" href="{reverse("responsibility:verify")}"' in response.content.decode()


def test_uploading_the_archived_pdf_shows_it_is_authentic_and_which_letter(client, archived):
    # Given an archived sealed letter
    document, pdf = archived
    letter = document.letter

    # When its PDF is uploaded by someone without an account
    response = _upload(client, pdf)

    # Then the page says it is authentic and shows the letter, the parties, the dates and the hash
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-authentic="yes"' in page
    for shown in (letter.reference, letter.title, letter.signer_unit.name, letter.signer.get_full_name()):
        assert shown in page
    assert letter.issuer.get_full_name() in page
    assert _chinese_date(letter.signed_at) in page
    assert _chinese_date(letter.countersigned_at) in page
    assert document.sha256 in page


def test_uploading_a_changed_pdf_shows_it_is_not_authentic_and_nothing_about_the_letter(client, archived):
    # Given the archived PDF with one byte changed inside the signed part
    document, pdf = archived
    changed = bytearray(pdf)
    changed[200] ^= 0x20

    # When it is uploaded
    response = _upload(client, bytes(changed))

    # Then the page says it is not authentic and shows no letter details
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-authentic="no"' in page
    assert "changed after sealing" in page or "damaged" in page
    assert document.letter.reference not in page
    assert document.letter.title not in page


def test_uploading_something_that_is_not_a_pdf_is_refused_with_a_reason(client, seal_settings):
    response = _upload(client, b"MZ\x90\x00 this is a program", name="letter.pdf")

    page = response.content.decode()
    assert response.status_code == 400
    assert "This is not a PDF file." in page
    assert "data-authentic" not in page


def test_uploading_nothing_is_refused_with_a_reason(client, seal_settings):
    response = client.post(reverse("responsibility:verify"), {"action": "upload"})

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_uploading_a_file_over_the_size_limit_is_refused(client, archived, settings):
    # Given a limit smaller than the archived PDF (instead of sending megabytes in a test)
    _document, pdf = archived
    settings.VERIFY_MAX_BYTES = len(pdf) - 1

    response = _upload(client, pdf)

    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()


def test_typing_a_code_leads_to_the_letter_whatever_the_case_and_spacing(client, archived):
    # Given the code of an archived letter, typed in lower case with spaces and no dashes
    document, _pdf = archived
    typed = " " + document.verification_code.replace("-", " ").lower() + " "

    # When it is submitted
    response = client.post(reverse("responsibility:verify"), {"action": "code", "code": typed})

    # Then the visitor is sent to the letter's verification address
    assert response.status_code == 302
    assert response["Location"] == reverse("responsibility:verify-code", args=[document.verification_code])


def test_the_code_page_shows_the_letter_and_how_to_check_a_printed_copy(client, archived):
    document, _pdf = archived
    letter = document.letter

    response = client.get(reverse("responsibility:verify-code", args=[document.verification_code]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-found="yes"' in page
    assert letter.reference in page and letter.title in page and letter.signer_unit.name in page
    assert letter.content_hash in page  # printed on the paper copy
    assert document.sha256 in page
    assert _chinese_date(letter.countersigned_at) in page
    assert "A printed copy: compare the number and the content SHA-256" in page


def test_a_code_page_address_without_dashes_redirects_to_the_canonical_one(client, archived):
    document, _pdf = archived

    response = client.get(f"/verify/{document.verification_code.replace('-', '').lower()}/")

    assert response.status_code == 302
    assert response["Location"] == reverse("responsibility:verify-code", args=[document.verification_code])


@pytest.mark.parametrize("status", [DocumentStatus.PENDING, DocumentStatus.FAILED])
def test_a_code_whose_pdf_is_not_ready_shows_nothing(client, seal_settings, countersigned_letter, status):
    # Given a letter whose document is not (or no longer) ready
    document = document_archive(
        letter=countersigned_letter, pdf=sealed_pdf_for(countersigned_letter), status=status
    )

    # When its code is looked up
    response = client.get(reverse("responsibility:verify-code", args=[document.verification_code]))

    # Then it is as unknown as any other code
    page = response.content.decode()
    assert response.status_code == 404
    assert "No archived document has this code" in page
    assert countersigned_letter.reference not in page
    assert countersigned_letter.title not in page


def test_an_unknown_code_says_so_and_leaks_nothing(client, archived):
    document, _pdf = archived

    response = client.get(reverse("responsibility:verify-code", args=["AAAA-BBBB-CCCC-DDDD"]))

    page = response.content.decode()
    assert response.status_code == 404
    assert "No archived document has this code" in page
    assert document.letter.reference not in page
    assert document.sha256 not in page


def test_a_malformed_code_is_refused_with_a_reason(client, seal_settings):
    response = client.post(reverse("responsibility:verify"), {"action": "code", "code": "12345"})

    assert response.status_code == 400
    assert "A verification code has 16 letters and digits" in response.content.decode()


def test_a_malformed_code_in_the_address_is_not_found_and_escaped(client, seal_settings):
    response = client.get("/verify/%3Cscript%3E/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_the_code_page_needs_few_queries(client, archived, django_assert_max_num_queries):
    document, _pdf = archived

    with django_assert_max_num_queries(6):
        response = client.get(reverse("responsibility:verify-code", args=[document.verification_code]))

    assert response.status_code == 200
