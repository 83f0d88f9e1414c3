"""A countersigned letter's sealed PDF: requested when it is countersigned, rendered once, then only served.

The PDF is rendered and sealed by a task after the countersignature commits, outside any transaction
or row lock (the claim/store protocol is in `letter_document_attach`), stored with its SHA-256 in the
default storage (local folder or S3-compatible), and from then on every download is the stored
bytes. A failed render is recorded on the document (shown to the office, who may retry it), logged,
and raised again so that the task retries transient errors.
"""

import hashlib
import logging
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.anchors.models import AnchorReason
from accounts.anchors.services import chains_anchor
from core import clock
from core.errors import ApplicationError
from core.locks import row_lock
from responsibility.letters.listeners import letter_sealed_announce
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
    """Render, seal and store the PDF; a ready one is never rendered again (delivery is at least once).

    Rendering and sealing are the slow part and run outside any transaction, so they hold no row lock
    (nor, on SQLite, whose transactions here take the database's write lock at BEGIN, that lock):

    1. claim, in a short transaction: lock the document; a ready one is returned as it is. Otherwise
       count the attempt (`attempts` + 1, which is also the claim's token), mark the document pending
       (being prepared) and commit.
    2. render and seal, outside any transaction: a countersigned letter's content no longer changes.
    3. store, in a second short transaction: lock the document again; only if it is not ready and its
       `attempts` is still this claim's (no later attach claimed it meanwhile) write the file to
       storage and mark it ready. Otherwise the bytes are dropped: no file is written, and a ready
       one is never replaced. A failure in 2 or 3 is recorded on the document (failed, with its
       error) under the same condition, and always raised again.

    The one race window: two attaches of one document that overlap (a task delivered twice, or the
    office retrying a PDF that looked stuck while its first render still ran) both render and seal.
    The later claim stores its PDF and the earlier one's is dropped, so the letter is rendered twice
    but stored once. A worker that dies after its claim leaves the document pending, its attempt
    counted, until the task is delivered again or the office retries it.
    """
    claimed = _letter_document_claim(document=document)
    if claimed.status == DocumentStatus.READY:
        # A task delivered again after the store: announced again, in case the first run died before.
        letter_sealed_announce(document=claimed)
        return claimed
    try:
        # Imported here: WeasyPrint and pyHanko load only in the processes that render.
        from core.pdf.seal import pdf_seal
        from responsibility.letters.pdf import letter_render_pdf

        letter = Letter.objects.select_related("signer", "signer_unit").get(pk=claimed.letter_id)
        # Every chain's head, anchored outside the database, and printed into the letter's record.
        anchor = chains_anchor(reason=AnchorReason.SEAL, subject=letter.reference)
        pdf = pdf_seal(
            pdf=letter_render_pdf(letter=letter, verification_code=claimed.verification_code, anchor=anchor)
        )
        stored = _letter_document_store(claimed=claimed, letter=letter, pdf=pdf)
    except Exception as error:
        _letter_document_failure_record(claimed=claimed, error=error)
        raise
    if stored is None:
        logger.warning(
            "Sealed PDF of letter %s (attempt %d) dropped: the document was claimed again or is ready",
            letter.reference,
            claimed.attempts,
        )
        return LetterDocument.objects.get(pk=claimed.pk)
    logger.info("Sealed PDF of letter %s stored (%d bytes, %s)", letter.reference, stored.size, stored.sha256)
    letter_sealed_announce(document=stored)  # the parties get it (reminders: message and email)
    return stored


def _letter_document_claim(*, document: LetterDocument) -> LetterDocument:
    """Step 1: the document as it is if ready; else claimed for this attempt (committed on return)."""
    with transaction.atomic():
        locked = row_lock(LetterDocument, pk=document.pk)
        if locked.status == DocumentStatus.READY:
            return locked
        locked.attempts += 1
        locked.status = DocumentStatus.PENDING
        locked.save(update_fields=["attempts", "status"])
    return locked


def _letter_document_still_claimed(*, claimed: LetterDocument) -> LetterDocument | None:
    """The document locked, if this claim still holds it (call inside a transaction)."""
    return (
        LetterDocument.objects.select_for_update()
        .filter(pk=claimed.pk, attempts=claimed.attempts)
        .exclude(status=DocumentStatus.READY)
        .first()
    )


def _letter_document_store(*, claimed: LetterDocument, letter: Letter, pdf: bytes) -> LetterDocument | None:
    """Step 3: store the sealed PDF and mark the document ready, or None if the claim was lost."""
    with transaction.atomic():
        locked = _letter_document_still_claimed(claimed=claimed)
        if locked is None:
            return None
        locked.file.save(f"{letter.pk}-{locked.verification_code}.pdf", ContentFile(pdf), save=False)
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.size = len(pdf)
        locked.status = DocumentStatus.READY
        locked.rendered_at = clock.now()
        locked.last_error = ""
        locked.save(update_fields=["file", "sha256", "size", "status", "rendered_at", "last_error"])
    return locked


@transaction.atomic
def letter_document_retry(*, document: LetterDocument, requested_by) -> LetterDocument:
    """The office asks again for a PDF that failed (or seems stuck); the task renders it after the commit."""
    archive_check_permission(user=requested_by, action=ArchiveAction.RETRY_DOCUMENT)
    locked = row_lock(LetterDocument.objects.select_related("letter"), pk=document.pk)
    if locked.status == DocumentStatus.READY:
        raise ApplicationError(_("This PDF is ready already."), code="document_ready")
    if locked.letter.status not in ARCHIVE_STATUSES:
        raise ApplicationError(_("This letter is no longer in force."), code="document_letter_not_in_force")
    locked.status = DocumentStatus.PENDING
    locked.queued_at = clock.now()
    locked.save(update_fields=["status", "queued_at"])
    letter_document_attach_task.delay_on_commit(document_id=locked.pk)
    logger.info("PDF of letter %s requested again by %s", locked.letter.reference, requested_by)
    return locked


def letter_document_download_name(*, letter: Letter) -> str:
    """「<number>_<unit>_<signer>.pdf」: the name the office files the PDF under."""
    name = f"{letter.reference}_{letter.signer_unit.name}_{letter.signer.full_name}"
    return _UNSAFE_FILENAME.sub("_", name).strip(" .") + ".pdf"


def _letter_document_failure_record(*, claimed: LetterDocument, error: BaseException) -> None:
    """Record the failure where the office sees it, if this claim still holds the document.

    Never swallow it: the caller raises it again. The attempt was counted when it was claimed.
    """
    message = f"{type(error).__name__}: {error}".strip()
    if len(message) > MAX_ERROR_LENGTH:
        message = message[: MAX_ERROR_LENGTH - 1] + "…"
    with transaction.atomic():
        locked = _letter_document_still_claimed(claimed=claimed)
        if locked is not None:
            locked.last_error = message
            locked.status = DocumentStatus.FAILED
            locked.save(update_fields=["last_error", "status"])
    reference = Letter.objects.filter(pk=claimed.letter_id).values_list("reference", flat=True).first()
    logger.error(
        "Sealed PDF of letter %s failed (attempt %d)%s: %s",
        reference,
        claimed.attempts,
        "" if locked is not None else " after a later attempt claimed it (not recorded)",
        message,
        exc_info=error,
    )
