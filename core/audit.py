"""The audit-chain mechanism: every event is hashed together with the one before it.

A subdomain that keeps a chain (the letters' `LetterEvent`; supervision's `InspectionEvent`: draws,
results, findings, rectifications) declares an `AuditChain` with its event model, its head row and the
fields its events hash, and registers it. Every chain is appended and verified the same way, here.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC

from django.db import models, transaction
from django.utils.translation import gettext as _

from core import clock
from core.dates import date_text
from core.locks import row_lock

GENESIS_HASH = "0" * 64

# How an event hashes, recorded on each event (`chain_format`) so that every stored chain still verifies.
# Format 1: the chain's columns, the note among them; the events written before payloads existed.
# Format 2: the same columns, the event's structured payload (canonical JSON, sorted keys) and the number 2.
# Format 3: format 2's digest with the number 3, for a chain whose events hash a column more than its
#   format-2 ones (the inspection chain's `batch`, ADR 0015): the chain's `event_fields` says which, by
#   the event's format. A chain accepts the formats it declares (`AuditChain.formats`).
CHAIN_FORMAT_NOTE = 1
CHAIN_FORMAT_PAYLOAD = 2
CHAIN_FORMAT_MORE_COLUMNS = 3
CHAIN_FORMAT_CURRENT = CHAIN_FORMAT_PAYLOAD


class ChainFormatError(ValueError):
    """An event whose chain format is unknown, or a format-1 event carrying a payload: it cannot verify."""


def event_digest(payload: dict) -> str:
    encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def event_format_digest(event, fields: dict) -> str:
    """An event's hash from the columns its chain hashes (`fields`), by the event's chain format.

    A format-1 event hashes exactly as before payloads existed, so it must carry none: a payload added
    to it later would be outside its hash.
    """
    if event.chain_format == CHAIN_FORMAT_NOTE:
        if event.payload:
            raise ChainFormatError(f"event #{event.sequence} is format 1 but carries a payload")
        return event_digest(fields)
    if event.chain_format in (CHAIN_FORMAT_PAYLOAD, CHAIN_FORMAT_MORE_COLUMNS):
        return event_digest({**fields, "format": event.chain_format, "payload": event.payload})
    raise ChainFormatError(f"event #{event.sequence} has an unknown chain format {event.chain_format!r}")


def event_time(event) -> str:
    return event.created_at.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class AuditChain:
    """One hash chain: its events, its head row (pk 1: the last sequence and hash) and the columns an event
    hashes (`event_fields`: a dict of JSON values, the same one the export writes out)."""

    name: str
    event_model: type[models.Model]
    head_model: type[models.Model]
    event_fields: Callable[[models.Model], dict]
    # How reports name it ("The letter audit chain"): a lazy translation.
    label: object = ""
    # The chain formats its events may have; any other breaks the chain where it appears.
    formats: tuple[int, ...] = (CHAIN_FORMAT_NOTE, CHAIN_FORMAT_PAYLOAD)

    def event_hash(self, event) -> str:
        if event.chain_format not in self.formats:
            raise ChainFormatError(
                f"event #{event.sequence} has chain format {event.chain_format!r}, not one of the "
                f"{self.name} chain's"
            )
        return event_format_digest(event, self.event_fields(event))

    def event_export(self, event) -> dict:
        """The event as the stand-alone verifier reads it: what it hashes, by format, and its hash."""
        return {
            "sequence": event.sequence,
            "format": event.chain_format,
            "fields": self.event_fields(event),
            "payload": event.payload,
            "hash": event.hash,
        }


# Every chain of the system, by name: the nightly check and `verify_audit_chain` walk them all.
AUDIT_CHAINS: dict[str, AuditChain] = {}


def audit_chain_register(chain: AuditChain) -> AuditChain:
    if chain.name in AUDIT_CHAINS:
        raise ValueError(f"an audit chain named {chain.name} is already registered")
    AUDIT_CHAINS[chain.name] = chain
    return chain


def audit_heads_ensure(**kwargs) -> None:
    """Create the chain heads if missing (after migrate and after a test-database flush)."""
    for chain in AUDIT_CHAINS.values():
        chain.head_model.objects.get_or_create(pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH})


def chain_append(chain: AuditChain, events: list) -> list:
    """Chain and store new events. Must run inside the transaction that made the change."""
    if not events:
        return []
    assert transaction.get_connection().in_atomic_block, "audit events are written with the change"
    head = row_lock(chain.head_model, pk=1)
    now = clock.now()
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


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops being what was written, and why."""

    sequence: int
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class Checkpoint:
    """What a chain's head was, recorded outside the chain (a timestamped anchor, a sealed PDF's record):
    event #`sequence` had `hash`. `source` names where it was recorded, for the report."""

    sequence: int
    hash: str
    source: str


