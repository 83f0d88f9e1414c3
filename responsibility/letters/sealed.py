"""The responsibility letter as a kind of sealed document (core.verification): what its verification shows.

A letter's sealed PDF is its `LetterDocument` once READY. Where the letter stands is read from the letter
itself, now:

- voided: the letter was voided after it was sealed (`letter_void`): when (`voided_at`), by whom (the
  actor of its voided event) and why (`void_reason`);
- superseded: a later version of the same letter (its campaign and number, a higher version) is in force
  (countersigned or archived); the record names that version, the code of its own sealed PDF, when it
  came into force and who issued it. This wins over voided, whose reason is kept: a letter withdrawn and
  then replaced is read as replaced;
- in force: countersigned or archived, and no later version in force.

A READY document of a letter in any other state is not a record (the services seal countersigned letters
only): verification then says the seal is genuine but the record is missing.

Its place in the letter audit chain is the countersigned event (the content hash the seal covers was
fixed there, and with it the letter came into force; sealing itself appends no event) and the chain
anchor made when the PDF was sealed (`letter_document_attach`: reason seal, subject the reference, made
before the render), which the PDF prints in its signing record.

Imported by the responsibility app's `ready()`, which registers the kind.
"""

import logging

from django.db.models import Prefetch
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from accounts.anchors.models import AnchorReason, ChainAnchor
from core.integrity import stored_file_sha256
from core.verification import ChainPlace, SealedRecord, Standing, sealed_kind_register
from responsibility.letters.audit import LETTER_CHAIN, letter_event_describe
from responsibility.letters.models.documents import DocumentStatus, LetterDocument
from responsibility.letters.models.letters import Letter, LetterEventKind, LetterStatus, Signature

logger = logging.getLogger(__name__)

IN_FORCE_STATUSES = (LetterStatus.COUNTERSIGNED, LetterStatus.ARCHIVED)


class LetterSealedKind:
    """The letters' archive, as core.verification asks it."""

    name = "letter"

    def record_by_sha256(self, sha256: str) -> SealedRecord | None:
        document = _ready_documents().filter(sha256=sha256).first()
        return letter_sealed_record(document) if document else None

    def record_by_code(self, code: str) -> SealedRecord | None:
        document = _ready_documents().filter(verification_code=code).first()
        return letter_sealed_record(document) if document else None

    def archived_pdf(self, sha256: str) -> bytes | None:
        """The stored PDF, only while its bytes are still the ones recorded."""
        document = LetterDocument.objects.filter(status=DocumentStatus.READY, sha256=sha256).first()
        if document is None or stored_file_sha256(document.file) != sha256:
            return None
        with document.file.open("rb") as stored:
            return stored.read()


def letter_sealed_record(document: LetterDocument) -> SealedRecord | None:
    """What verification shows of a READY letter document (loaded by `_ready_documents`), None when its
    letter is in no state a sealed letter can be in."""
    letter = document.letter
    successor = _version_in_force_after(letter)
    if successor is None and letter.status not in (*IN_FORCE_STATUSES, LetterStatus.VOIDED):
        logger.warning("Letter %s has a sealed PDF but is %s", letter.reference, letter.status)
        return None
    events = {
        event.kind: event
        for event in letter.events.filter(kind__in=[LetterEventKind.COUNTERSIGNED, LetterEventKind.VOIDED])
        .select_related("actor")
        .order_by("sequence")
    }
    voided = events.get(LetterEventKind.VOIDED)
    standing = {"standing": Standing.IN_FORCE, "standing_reason": letter.void_reason if voided else ""}
    if successor is not None:
        successor_document = _ready_document_of(successor)
        standing |= {
            "standing": Standing.SUPERSEDED,
            "standing_at": successor.countersigned_at,
            "standing_by": successor.issuer.get_full_name(),
            "successor_label": _("Version %(version)d") % {"version": successor.version},
            "successor_code": successor_document.verification_code if successor_document else "",
        }
    elif voided is not None:
        standing |= {
            "standing": Standing.VOIDED,
            "standing_at": letter.voided_at,
            "standing_by": voided.actor.get_full_name(),
        }
    return SealedRecord(
        kind_label=_("Responsibility letter"),
        title=letter.title,
        reference=letter.reference,
        verification_code=document.verification_code,
        sha256=document.sha256,
        sealed_at=document.rendered_at,
        rows=_rows(letter),
        chain=_chain_place(letter, events.get(LetterEventKind.COUNTERSIGNED), document),
        **standing,
    )


def _ready_documents():
    return (
        LetterDocument.objects.filter(status=DocumentStatus.READY)
        .select_related(
            "letter__campaign",
            "letter__signer",
            "letter__signer_post",
            "letter__signer_unit",
            "letter__issuer",
            "letter__issuer_post__unit",
        )
        .prefetch_related(
            Prefetch(
                "letter__signatures",
                queryset=Signature.objects.select_related("signed_by").order_by("signed_at"),
            )
        )
    )


def _version_in_force_after(letter: Letter) -> Letter | None:
    """The latest later version of the letter (same campaign and number) that is in force, if any."""
    return (
        Letter.objects.filter(
            campaign_id=letter.campaign_id,
            number=letter.number,
            version__gt=letter.version,
            status__in=IN_FORCE_STATUSES,
        )
        .select_related("document", "issuer")
        .order_by("-version")
        .first()
    )


def _ready_document_of(letter: Letter) -> LetterDocument | None:
    try:
        document = letter.document
    except LetterDocument.DoesNotExist:
        return None
    return document if document.status == DocumentStatus.READY else None


def _rows(letter: Letter) -> tuple[tuple[str, str], ...]:
    issuer = letter.issuer.get_full_name()
    if letter.issuer_post:
        issuer = f"{letter.issuer_post.full_title} {issuer}"
    rows = [
        (_("Campaign"), letter.campaign.title),
        (letter.issuer_label, issuer),
        (letter.signer_label, f"{letter.signer_post.title} {letter.signer.get_full_name()}"),
        (_("Unit"), letter.signer_unit.name),
    ]
    if letter.version > 1:
        rows.append((_("Version"), _("Version %(version)d") % {"version": letter.version}))
    rows += [
        (
            _("Signed by %(role)s") % {"role": signature.get_role_display()},
            f"{signature.signed_by.get_full_name()} {_local(signature.signed_at)}",
        )
        for signature in letter.signatures.all()
    ]
    rows.append((_("Content SHA-256"), letter.content_hash))
    return tuple(rows)


def _chain_place(letter: Letter, event, document: LetterDocument) -> ChainPlace | None:
    if event is None:
        return None
    anchor = (
        ChainAnchor.objects.filter(
            reason=AnchorReason.SEAL, subject=letter.reference, created_at__lte=document.rendered_at
        )
        .order_by("-number")
        .values("number", "digest")
        .first()
    )
    return ChainPlace(
        chain_label=str(LETTER_CHAIN.label),
        sequence=event.sequence,
        event_hash=event.hash,
        event_label=letter_event_describe(event),
        anchor_number=anchor["number"] if anchor else None,
        anchor_digest=anchor["digest"] if anchor else "",
    )


def _local(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "Y年n月j日 H:i")


sealed_kind_register(LetterSealedKind())
