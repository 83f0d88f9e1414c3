"""A letter's PDF on the web: the stored bytes for whoever may see the letter, nothing for anyone else."""

import hashlib
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse

from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.services.documents import letter_document_attach, letter_document_download_name
from tests.factories import UserFactory
from tests.responsibility.archive_helpers import fake_render_install, media_root_use

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    return media_root_use(settings, tmp_path)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def ready_document(monkeypatch, countersigned_letter) -> LetterDocument:
    fake_render_install(monkeypatch)
    document = letter_document_attach(document=LetterDocument.objects.get(letter=countersigned_letter))
    monkeypatch.undo()
    return document


def _stored(document: LetterDocument) -> bytes:
    with document.file.storage.open(document.file.name, "rb") as stored:
        return stored.read()


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


def _pdf_url(document: LetterDocument) -> str:
    return reverse("responsibility:letter-pdf", args=[document.letter_id])


def _page(document_or_letter) -> str:
    letter_id = getattr(document_or_letter, "letter_id", None) or document_or_letter.pk
    return reverse("responsibility:letter-detail", args=[letter_id])


def _user(org, letter, who):
    return {
        "signer": letter.signer,
        "issuer": letter.issuer,
        "inspector": org.inspector,
        "office": org.office_admin,
        "other head": org.heads[1],
        "outsider": org.outsider,
    }[who]


# --- download -------------------------------------------------------------------------------------


def test_download_serves_the_stored_sealed_bytes_and_never_renders(
    seal_settings, monkeypatch, client, countersigned_letter
):
    # given a letter whose real sealed PDF is stored
    document = letter_document_attach(document=LetterDocument.objects.get(letter=countersigned_letter))
    stored = _stored(document)
    # and a renderer and a seal that fail loudly if anything calls them now
    monkeypatch.setattr(
        "responsibility.letters.pdf.letter_render_pdf", mock.Mock(side_effect=AssertionError("render"))
    )
    monkeypatch.setattr("core.pdf.seal.pdf_seal", mock.Mock(side_effect=AssertionError("seal")))
    client.force_login(countersigned_letter.signer)

    # when the signer downloads it
    response = client.get(_pdf_url(document))

    # then the bytes are the stored file's, as an attachment with the Chinese name
    assert response.status_code == 200
    body = _content(response)
    assert body == stored
    assert hashlib.sha256(body).hexdigest() == document.sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    name = letter_document_download_name(letter=countersigned_letter)
    assert countersigned_letter.signer.full_name in name
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert int(response["Content-Length"]) == len(stored)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("signer", 200),
        ("issuer", 200),
        ("inspector", 200),
        ("office", 200),
        ("other head", 404),
        ("outsider", 404),
    ],
)
def test_download_is_for_whoever_may_see_the_letter(client, org, ready_document, who, status):
    client.force_login(_user(org, ready_document.letter, who))

    response = client.get(_pdf_url(ready_document))

    assert response.status_code == status
    if status == 200:
        assert _content(response) == _stored(ready_document)


def test_download_asks_an_anonymous_visitor_to_log_in(client, ready_document):
    response = client.get(_pdf_url(ready_document))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_download_of_a_pdf_being_prepared_goes_back_to_the_letter(english, countersigned_letter):
    english.force_login(countersigned_letter.signer)

    response = english.get(reverse("responsibility:letter-pdf", args=[countersigned_letter.pk]), follow=True)

    assert response.redirect_chain == [(_page(countersigned_letter), 302)]
    assert "being prepared" in response.content.decode()


def test_download_of_a_letter_without_a_pdf_goes_back_to_the_letter(english, signed_letter):
    english.force_login(signed_letter.signer)

    response = english.get(reverse("responsibility:letter-pdf", args=[signed_letter.pk]))

    assert response.status_code == 302
    assert response["Location"] == _page(signed_letter)


# --- the letter page ------------------------------------------------------------------------------


def test_the_letter_page_has_no_pdf_block_before_countersigning(english, signed_letter):
    english.force_login(signed_letter.signer)

    page = english.get(_page(signed_letter)).content.decode()

    assert 'id="pdf"' not in page
    assert reverse("responsibility:letter-pdf", args=[signed_letter.pk]) not in page  # nor the status URL


