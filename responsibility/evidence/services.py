"""Storing evidence files (佐证材料): checked by content before, hashed and named at random when stored."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core import clock
from responsibility.evidence.models import EvidenceFile
from responsibility.evidence.rules import CheckedEvidence


def evidence_store(*, files: list[CheckedEvidence], uploaded_by, **owner) -> list[EvidenceFile]:
    """Store checked files under random names and record them against their owner record.

    Called after every check of the change has passed, so the only way left to fail is the database
    itself; a file written for a change that then rolls back is removed here, or (if the failure
    comes later in the transaction) stays as an unreferenced file under a random name.
    """
    names: list[str] = []
    try:
        rows = []
        for checked in files:
            name = default_storage.save(
                f"evidence/{clock.now():%Y/%m}/{uuid.uuid4().hex}{checked.kind.extension}",
                ContentFile(checked.content),
            )
            names.append(name)
            rows.append(
                EvidenceFile(
                    file=name,
                    original_name=checked.original_name,
                    content_type=checked.kind.content_type,
                    size=checked.size,
                    sha256=checked.sha256,
                    uploaded_by=uploaded_by,
                    **owner,
                )
            )
        return EvidenceFile.objects.bulk_create(rows) if rows else []
    except Exception:
        for name in names:
            default_storage.delete(name)
        raise
