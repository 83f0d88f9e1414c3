"""The office asks again for a PDF that failed: it goes back to pending and the task is queued on commit."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.services.documents import letter_document_attach, letter_document_retry
from responsibility.letters.services.letters import letter_void
from responsibility.letters.tasks import letter_document_attach as letter_document_attach_task
from tests.responsibility.archive_helpers import fake_render_install, media_root_use

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_document(monkeypatch, settings, tmp_path, countersigned_letter) -> LetterDocument:
    media_root_use(settings, tmp_path)
    monkeypatch.setattr(
        "responsibility.letters.pdf.letter_render_pdf",
        mock.Mock(side_effect=RuntimeError("layout failed")),
    )
    document = LetterDocument.objects.get(letter=countersigned_letter)
    with pytest.raises(RuntimeError):
        letter_document_attach(document=document)
    monkeypatch.undo()
    return LetterDocument.objects.get(pk=document.pk)


@mock.patch.object(letter_document_attach_task, "delay")
def test_letter_document_retry_requeues_a_failed_pdf_after_commit(
    render_delay, org, failed_document, django_capture_on_commit_callbacks
):
    # given a failed PDF
    assert failed_document.status == DocumentStatus.FAILED

    # when the office retries it
    with django_capture_on_commit_callbacks(execute=True):
        retried = letter_document_retry(document=failed_document, requested_by=org.office_admin)
        render_delay.assert_not_called()

    # then it is pending again and its render is queued once more
    assert retried.status == DocumentStatus.PENDING
    assert retried.attempts == 1  # the failed attempt stays counted
    render_delay.assert_called_once_with(document_id=failed_document.pk)


def test_a_retried_pdf_renders_and_becomes_ready(monkeypatch, org, failed_document):
    # given a retried PDF and a renderer that works again
    rendered = fake_render_install(monkeypatch)
    letter_document_retry(document=failed_document, requested_by=org.office_admin)

    # when the task runs
    document = letter_document_attach(document=failed_document)

    # then it is ready after two attempts
    assert document.status == DocumentStatus.READY
    assert document.attempts == 2
    assert rendered == [failed_document.letter.reference]


@pytest.mark.parametrize("who", ["inspector", "secretary", "signer", "outsider"])
def test_letter_document_retry_is_the_offices(org, failed_document, who):
    user = failed_document.letter.signer if who == "signer" else getattr(org, who)

    with pytest.raises(PermissionDenied):
        letter_document_retry(document=failed_document, requested_by=user)

    assert LetterDocument.objects.get(pk=failed_document.pk).status == DocumentStatus.FAILED


def test_letter_document_retry_refuses_a_ready_pdf(
    monkeypatch, org, settings, tmp_path, countersigned_letter
):
    media_root_use(settings, tmp_path)
    fake_render_install(monkeypatch)
    document = letter_document_attach(document=LetterDocument.objects.get(letter=countersigned_letter))

    with pytest.raises(ApplicationError, match="ready already"):
        letter_document_retry(document=document, requested_by=org.office_admin)

    assert LetterDocument.objects.get(pk=document.pk).status == DocumentStatus.READY


def test_letter_document_retry_refuses_a_voided_letter(org, failed_document):
    letter_void(letter=failed_document.letter, voided_by=org.office_admin, reason="签错了对象")

    with pytest.raises(ApplicationError, match="no longer in force"):
        letter_document_retry(document=failed_document, requested_by=org.office_admin)
