"""The audit chains: every event is hashed together with the one before it.

Two chains, each with its own head row: the letters' (`LetterEvent`) and supervision's
(`InspectionEvent`: draws, results, findings, rectifications). Both are appended and verified the same
way; only the fields each event hashes differ.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from responsibility.models import InspectionAuditHead, InspectionEvent, LetterAuditHead, LetterEvent

GENESIS_HASH = "0" * 64


def _digest(payload: dict) -> str:
    encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def _at(event) -> str:
    return event.created_at.astimezone(UTC).isoformat(timespec="microseconds")


def _event_hash(event: LetterEvent) -> str:
    return _digest(
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
            "at": _at(event),
            "previous": event.previous_hash,
        }
    )


def _inspection_event_hash(event: InspectionEvent) -> str:
    return _digest(
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
            "at": _at(event),
            "previous": event.previous_hash,
        }
    )


@dataclass(frozen=True)
class _Chain:
    event_model: type[models.Model]
    head_model: type[models.Model]
    event_hash: object  # callable(event) -> str


LETTER_CHAIN = _Chain(LetterEvent, LetterAuditHead, _event_hash)
INSPECTION_CHAIN = _Chain(InspectionEvent, InspectionAuditHead, _inspection_event_hash)


def audit_head_ensure(**kwargs) -> None:
    """Create the chain heads if missing (after migrate and after a test-database flush)."""
    for chain in (LETTER_CHAIN, INSPECTION_CHAIN):
        chain.head_model.objects.get_or_create(pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH})


def _append(chain: _Chain, events: list) -> list:
    if not events:
        return []
    assert transaction.get_connection().in_atomic_block, "audit events are written with the change"
    head = chain.head_model.objects.select_for_update().get(pk=1)
    now = timezone.now()
    sequence, previous = head.last_sequence, head.last_hash
    for event in events:
        sequence += 1
        event.sequence = sequence
        event.created_at = event.created_at or now
        event.previous_hash = previous
        event.hash = previous = chain.event_hash(event)
    chain.event_model.objects.bulk_create(events)
    head.last_sequence, head.last_hash = sequence, previous
    head.save(update_fields=["last_sequence", "last_hash"])
    return events


def letter_events_append(*, events: list[LetterEvent]) -> list[LetterEvent]:
    """Chain and store new letter events. Must run inside the transaction that made the change."""
    return _append(LETTER_CHAIN, events)


def inspection_events_append(*, events: list[InspectionEvent]) -> list[InspectionEvent]:
    """Chain and store new supervision events. Must run inside the transaction that made the change."""
    return _append(INSPECTION_CHAIN, events)


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops being what was written, and why."""

    sequence: int
    event_id: int | None
    reason: str


def _verify(chain: _Chain, batch_size: int) -> ChainBreak | None:
    previous, expected_sequence, last_id = GENESIS_HASH, 1, None
    events = chain.event_model.objects.order_by("sequence").iterator(chunk_size=batch_size)
    for event in events:
        if event.sequence != expected_sequence:
            return ChainBreak(
                expected_sequence,
                event.pk,
                _("event #%(sequence)d is missing") % {"sequence": expected_sequence},
            )
        if event.previous_hash != previous:
            return ChainBreak(
                event.sequence, event.pk, _("its previous hash does not match the event before it")
            )
        if chain.event_hash(event) != event.hash:
            return ChainBreak(event.sequence, event.pk, _("its content does not match its hash"))
        previous, expected_sequence, last_id = event.hash, expected_sequence + 1, event.pk
    head = chain.head_model.objects.filter(pk=1).first()
    last_sequence = expected_sequence - 1
    if head is None:
        return (
            None if last_sequence == 0 else ChainBreak(last_sequence, last_id, _("the chain head is missing"))
        )
    if (head.last_sequence, head.last_hash) != (last_sequence, previous):
        return ChainBreak(head.last_sequence, last_id, _("events at the end of the chain are missing"))
    return None


def audit_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Recompute every letter event's hash in order. None when intact, else the first break."""
    return _verify(LETTER_CHAIN, batch_size)


def inspection_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Recompute every supervision event's hash in order. None when intact, else the first break."""
    return _verify(INSPECTION_CHAIN, batch_size)
