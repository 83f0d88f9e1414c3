"""The letters' audit chain (签署记录): what each `LetterEvent` hashes."""

from core.audit import (
    AuditChain,
    ChainBreak,
    audit_chain_register,
    chain_append,
    chain_verify,
    event_digest,
    event_time,
)
from responsibility.letters.models.letters import LetterAuditHead, LetterEvent


def _event_hash(event: LetterEvent) -> str:
    return event_digest(
        {
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
    )


LETTER_CHAIN = audit_chain_register(AuditChain("letter", LetterEvent, LetterAuditHead, _event_hash))


def letter_events_append(*, events: list[LetterEvent]) -> list[LetterEvent]:
    """Chain and store new letter events. Must run inside the transaction that made the change."""
    return chain_append(LETTER_CHAIN, events)


def audit_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Recompute every letter event's hash in order. None when intact, else the first break."""
    return chain_verify(LETTER_CHAIN, batch_size=batch_size)