def chain_verify(
    chain: AuditChain, *, checkpoints: Iterable[Checkpoint] = (), batch_size: int = 2000
) -> ChainBreak | None:
    """Recompute every event's hash in order, and hold the chain to every checkpoint (in ascending
    sequence): the event it names must exist with the hash it recorded. None when intact, else the first
    break. A checkpoint is what catches a rewrite whose later hashes were all recomputed, or a chain
    emptied and begun again."""
    previous, expected_sequence, last_id = GENESIS_HASH, 1, None
    pending = (checkpoint for checkpoint in checkpoints if checkpoint.sequence > 0)
    checkpoint = next(pending, None)
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
        try:
            intact = chain.event_hash(event) == event.hash
        except ChainFormatError:
            intact = False
        if not intact:
            return ChainBreak(event.sequence, event.pk, _("its content does not match its hash"))
        while checkpoint is not None and checkpoint.sequence <= event.sequence:
            if checkpoint.sequence == event.sequence and checkpoint.hash != event.hash:
                return ChainBreak(
                    event.sequence,
                    event.pk,
                    _("its hash differs from the one recorded in %(source)s: the chain was rewritten")
                    % {"source": checkpoint.source},
                )
            checkpoint = next(pending, None)
        previous, expected_sequence, last_id = event.hash, expected_sequence + 1, event.pk
    last_sequence = expected_sequence - 1
    if checkpoint is not None:
        return ChainBreak(
            checkpoint.sequence,
            None,
            _("%(source)s recorded event #%(sequence)d, which is no longer in the chain: events were removed")
            % {"source": checkpoint.source, "sequence": checkpoint.sequence},
        )
    head = chain.head_model.objects.filter(pk=1).first()
    if head is None:
        return (
            None if last_sequence == 0 else ChainBreak(last_sequence, last_id, _("the chain head is missing"))
        )
    if (head.last_sequence, head.last_hash) != (last_sequence, previous):
        return ChainBreak(head.last_sequence, last_id, _("events at the end of the chain are missing"))
    return None


# --- Payload pieces every chain writes the same way ----------------------------------------------


def person_payload(user) -> dict:
    """A person in a payload: the id, and the name as it was (the sentence needs no query)."""
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def changes_payload(pairs: dict[str, tuple]) -> dict:
    """``{"changes": {field: {"from": old, "to": new}}}`` for the fields whose value changed."""
    return {"changes": {name: {"from": old, "to": new} for name, (old, new) in pairs.items() if old != new}}


# --- How payloads read: the sentence pieces every chain's `…_event_describe` uses -------------------


def payload_person(value) -> str:
    """The name of a person in a payload (`person_payload`), or the value as it is."""
    return value.get("name", "") if isinstance(value, dict) else str(value)


def payload_date(value) -> str:
    """A payload's ISO date ("2026-05-01") as every sentence of the site names a day: 2026年5月1日."""
    try:
        return date_text(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


def field_label(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def field_from_to(
    model: type[models.Model], name: str, show: Callable = str
) -> Callable[[object, object], str]:
    """How a short value's change reads: "deadline from 2026-05-01 to 2026-06-01"."""

    def read(old, new) -> str:
        return _("%(field)s from %(old)s to %(new)s") % {
            "field": field_label(model, name),
            "old": show(old),
            "new": show(new),
        }

    return read


def field_changed_to(
    model: type[models.Model], name: str, show: Callable = str
) -> Callable[[object, object], str]:
    """How a change whose old value was not recorded reads: "owner changed to 张三"."""

    def read(old, new) -> str:
        return _("%(field)s changed to %(new)s") % {"field": field_label(model, name), "new": show(new)}

    return read


def field_changed(model: type[models.Model], name: str) -> Callable[..., str]:
    """How a long text's change reads: "details changed"."""
    return lambda old, new: _("%(field)s changed") % {"field": field_label(model, name)}


def changes_sentence(changes: dict, readers: dict[str, Callable[[object, object], str]]) -> str:
    """A `changes_payload` as one sentence: each field by its reader, in the readers' order."""
    parts = [
        read(changes[name].get("from"), changes[name].get("to"))
        for name, read in readers.items()
        if name in changes
    ]
    parts += [_("%(field)s changed") % {"field": name} for name in sorted(changes) if name not in readers]
    if not parts:
        return _("Saved without changes.")
    # Translators: joins the changes of one event ("severity from … to …; deadline from … to …").
    separator = _("; ")
    # Translators: the changes of one event as one sentence.
    return _("%(changes)s.") % {"changes": separator.join(parts)}


def sentences_join(sentence: str, more: str) -> str:
    # Translators: a sentence followed by another (Chinese puts no space between them).
    return _("%(sentence)s %(more)s") % {"sentence": sentence, "more": more}


def sentence_with_note(sentence: str, template: str, note: str) -> str:
    """The sentence, followed by the person's own words when there are any."""
    return sentences_join(sentence, template % {"note": note}) if note else sentence


def event_history_rows(events: Iterable, *, describe: Callable, status_labels: dict) -> list[dict]:
    """A record's events as the rows of templates/responsibility/_event_history.html: each event, its
    states by their names (`status_labels`) and the event as a sentence (`describe`)."""
    return [
        {
            "event": event,
            "from": status_labels.get(event.from_status, event.from_status),
            "to": status_labels.get(event.to_status, event.to_status),
            "description": describe(event),
        }
        for event in events
    ]
