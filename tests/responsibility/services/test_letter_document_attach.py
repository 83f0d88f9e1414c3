"""The render task's service: render and seal once, store with the SHA-256; failures recorded and raised."""

import hashlib
import logging
import subprocess
import tempfile

import pytest

from accounts.anchors.models import AnchorReason, ChainAnchor
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.services.documents import MAX_ERROR_LENGTH, letter_document_attach
from responsibility.letters.tasks import letter_document_attach as letter_document_attach_task
from responsibility.letters.verify import pdf_verify
from tests.responsibility.archive_helpers import fake_render_install

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_render(monkeypatch) -> list[str]:
    return fake_render_install(monkeypatch)


@pytest.fixture
def document(pending_document) -> LetterDocument:
    return pending_document


def _pdf_text(pdf: bytes) -> str:
    """The text poppler reads, with line breaks removed (a hash may wrap)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        text = subprocess.run(
            ["pdftotext", file.name, "-"], capture_output=True, check=True, timeout=30
        ).stdout
    return text.decode().replace("\n", "")


def _stored_bytes(document: LetterDocument) -> bytes:
    with document.file.storage.open(document.file.name, "rb") as stored:
        return stored.read()


def test_letter_document_attach_renders_seals_and_stores_the_pdf(seal_settings, media_root, document):
    # given a countersigned letter whose PDF is pending, and the organisation's seal

    # when the task's service runs (real renderer, real seal)
    attached = letter_document_attach(document=document)

    # then the sealed PDF is stored with its hash and size, and verifies as authentic
    stored = _stored_bytes(attached)
    assert stored.startswith(b"%PDF-")
    assert attached.status == DocumentStatus.READY
    assert attached.sha256 == hashlib.sha256(stored).hexdigest()
    assert attached.size == len(stored)
    assert attached.attempts == 1
    assert attached.rendered_at is not None
    assert attached.last_error == ""
    assert attached.file.name.startswith("letters/")
    assert (media_root / attached.file.name).is_file()
    assert pdf_verify(pdf=stored).authentic
    # and every chain was anchored at the seal, the anchor printed into the signing record
    anchor = ChainAnchor.objects.get()
    assert (anchor.reason, anchor.subject) == (AnchorReason.SEAL, document.letter.reference)
    text = _pdf_text(stored)
    assert "链头存证" in text
    assert anchor.digest in text
    assert anchor.heads["letter"]["hash"] in text


def test_letter_document_attach_does_nothing_for_a_ready_pdf(fake_render, media_root, document):
    # given a document rendered once
    first = letter_document_attach(document=document)

    # when the task is delivered again (at least once delivery)
    again = letter_document_attach(document=document)

    # then nothing was rendered a second time and the stored file is the same
    assert fake_render == [document.letter.reference]
    assert again.file.name == first.file.name
    assert again.sha256 == first.sha256
    assert again.attempts == 1


def test_letter_document_attach_records_a_failure_and_raises_it(monkeypatch, media_root, document, caplog):
    # given a renderer that fails (a missing font, say)
    def broken(**kwargs):
        raise RuntimeError("font Noto Serif CJK SC is not installed")

    monkeypatch.setattr("responsibility.letters.pdf.letter_render_pdf", broken)

    # when the task's service runs, the failure is raised (so the task may retry) ...
    with (
        caplog.at_level(logging.ERROR, logger="responsibility.letters.services.documents"),
        pytest.raises(RuntimeError, match="not installed"),
    ):
        letter_document_attach(document=document)

    # ... and recorded for the office, and logged; nothing is stored
    failed = LetterDocument.objects.get(pk=document.pk)
    assert failed.status == DocumentStatus.FAILED
    assert failed.attempts == 1
    assert failed.last_error == "RuntimeError: font Noto Serif CJK SC is not installed"
    assert not failed.file
    assert failed.sha256 == ""
    assert document.letter.reference in caplog.text


def test_letter_document_attach_keeps_the_recorded_error_short(monkeypatch, media_root, document):
    monkeypatch.setattr(
        "responsibility.letters.pdf.letter_render_pdf",
        lambda **kwargs: (_ for _ in ()).throw(ValueError("x" * 2000)),
    )

    with pytest.raises(ValueError):
        letter_document_attach(document=document)

    assert len(LetterDocument.objects.get(pk=document.pk).last_error) == MAX_ERROR_LENGTH


def test_letter_document_attach_succeeds_after_a_failure(monkeypatch, fake_render, media_root, document):
    # given a first attempt that failed in the seal
    def seal_down(*, pdf):
        raise OSError("seal key unreadable")

    monkeypatch.setattr("core.pdf.seal.pdf_seal", seal_down)
    with pytest.raises(OSError):
        letter_document_attach(document=document)

    # when the seal works again and the task retries
    monkeypatch.setattr("core.pdf.seal.pdf_seal", lambda *, pdf: pdf)
    attached = letter_document_attach(document=document)

    # then the PDF is ready, the error is cleared and both attempts are counted
    assert attached.status == DocumentStatus.READY
    assert attached.last_error == ""
    assert attached.attempts == 2


def test_letter_document_attach_task_calls_the_service(fake_render, media_root, document):
    # when the task function is called directly, with the id
    letter_document_attach_task(document_id=document.pk)

    # then the document is ready
    assert LetterDocument.objects.get(pk=document.pk).status == DocumentStatus.READY
    assert fake_render == [document.letter.reference]


def test_letter_document_attach_task_ignores_a_document_that_does_not_exist(fake_render):
    assert letter_document_attach_task(document_id=987654) is None
    assert fake_render == []


def test_letter_document_attach_task_raises_transient_errors_for_a_retry(monkeypatch, media_root, document):
    # given storage that is down (an OSError: transient)
    def storage_down(*args, **kwargs):
        raise OSError("object store unreachable")

    monkeypatch.setattr("responsibility.letters.pdf.letter_render_pdf", storage_down)

    # when the task runs, the OSError reaches Celery, which retries it with backoff
    with pytest.raises(OSError):
        letter_document_attach_task(document_id=document.pk)

    assert letter_document_attach_task.autoretry_for == (OSError,)
    assert letter_document_attach_task.max_retries == 3
    assert letter_document_attach_task.retry_backoff is True
    assert LetterDocument.objects.get(pk=document.pk).status == DocumentStatus.FAILED
