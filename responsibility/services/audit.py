"""The audit chain: every letter event is hashed together with the one before it."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from responsibility.models import LetterAuditHead, LetterEvent

GENESIS_HASH = "0" * 64


def _event_hash(event: LetterEvent) -> str:
    payload = {
        "sequence": event.sequence,
        "letter": event.letter_id,
        "kind": event.kind,
        "from": event.from_status,
        "to": event.to_status,
        "actor": event.actor_id,
        "note": event.note,
        "ip": event.ip_address,
        "content_hash": event.content_hash,
        "at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "previous": event.previous_hash,
    }
    encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def audit_head_ensure(**kwargs) -> None:
    """Create the chain head if it is missing (after migrate and after a test-database flush)."""
    LetterAuditHead.objects.get_or_create(pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH})


def letter_events_append(*, events: list[LetterEvent]) -> list[LetterEvent]:
    """Chain and store new events. Must run inside the transaction that made the change they record."""
    if not events:
        return []
    assert transaction.get_connection().in_atomic_block, "audit events are written with the change"
    head = LetterAuditHead.objects.select_for_update().get(pk=1)
    now = timezone.now()
    sequence, previous = head.last_sequence, head.last_hash
    for event in events:
        sequence += 1
        event.sequence = sequence
        event.created_at = event.created_at or now
        event.previous_hash = previous
        event.hash = previous = _event_hash(event)
    LetterEvent.objects.bulk_create(events)
    head.last_sequence, head.last_hash = sequence, previous
    head.save(update_fields=["last_sequence", "last_hash"])
    return events


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops being what was written, and why."""

    sequence: int
    event_id: int | None
    reason: str


def audit_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Recompute every hash in order. None when the whole chain is intact, else the first break."""
    previous, expected_sequence, last_id = GENESIS_HASH, 1, None
    events = LetterEvent.objects.order_by("sequence").iterator(chunk_size=batch_size)
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
        if _event_hash(event) != event.hash:
            return ChainBreak(event.sequence, event.pk, _("its content does not match its hash"))
        previous, expected_sequence, last_id = event.hash, expected_sequence + 1, event.pk
    head = LetterAuditHead.objects.filter(pk=1).first()
    last_sequence = expected_sequence - 1
    if head is None:
        return (
            None if last_sequence == 0 else ChainBreak(last_sequence, last_id, _("the chain head is missing"))
        )
    if (head.last_sequence, head.last_hash) != (last_sequence, previous):
        return ChainBreak(head.last_sequence, last_id, _("events at the end of the chain are missing"))
    return None
