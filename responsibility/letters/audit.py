"""The letters' audit chain (签署记录): what each `LetterEvent` hashes, and how it reads.

An event's payload holds what the system knows about it, by kind (who, what, from and to are the event's
own columns; a person's reason is its note):

- issued: ``{"reference": "…"}``, the reference the letter was issued under;
- revised: ``{"reference": "…", "version": 2, "revision_of": {"id": 7, "reference": "…"}}``;
- signed, countersigned, returned, voided, archived: ``{}`` (returned and voided carry the reason as note).

Events written before payloads (format 1) carry none: their facts are read from their letter, which
keeps its reference and version for good.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import (
    CHAIN_FORMAT_NOTE,
    AuditChain,
    ChainBreak,
    audit_chain_register,
    chain_append,
    chain_verify,
    event_time,
)
from responsibility.letters.models.letters import LetterAuditHead, LetterEvent, LetterEventKind


def _event_fields(event: LetterEvent) -> dict:
    return {
        "sequence": event.sequence,
        "letter": event.letter_id,
        "kind": event.kind,
        "from": event.from_status,
        "to": event.to_status,
        "actor": event.actor_id,
        "note": event.note,
        "ip": event.ip_address,
        "content_hash": event.content_hash,
        "at": event_time(event),
        "previous": event.previous_hash,
    }


LETTER_CHAIN = audit_chain_register(
    AuditChain(
        "letter", LetterEvent, LetterAuditHead, _event_fields, label=gettext_lazy("The letter audit chain")
    )
)


def letter_events_append(*, events: list[LetterEvent]) -> list[LetterEvent]:
    """Chain and store new letter events. Must run inside the transaction that made the change."""
    return chain_append(LETTER_CHAIN, events)


def audit_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Recompute every letter event's hash in order. None when intact, else the first break."""
    return chain_verify(LETTER_CHAIN, batch_size=batch_size)


def letter_event_describe(event: LetterEvent) -> str:
    """The event as a sentence in the active language (the pages, the sealed PDF's record)."""
    payload = _legacy_payload(event) if event.chain_format == CHAIN_FORMAT_NOTE else event.payload
    kind = event.kind
    if kind == LetterEventKind.ISSUED:
        return _("Issued as %(reference)s, awaiting signature.") % {"reference": payload.get("reference", "")}
    if kind == LetterEventKind.REVISED:
        return _("Version %(version)d issued, revising %(reference)s.") % {
            "version": payload.get("version", 0),
            "reference": payload.get("revision_of", {}).get("reference", ""),
        }
    if kind == LetterEventKind.SIGNED:
        return _("The signer signed the letter.")
    if kind == LetterEventKind.COUNTERSIGNED:
        return _("The issuer countersigned the letter; it is in force.")
    if kind == LetterEventKind.RETURNED:
        return _("Returned for revision. Reason: %(reason)s") % {"reason": event.note}
    if kind == LetterEventKind.VOIDED:
        return _("Voided. Reason: %(reason)s") % {"reason": event.note}
    if kind == LetterEventKind.ARCHIVED:
        return _("Filed in the archive.")
    return event.note


def _legacy_payload(event: LetterEvent) -> dict:
    """A format-1 event's facts as a format-2 event carries them, from its letter (its note held a
    revision's reference as text in its writer's language, or a person's reason, as now)."""
    letter = event.letter
    if event.kind == LetterEventKind.ISSUED:
        return {"reference": letter.reference}
    if event.kind == LetterEventKind.REVISED:
        previous = letter.previous_version
        return {
            "version": letter.version,
            "revision_of": {"reference": previous.reference if previous else ""},
        }
    return {}
