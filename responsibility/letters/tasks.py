"""Letter tasks: render and seal a countersigned letter's PDF, build a batch print. Thin: one service each.

Task names stay `responsibility.tasks.<name>`: beat and messages already queued use them.
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(
    name="responsibility.tasks.letter_document_attach",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def letter_document_attach(*, document_id: int) -> None:
    """Render, seal and store a countersigned letter's PDF (stored once; see the service's protocol)."""
    from responsibility.letters.models.documents import LetterDocument
    from responsibility.letters.services.documents import letter_document_attach as attach

    document = LetterDocument.objects.filter(pk=document_id).first()
    if document is None:  # its transaction was rolled back after all
        logger.warning("Letter PDF %s does not exist; nothing to render", document_id)
        return
    attach(document=document)


# A batch print of a whole year can take minutes at province scale: more than the default limit.
@shared_task(
    name="responsibility.tasks.archive_export_build",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    time_limit=60 * 60,
    soft_time_limit=55 * 60,
)
def archive_export_build(*, export_id: int) -> None:
    """Assemble a batch print (merged PDF or ZIP) from the stored sealed PDFs."""
    from responsibility.letters.models.documents import ArchiveExport
    from responsibility.letters.services.exports import archive_export_build as build

    export = ArchiveExport.objects.filter(pk=export_id).first()
    if export is None:
        logger.warning("Archive export %s does not exist; nothing to build", export_id)
        return
    build(export=export)
