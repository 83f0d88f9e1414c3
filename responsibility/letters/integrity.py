"""What a letter's stored rows must still agree with: the content its parties saw and the audit chain.

A letter once issued never changes (ADR 0002): its content hash pins title, preamble, clauses, closing
and parties; each signature records the hash its signer saw; each issue, sign and countersign event
records it too, and the events record every status it went through. Whoever edits the rows directly
(SQLite has no triggers; a database owner can bypass them) leaves a difference here, shown on the
letter's page and reported by `verify_audit_chain`. Sealed PDFs are held to their stored SHA-256.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.integrity import IntegrityCheck, IntegrityProblem, integrity_check_register, sealed_pdf_problem
from responsibility.letters.content import letter_stored_content_hash
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.models.letters import (
    Letter,
    LetterEvent,
    LetterEventKind,
    LetterStatus,
    Signature,
    SignatureRole,
)

# The event that records each signature, and the signature each such event needs.
SIGNING_EVENTS = {
    LetterEventKind.SIGNED: SignatureRole.SIGNER,
    LetterEventKind.COUNTERSIGNED: SignatureRole.ISSUER,
}
BATCH_SIZE = 500


def letter_integrity_problems(letter: Letter) -> list[str]:
    """Why the stored letter no longer matches what was signed, in the user's language ([] when it does).
    Reads the letter's clauses, signatures and events (prefetch them for a page)."""
    if letter.status == LetterStatus.DRAFT:
        return []
    problems = []
    if letter_stored_content_hash(letter=letter) != letter.content_hash:
        problems.append(
            _("Its text or parties differ from what was issued (the content hash no longer matches).")
        )
    signatures = {signature.role: signature for signature in letter.signatures.all()}
    for signature in signatures.values():
        if signature.content_hash != letter.content_hash:
            problems.append(
                _("It is not the content %(role)s signed.") % {"role": signature.get_role_display()}
            )
    events = sorted(letter.events.all(), key=lambda event: event.sequence)
    if any(event.content_hash and event.content_hash != letter.content_hash for event in events):
        problems.append(_("Its content differs from what the audit chain recorded."))
    if events and events[-1].to_status != letter.status:
        problems.append(
            _("Its status “%(status)s” is not the one the audit chain records (“%(recorded)s”).")
            % {"status": letter.get_status_display(), "recorded": events[-1].get_to_status_display()}
        )
    if not events:
        problems.append(_("The audit chain holds no event of it."))
    for kind, role in SIGNING_EVENTS.items():
        recorded = any(event.kind == kind for event in events)
        if recorded and role not in signatures:
            problems.append(
                _("The audit chain records a signature that is missing: %(role)s.") % {"role": role.label}
            )
        if role in signatures and not recorded:
            problems.append(
                _("It carries a signature the audit chain never recorded: %(role)s.") % {"role": role.label}
            )
    return problems


def _letters_check():
    letters = (
        Letter.objects.exclude(status=LetterStatus.DRAFT)
        .order_by("pk")
        .prefetch_related(
            "clauses",
            Prefetch("signatures", queryset=Signature.objects.only("letter_id", "role", "content_hash")),
            Prefetch(
                "events",
                queryset=LetterEvent.objects.only(
                    "letter_id", "sequence", "kind", "to_status", "content_hash"
                ),
            ),
        )
    )
    for letter in letters.iterator(chunk_size=BATCH_SIZE):
        for reason in letter_integrity_problems(letter):
            yield IntegrityProblem(_("Letter %(reference)s") % {"reference": letter.reference}, reason)


def document_file_problem(document: LetterDocument) -> str:
    """Why a ready sealed PDF no longer matches its record ("" when its bytes are the ones stored)."""
    return sealed_pdf_problem(document.file, document.sha256)


def _documents_check():
    documents = (
        LetterDocument.objects.filter(status=DocumentStatus.READY).select_related("letter").order_by("pk")
    )
    for document in documents.iterator(chunk_size=BATCH_SIZE):
        reason = document_file_problem(document)
        if reason:
            yield IntegrityProblem(
                _("Letter %(reference)s") % {"reference": document.letter.reference}, reason
            )


integrity_check_register(
    IntegrityCheck("letters", gettext_lazy("letter contents and signatures"), _letters_check)
)
integrity_check_register(
    IntegrityCheck("documents", gettext_lazy("sealed PDFs in storage"), _documents_check)
)