def test_the_letter_page_says_the_pdf_is_being_prepared_and_polls(english, countersigned_letter):
    english.force_login(countersigned_letter.signer)

    page = english.get(_page(countersigned_letter)).content.decode()

    assert "The PDF is being prepared" in page
    assert (
        f'data-poll-url="{reverse("responsibility:letter-pdf-status", args=[countersigned_letter.pk])}"'
        in page
    )
    assert "poll-status.js" in page
    assert f'href="{reverse("responsibility:letter-pdf", args=[countersigned_letter.pk])}"' not in page


def test_the_letter_page_offers_the_download_once_ready_without_polling(english, ready_document):
    english.force_login(ready_document.letter.signer)

    page = english.get(_page(ready_document)).content.decode()

    assert _pdf_url(ready_document) in page
    assert ready_document.sha256 in page
    assert ready_document.verification_code in page
    assert "data-poll-url" not in page


@pytest.fixture
def failed_document(monkeypatch, countersigned_letter) -> LetterDocument:
    monkeypatch.setattr(
        "responsibility.letters.pdf.letter_render_pdf",
        mock.Mock(side_effect=RuntimeError("glyph 堃 missing")),
    )
    document = LetterDocument.objects.get(letter=countersigned_letter)
    with pytest.raises(RuntimeError):
        letter_document_attach(document=document)
    monkeypatch.undo()
    return LetterDocument.objects.get(pk=document.pk)


def test_the_office_sees_a_failed_pdf_with_its_error_and_a_retry(english, org, failed_document):
    english.force_login(org.office_admin)

    page = english.get(_page(failed_document)).content.decode()

    assert "could not be prepared" in page
    assert "glyph 堃 missing" in page
    assert reverse("responsibility:document-retry", args=[failed_document.pk]) in page


def test_the_signer_sees_a_failed_pdf_without_the_technical_error(english, failed_document):
    english.force_login(failed_document.letter.signer)

    page = english.get(_page(failed_document)).content.decode()

    assert "could not be prepared" in page
    assert "glyph" not in page
    assert reverse("responsibility:document-retry", args=[failed_document.pk]) not in page


def test_the_pdf_status_endpoint_reports_the_state(client, countersigned_letter, org):
    client.force_login(countersigned_letter.signer)
    url = reverse("responsibility:letter-pdf-status", args=[countersigned_letter.pk])

    assert client.get(url).json() == {"status": DocumentStatus.PENDING}

    client.force_login(org.outsider)
    assert client.get(url).status_code == 404


# --- retry ----------------------------------------------------------------------------------------


def test_the_office_retries_a_failed_pdf(client, org, failed_document, django_capture_on_commit_callbacks):
    client.force_login(org.office_admin)
    back = reverse("responsibility:archive") + "#unfinished"

    with (
        mock.patch("responsibility.letters.tasks.letter_document_attach.delay") as render_delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("responsibility:document-retry", args=[failed_document.pk]), {"next": back}
        )

    assert response.status_code == 302
    assert response["Location"] == back
    assert LetterDocument.objects.get(pk=failed_document.pk).status == DocumentStatus.PENDING
    render_delay.assert_called_once_with(document_id=failed_document.pk)


def test_a_retry_never_redirects_off_site(client, org, failed_document):
    client.force_login(org.office_admin)

    response = client.post(
        reverse("responsibility:document-retry", args=[failed_document.pk]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == _page(failed_document)


@pytest.mark.parametrize(("who", "status"), [("inspector", 403), ("signer", 403), ("outsider", 404)])
def test_only_the_office_retries(client, org, failed_document, who, status):
    client.force_login(_user(org, failed_document.letter, who))

    response = client.post(reverse("responsibility:document-retry", args=[failed_document.pk]))

    assert response.status_code == status
    assert LetterDocument.objects.get(pk=failed_document.pk).status == DocumentStatus.FAILED


def test_retry_is_post_only(client, org, failed_document):
    client.force_login(org.office_admin)

    assert client.get(reverse("responsibility:document-retry", args=[failed_document.pk])).status_code == 405


def test_an_inactive_user_cannot_download(client, ready_document):
    user = UserFactory(is_active=False)
    client.force_login(user)

    assert client.get(_pdf_url(ready_document)).status_code == 302  # signed out: an inactive account
