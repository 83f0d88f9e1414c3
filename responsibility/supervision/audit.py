"""Supervision's audit chain: what each `InspectionEvent` hashes

Its events record draws, check results, findings and rectifications.
."""

from core.audit import (
    AuditChain,
    ChainBreak,
    audit_chain_register,
    chain_append,
    chain_verify,
    event_digest,
    event_time,
)
from responsibility.supervision.models import InspectionAuditHead, InspectionEvent


def _inspection_event_hash(event: InspectionEvent) -> str:
    return event_digest(
        {
            "sequence": event.sequence,
            "plan": event.plan_id,
            "subject": event.subject,
            "kind": event.kind,
            "from": event.from_status,
            "to": event.to_status,
            "actor": event.actor_id,
            "note": event.note,
            "digest": event.digest,
            "at": event_time(event),
            "previous": event.previous_hash,
        }
    )


INSPECTION_CHAIN = audit_chain_register(
    AuditChain("inspection", InspectionEvent, InspectionAuditHead, _inspection_event_hash)
)


def inspection_events_append(*, events: list[InspectionEvent]) -> list[InspectionEvent]:
    """Chain and store new supervision events. Must run inside the transaction that made the change."""
    return chain_append(INSPECTION_CHAIN, events)


def inspection_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Recompute every supervision event's hash in order. None when intact, else the first break."""
    return chain_verify(INSPECTION_CHAIN, batch_size=batch_size)
