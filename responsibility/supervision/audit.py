"""Supervision's audit chain: what each `InspectionEvent` hashes, and how it reads.

Its events record plans, draws, check results, findings and rectifications. An event's payload holds
what the system knows about it, by kind (who, what, from and to are the event's own columns; a person's
own words, such as a reason, a summary or the measures taken, are its note). A person is
``{"id": 24, "name": "张三"}`` (the name as it was), a date is ISO ``"2026-05-01"``:

- plan_created: ``{"year", "title", "description", "period_start", "period_end", "scope": [unit ids],
  "team": [user ids]}``;
- plan_updated: ``{"changes": {field: {"from": old, "to": new}}}`` over the fields of plan_created;
- plan_closed, inspection_completed, submitted, sent_back, verified, closed: ``{}``;
- drawn, redrawn: ``{"draw": its number in the plan, "public_value", "units": how many were drawn}``
  (a redraw's reason is the note);
- result_recorded: ``{"checkpoint": its number, "outcome", "version": of the result}``;
- evidence_added: ``{"evidence": id, "file": the uploaded file's name}`` (its SHA-256 is the digest);
- finding_recorded: ``{"reference", "title", "owner": person, "deadline"}``;
- finding_updated: ``{"changes": {field: {"from": old, "to": new}}}`` over title, description,
  severity, responsible (person), owner (person), requirement and deadline.
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
    changes_sentence,
    event_time,
    field_changed,
    field_from_to,
    payload_person,
    sentence_with_note,
)
from responsibility.supervision.models import (
    CheckOutcome,
    Finding,
    InspectionAuditHead,
    InspectionEvent,
    InspectionEventKind,
    InspectionPlan,
    Rectification,
    Severity,
)


def _inspection_event_fields(event: InspectionEvent) -> dict:
    return {
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


INSPECTION_CHAIN = audit_chain_register(
    AuditChain(
        "inspection",
        InspectionEvent,
        InspectionAuditHead,
        _inspection_event_fields,
        label=gettext_lazy("The inspection audit chain"),
    )
)


def inspection_events_append(*, events: list[InspectionEvent]) -> list[InspectionEvent]:
    """Chain and store new supervision events. Must run inside the transaction that made the change."""
    return chain_append(INSPECTION_CHAIN, events)


def inspection_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Recompute every supervision event's hash in order. None when intact, else the first break."""
    return chain_verify(INSPECTION_CHAIN, batch_size=batch_size)


# --- Sentences ------------------------------------------------------------------------------------


def _severity(value) -> str:
    return str(Severity(value).label) if value in Severity.values else str(value)


def _quoted(value) -> str:
    return f"“{value}”"


# How each changed field reads, in this order: a short value "from … to …", a long text "changed".
_PLAN_CHANGES = {
    "year": field_from_to(InspectionPlan, "year"),
    "title": field_from_to(InspectionPlan, "title", _quoted),
    "description": field_changed(InspectionPlan, "description"),
    "period_start": field_from_to(InspectionPlan, "period_start"),
    "period_end": field_from_to(InspectionPlan, "period_end"),
    "scope": lambda old, new: _("scope changed (now %(count)d units)") % {"count": len(new or [])},
    "team": lambda old, new: _("team changed (now %(count)d members)") % {"count": len(new or [])},
}
_FINDING_CHANGES = {
    "title": field_from_to(Finding, "title", _quoted),
    "description": field_changed(Finding, "description"),
    "severity": field_from_to(Finding, "severity", _severity),
    "responsible": field_from_to(Finding, "responsible", payload_person),
    "owner": field_from_to(Rectification, "owner", payload_person),
    "requirement": field_changed(Rectification, "requirement"),
    "deadline": field_from_to(Rectification, "deadline"),
}


def inspection_event_describe(event: InspectionEvent) -> str:
    """The event as a sentence in the active language (the finding's history, the draw's page).

    An event written before payloads (format 1) shows its note, as it always did.
    """
    if event.chain_format == CHAIN_FORMAT_NOTE:
        return event.note
    payload, kind, note = event.payload, event.kind, event.note
    K = InspectionEventKind
    if kind == K.PLAN_CREATED:
        return _(
            "Plan for %(year)s, “%(title)s”: checks from %(start)s to %(end)s, %(units)d units in scope, "
            "a team of %(members)d."
        ) % {
            "year": payload.get("year", ""),
            "title": payload.get("title", ""),
            "start": payload.get("period_start", ""),
            "end": payload.get("period_end", ""),
            "units": len(payload.get("scope", [])),
            "members": len(payload.get("team", [])),
        }
    if kind == K.PLAN_UPDATED:
        return changes_sentence(payload.get("changes", {}), _PLAN_CHANGES)
    if kind == K.PLAN_CLOSED:
        return _("The plan is closed: nothing more is drawn or recorded in it.")
    if kind in (K.DRAWN, K.REDRAWN):
        sentence = _("Draw %(number)d, public value %(public)s: %(units)d units drawn.") % {
            "number": payload.get("draw", 0),
            "public": payload.get("public_value", ""),
            "units": payload.get("units", 0),
        }
        return sentence_with_note(sentence, _("Reason: %(note)s"), note)
    if kind == K.RESULT_RECORDED:
        outcome = payload.get("outcome", "")
        values = {
            "number": payload.get("checkpoint", 0),
            "outcome": CheckOutcome(outcome).label if outcome in CheckOutcome.values else outcome,
            "version": payload.get("version", 1),
        }
        if values["version"] > 1:
            return _("Checkpoint %(number)d corrected: %(outcome)s (version %(version)d).") % values
        return _("Checkpoint %(number)d: %(outcome)s.") % values
    if kind == K.EVIDENCE_ADDED:
        return _("File attached: %(name)s.") % {"name": payload.get("file", "")}
    if kind == K.INSPECTION_COMPLETED:
        return sentence_with_note(_("All checkpoints have a result."), _("Summary: %(note)s"), note)
    if kind == K.FINDING_RECORDED:
        return _("Finding %(reference)s, “%(title)s”: %(owner)s to rectify it by %(deadline)s.") % {
            "reference": payload.get("reference", ""),
            "title": payload.get("title", ""),
            "owner": payload_person(payload.get("owner", "")),
            "deadline": payload.get("deadline", ""),
        }
    if kind == K.FINDING_UPDATED:
        return changes_sentence(payload.get("changes", {}), _FINDING_CHANGES)
    if kind == K.SUBMITTED:
        return sentence_with_note(_("Reported as rectified."), _("Measures taken: %(note)s"), note)
    if kind == K.SENT_BACK:
        return sentence_with_note(_("Sent back to the owner."), _("Reason: %(note)s"), note)
    if kind == K.VERIFIED:
        return sentence_with_note(_("The rectification was checked and accepted."), _("Note: %(note)s"), note)
    if kind == K.CLOSED:
        return sentence_with_note(
            _("Ticked off the ledger; nothing changes after this."), _("Note: %(note)s"), note
        )
    return note
