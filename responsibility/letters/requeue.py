"""The letters' work whose task message can be lost, queued again by core.requeue (every minute, by beat).

- A sealed PDF still being prepared whose render task was queued before the cutoff: its task never ran,
  or its worker died in the middle (the claim protocol of `letter_document_attach` stores it once
  however often it runs). A failed PDF is not queued: its retries are over and the office decides.
- A batch print waiting since before the cutoff, or running but silent (no progress) for
  STUCK_BUILD_SILENT_AFTER: its worker died. A build starts over from the stored PDFs.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from core.requeue import requeue_source_register
from responsibility.letters.models.documents import (
    ArchiveExport,
    DocumentStatus,
    ExportStatus,
    LetterDocument,
)
from responsibility.letters.tasks import archive_export_build, letter_document_attach

# At most this many of a kind per run: a backlog is worked off over a few minutes, not in one burst.
REQUEUE_BATCH = 500


@requeue_source_register("letter PDFs")
def letter_documents_requeue(*, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    """Pending PDFs whose render task was queued before `cutoff`, queued again."""
    return _queue_again(
        LetterDocument.objects.filter(status=DocumentStatus.PENDING, queued_at__lt=cutoff),
        now=now,
        queue=lambda document_id: letter_document_attach.delay_on_commit(document_id=document_id),
    )


@requeue_source_register("batch prints")
def archive_exports_requeue(*, cutoff: datetime.datetime, now: datetime.datetime) -> int:
    """Batch prints waiting since before `cutoff`, or running without progress for STUCK_BUILD_SILENT_AFTER,
    queued again."""
    silent_since = now - settings.STUCK_BUILD_SILENT_AFTER
    return _queue_again(
        ArchiveExport.objects.filter(
            Q(status=ExportStatus.PENDING, queued_at__lt=cutoff)
            | Q(status=ExportStatus.RUNNING, queued_at__lt=silent_since)
            & (Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True))
        ),
        now=now,
        queue=lambda export_id: archive_export_build.delay_on_commit(export_id=export_id),
    )


def _queue_again(waiting: QuerySet, *, now: datetime.datetime, queue: Callable[[int], None]) -> int:
    """Take up to REQUEUE_BATCH rows of `waiting` (the oldest; rows another run holds are skipped), mark
    them queued at `now` and queue each once this commits."""
    with transaction.atomic():
        ids = list(
            waiting.select_for_update(skip_locked=True)
            .order_by("queued_at")
            .values_list("pk", flat=True)[:REQUEUE_BATCH]
        )
        waiting.model.objects.filter(pk__in=ids).update(queued_at=now)
        for pk in ids:
            queue(pk)
    return len(ids)
