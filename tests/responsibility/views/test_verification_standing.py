"""The verification pages say where a document stands: the upload result and the code page, per verdict
(read in English, the msgids; the Chinese is the catalog's)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.anchors.models import AnchorReason, ChainAnchor
from responsibility.letters.models.letters import LetterEvent, LetterEventKind
from responsibility.letters.services.letters import letter_void
from tests.responsibility.pdf.sealing import sealed_pdf_for, small_letter_pdf
from tests.responsibility.pdf.verifying import (
    OtherSeal,
    letter_sealed_as_stored,
    letter_superseded,
    resaved_by_pikepdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _upload(client, data: bytes) -> str:
    response = client.post(
        reverse("responsibility:verify"),
        {"action": "upload", "pdf": SimpleUploadedFile("letter.pdf", data, content_type="application/pdf")},
    )
    assert response.status_code == 200
    return response.content.decode()


def _code_page(client, code: str):
    return client.get(reverse("responsibility:verify-code", args=[code]))


def _verdict(page: str) -> str:
    """The verdict section's text, tags dropped and white space folded."""
    section = re.search(r'<section class="verdict.*?</section>', page, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).strip()


def _local(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def test_the_file_of_a_letter_in_force_reads_green_with_its_rows(client, archived):
    document, pdf = archived

    page = _upload(client, pdf)

    assert 'class="verdict verdict-ok"' in page and 'data-outcome="authentic"' in page
    assert "Authentic and in force" in _verdict(page)
    assert 'data-in-force="yes"' in page
    assert document.letter.reference in page and document.verification_code in page
    assert document.letter.signer_unit.name in page


def test_the_file_of_a_voided_letter_reads_amber_with_when_who_and_why(client, archived, org):
    # Given an archived letter voided by the office
    document, pdf = archived
    letter = letter_void(letter=document.letter, voided_by=org.office_admin, reason="机构改革，重新签订")

    # When its file is uploaded
    page = _upload(client, pdf)

    # Then the headline says it is authentic but voided, with when, by whom and why, and the letter
    verdict = _verdict(page)
    assert 'class="verdict verdict-warn"' in page and 'data-outcome="voided"' in page
    assert "Authentic, but voided" in verdict
    assert f"Voided on {_local(letter.voided_at)}" in verdict
    assert f"Voided by {org.office_admin.get_full_name()}" in verdict
    assert "Reason for voiding 机构改革，重新签订" in verdict
    assert 'data-authentic="yes"' in page and 'data-in-force="no"' in page
    assert letter.reference in page


def test_the_code_page_of_a_voided_letter_says_so_too(client, archived, org):
    document, _pdf = archived
    letter_void(letter=document.letter, voided_by=org.office_admin, reason="机构改革")

    response = _code_page(client, document.verification_code)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="verdict verdict-warn"' in page
    assert "Voided: the document with this code no longer stands" in _verdict(page)
    assert "Reason for voiding 机构改革" in _verdict(page)


def test_a_superseded_letter_reads_amber_and_links_to_the_version_in_force(
    client, seal_settings, issued_letter
):
    # Given version 1 sealed and archived, and version 2 in force
    first, second = letter_superseded(issued_letter)
    successor_url = reverse("responsibility:verify-code", args=[second.document.verification_code])

    # When version 1's file is uploaded, and its code looked up
    uploaded = _upload(client, sealed_pdf_for(first))
    looked_up = _code_page(client, first.document.verification_code).content.decode()

    # Then both say it was superseded by version 2, and link to version 2's code page
    assert "Authentic, but superseded by Version 2" in _verdict(uploaded)
    assert "Superseded by Version 2: the document with this code no longer stands" in _verdict(looked_up)
    for page in (uploaded, looked_up):
        assert 'class="verdict verdict-warn"' in page
        assert f'href="{successor_url}" data-successor' in page
        assert "See Version 2, in force now" in page
    # And version 2's page is green
    assert 'class="verdict verdict-ok"' in client.get(successor_url).content.decode()


def test_a_valid_seal_without_a_record_reads_amber_and_shows_no_document(
    client, seal_settings, countersigned_letter
):
    page = _upload(client, sealed_pdf_for(countersigned_letter))

    assert 'class="verdict verdict-warn"' in page and 'data-outcome="not_archived"' in page
    assert "Genuine seal, but no record in the archive" in _verdict(page)
    assert "data-record" not in page and countersigned_letter.reference not in page


def test_another_organisations_seal_reads_red(client, seal_settings, tmp_path):
    forged = OtherSeal(tmp_path)(small_letter_pdf(reference="x", title="x", unit="x", signer="x"))

    page = _upload(client, forged)

    assert 'class="verdict verdict-bad"' in page and 'data-outcome="untrusted"' in page
    assert "Not authentic: not sealed by this organisation" in _verdict(page)
    assert "冒充单位" in page  # who sealed it, in "the file you checked"


def test_an_unreadable_file_reads_red(client, seal_settings):
    page = _upload(client, b"%PDF-1.7\n%%EOF\n")

    assert 'class="verdict verdict-bad"' in page and 'data-outcome="damaged"' in page
    assert "Cannot be verified: the file cannot be read" in _verdict(page)


def test_a_copy_saved_again_reads_red_explains_itself_and_links_to_the_original(
    client, seal_settings, countersigned_letter
):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    # Given the real stored letter, saved again by another program
    document, pdf = letter_sealed_as_stored(countersigned_letter)

    # When the copy is uploaded
    page = _upload(client, resaved_by_pikepdf(pdf))

    # Then it is not authentic, and a note says what it most likely is, linking to the archived letter
    assert 'class="verdict verdict-bad"' in page and 'data-outcome="changed"' in page
    assert "Not authentic: changed after sealing" in _verdict(page)
    assert "data-resaved" in page and "saved again by another program" in page
    assert f'href="{reverse("responsibility:verify-code", args=[document.verification_code])}"' in page
    assert "data-record" not in page  # the letter's own rows are not shown for a file that is not it


def test_the_pages_show_the_documents_place_in_the_audit_chain(client, seal_settings, countersigned_letter):
    """Renders and seals a letter: the process's first render loads the fonts, several seconds."""
    document, pdf = letter_sealed_as_stored(countersigned_letter)
    event = LetterEvent.objects.get(letter=countersigned_letter, kind=LetterEventKind.COUNTERSIGNED)
    anchor = ChainAnchor.objects.get(reason=AnchorReason.SEAL, subject=countersigned_letter.reference)

    uploaded = _upload(client, pdf)
    looked_up = _code_page(client, document.verification_code).content.decode()

    for page in (uploaded, looked_up):
        assert "Its place in the audit chain" in page
        assert "The letter audit chain" in page
        assert f"No. {event.sequence}: The issuer countersigned the letter; it is in force." in page
        assert f"data-event-hash>{event.hash}<" in page
        assert f"No. {anchor.number}" in page
        assert f"data-anchor-digest>{anchor.digest}<" in page


def test_the_pages_carry_no_inline_style_or_script(client, archived, org):
    document, pdf = archived
    letter_void(letter=document.letter, voided_by=org.office_admin, reason="机构改革")

    for page in (_upload(client, pdf), _code_page(client, document.verification_code).content.decode()):
        assert "style=" not in page and "<style" not in page
        assert not re.search(r"<script(?![^>]*\bnonce=)", page)
        assert not re.search(r"\son[a-z]+=", page)


def test_a_chinese_reader_sees_the_standing_in_chinese(client, archived, org, settings):
    # Given a voided letter, and a reader whose interface is Chinese (the default)
    document, pdf = archived
    letter_void(letter=document.letter, voided_by=org.office_admin, reason="机构改革，重新签订")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    # When its file is uploaded
    verdict = _verdict(_upload(client, pdf))

    # Then the verdict, its labels and the reason read in Chinese, with no English left in them
    assert "真实，但已作废" in verdict
    assert "作废人" in verdict and org.office_admin.get_full_name() in verdict
    assert "机构改革，重新签订" in verdict
    assert not re.search(r"[A-Za-z]{3,}", verdict), verdict
