"""A countersigned letter's sealed PDF: requested when it is countersigned, rendered once, then only served.

The PDF is rendered and sealed by a task after the countersignature commits, stored with its SHA-256
in the default storage (local folder or S3-compatible), and from then on every download is the
stored bytes. A failed render is recorded on the document (shown to the office, who may retry it),
logged, and raised again so that the task retries transient errors.
"""

import hashlib
import logging
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.errors import ApplicationError
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.models.letters import Letter
from responsibility.letters.permissions import ArchiveAction, archive_check_permission
from responsibility.letters.selectors import ARCHIVE_STATUSES
from responsibility.letters.tasks import letter_document_attach as letter_document_attach_task

logger = logging.getLogger(__name__)

# Enough for the office to tell a missing seal certificate from a font problem; the log has the rest.
MAX_ERROR_LENGTH = 300
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@transaction.atomic
def letter_document_request(*, letter: Letter) -> LetterDocument:
    """A letter in force gets exactly one sealed PDF, rendered by a task once the transaction commits."""
    if letter.status not in ARCHIVE_STATUSES:
        raise ApplicationError(
            _("Only a countersigned letter has a sealed PDF."), code="document_not_countersigned"
        )
    document, created = LetterDocument.objects.get_or_create(letter=letter)
    if created:
        letter_document_attach_task.delay_on_commit(document_id=document.pk)
    return document


def letter_document_attach(*, document: LetterDocument) -> LetterDocument:
    """Render, seal and store the PDF; a ready one is never rendered again (delivery is at least once)."""
    try:
        # Imported here: WeasyPrint and pyHanko load only in the processes that render.
        from core.pdf.seal import pdf_seal
        from responsibility.letters.pdf import letter_render_pdf

        with transaction.atomic():
            locked = LetterDocument.objects.select_for_update().get(pk=document.pk)
            if locked.status == DocumentStatus.READY:
                return locked
            letter = Letter.objects.select_related("signer", "signer_unit").get(pk=locked.letter_id)
            pdf = pdf_seal(pdf=letter_render_pdf(letter=letter, verification_code=locked.verification_code))
            locked.file.save(f"{letter.pk}-{locked.verification_code}.pdf", ContentFile(pdf), save=False)
            locked.sha256 = hashlib.sha256(pdf).hexdigest()
            locked.size = len(pdf)
            locked.status = DocumentStatus.READY
            locked.rendered_at = clock.now()
            locked.attempts += 1
            locked.last_error = ""
            locked.save(
                update_fields=["file", "sha256", "size", "status", "rendered_at", "attempts", "last_error"]
            )
    except Exception as error:
        _letter_document_failure_record(document_id=document.pk, error=error)
        raise
    logger.info("Sealed PDF of letter %s stored (%d bytes, %s)", letter.reference, locked.size, locked.sha256)
    return locked


@transaction.atomic
def letter_document_retry(*, document: LetterDocument, requested_by) -> LetterDocument:
    """The office asks again for a PDF that failed (or seems stuck); the task renders it after the commit."""
    archive_check_permission(user=requested_by, action=ArchiveAction.RETRY_DOCUMENT)
    locked = LetterDocument.objects.select_for_update().select_related("letter").get(pk=document.pk)
    if locked.status == DocumentStatus.READY:
        raise ApplicationError(_("This PDF is ready already."), code="document_ready")
    if locked.letter.status not in ARCHIVE_STATUSES:
        raise ApplicationError(_("This letter is no longer in force."), code="document_letter_not_in_force")
    locked.status = DocumentStatus.PENDING
    locked.save(update_fields=["status"])
    letter_document_attach_task.delay_on_commit(document_id=locked.pk)
    logger.info("PDF of letter %s requested again by %s", locked.letter.reference, requested_by)
    return locked


def letter_document_download_name(*, letter: Letter) -> str:
    """「<number>_<unit>_<signer>.pdf」: the name the office files the PDF under."""
    name = f"{letter.reference}_{letter.signer_unit.name}_{letter.signer.full_name}"
    return _UNSAFE_FILENAME.sub("_", name).strip(" .") + ".pdf"


def _letter_document_failure_record(*, document_id: int, error: BaseException) -> None:
    """Record the failure where the office sees it; never swallow it (the caller raises it again)."""
    message = f"{type(error).__name__}: {error}".strip()
    if len(message) > MAX_ERROR_LENGTH:
        message = message[: MAX_ERROR_LENGTH - 1] + "…"
    with transaction.atomic():
        locked = (
            LetterDocument.objects.select_for_update().select_related("letter").filter(pk=document_id).first()
        )
        if locked is None or locked.status == DocumentStatus.READY:
            return
        locked.attempts += 1
        locked.last_error = message
        locked.status = DocumentStatus.FAILED
        locked.save(update_fields=["attempts", "last_error", "status"])
    logger.error(
        "Sealed PDF of letter %s failed (attempt %d): %s",
        locked.letter.reference,
        locked.attempts,
        message,
        exc_info=error,
    )
