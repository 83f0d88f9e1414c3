"""Celery tasks: thin wrappers that call one service. Scheduled from services (on commit) or by beat."""

import logging

from celery import shared_task
from celery.signals import worker_ready

logger = logging.getLogger(__name__)


@worker_ready.connect
def pdf_fast_path_warn(**kwargs) -> None:
    """The worker renders the PDFs: say loudly at start-up if it would take the slow path."""
    from responsibility.pdf.fonts import pdf_fonts_check

    for warning in pdf_fonts_check():
        logger.warning("%s: %s %s", warning.id, warning.msg, warning.hint or "")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def audit_chain_check() -> bool:
    """Nightly: recompute both audit chains; a break is logged and mailed to the administrators."""
    # Imported here: services may import this module to schedule tasks.
    from django.core.mail import mail_admins

    from responsibility.services.audit import audit_chain_verify, inspection_chain_verify

    intact = True
    for name, verify in (("letter", audit_chain_verify), ("inspection", inspection_chain_verify)):
        broken = verify()
        if broken is None:
            logger.info("The %s audit chain is intact", name)
            continue
        intact = False
        logger.error(
            "The %s audit chain is broken at event #%s (id %s): %s",
            name,
            broken.sequence,
            broken.event_id,
            broken.reason,
        )
        mail_admins(
            "Audit chain broken",
            f"The {name} audit chain is broken at event #{broken.sequence} "
            f"(id {broken.event_id}): {broken.reason}.",
        )
    return intact


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def letter_document_attach(*, document_id: int) -> None:
    """Render, seal and store a countersigned letter's PDF (at most once; see the service)."""
    from responsibility.models import LetterDocument
    from responsibility.services.documents import letter_document_attach as attach

    document = LetterDocument.objects.filter(pk=document_id).first()
    if document is None:  # its transaction was rolled back after all
        logger.warning("Letter PDF %s does not exist; nothing to render", document_id)
        return
    attach(document=document)


# A batch print of a whole year can take minutes at province scale: more than the default limit.
@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, max_retries=3, time_limit=60 * 60, soft_time_limit=55 * 60
)
def archive_export_build(*, export_id: int) -> None:
    """Assemble a batch print (merged PDF or ZIP) from the stored sealed PDFs."""
    from responsibility.models import ArchiveExport
    from responsibility.services.exports import archive_export_build as build

    export = ArchiveExport.objects.filter(pk=export_id).first()
    if export is None:
        logger.warning("Archive export %s does not exist; nothing to build", export_id)
        return
    build(export=export)


@shared_task
def reminders_sweep() -> dict:
    """Every few minutes (beat): create the reminders due today and queue their sending. Idempotent."""
    from django.utils import timezone

    from responsibility.services.reminders import reminders_sweep as sweep

    result = sweep(today=timezone.localdate())
    logger.info("Reminder sweep: %s new, %s queued", result.created, result.scheduled)
    return {"created": result.created_total, "scheduled": result.scheduled}


# Countdowns stay far below the Redis visibility timeout (1 h): a long ETA would be delivered again
# and again (see docs/adr/0004-reminders.md). The ledger counts the attempts, not this task.
REMINDER_RETRY_MAX_DELAY = 30 * 60


@shared_task(bind=True, max_retries=10)
def reminders_send(self, *, reminder_ids: list[int]) -> int:
    """Send these reminders over one mail connection; try the transient failures again with backoff."""
    from django.conf import settings

    from responsibility.services.reminders import reminders_send_batch

    retry_ids = reminders_send_batch(reminder_ids=reminder_ids)
    if retry_ids and self.request.retries < self.max_retries:
        delay = settings.REMINDERS_RETRY_DELAY.total_seconds() * 2**self.request.retries
        raise self.retry(kwargs={"reminder_ids": retry_ids}, countdown=min(delay, REMINDER_RETRY_MAX_DELAY))
    return len(reminder_ids) - len(retry_ids)
