"""Evidence files held to the SHA-256 taken when they were uploaded: a file replaced in or removed from
storage shows (the hash itself is in the chain event that recorded the upload, and PostgreSQL refuses to
change it)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.integrity import IntegrityCheck, IntegrityProblem, integrity_check_register, stored_file_sha256
from responsibility.evidence.models import EvidenceFile

BATCH_SIZE = 500


def evidence_file_problem(evidence: EvidenceFile) -> str:
    """Why the stored bytes are not the ones uploaded ("" when they are)."""
    digest = stored_file_sha256(evidence.file)
    if digest is None:
        return _("The file is missing from storage.")
    if digest != evidence.sha256:
        return _("The file in storage is not the one uploaded (its SHA-256 differs).")
    return ""


def _evidence_check():
    for evidence in EvidenceFile.objects.order_by("pk").iterator(chunk_size=BATCH_SIZE):
        reason = evidence_file_problem(evidence)
        if reason:
            subject = _("Evidence file %(name)s (no. %(id)d)") % {
                "name": evidence.original_name,
                "id": evidence.pk,
            }
            yield IntegrityProblem(subject, reason)


integrity_check_register(
    IntegrityCheck("evidence", gettext_lazy("evidence files in storage"), _evidence_check)
)
