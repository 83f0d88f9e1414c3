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
    event_time,
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


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _person(value) -> str:
    return value.get("name", "") if isinstance(value, dict) else str(value)


def _severity(value) -> str:
    return str(Severity(value).label) if value in Severity.values else str(value)


def _quoted(value) -> str:
    return f"“{value}”"


def _short(model, name: str, show=str):
    def read(old, new) -> str:
        return _("%(field)s from %(old)s to %(new)s") % {
            "field": _label(model, name),
            "old": show(old),
            "new": show(new),
        }

    return read


def _long(model, name: str):
    return lambda old, new: _("%(field)s changed") % {"field": _label(model, name)}


# How each changed field reads, in this order: a short value "from … to …", a long text "changed".
_PLAN_CHANGES = {
    "year": _short(InspectionPlan, "year"),
    "title": _short(InspectionPlan, "title", _quoted),
    "description": _long(InspectionPlan, "description"),
    "period_start": _short(InspectionPlan, "period_start"),
    "period_end": _short(InspectionPlan, "period_end"),
    "scope": lambda old, new: _("scope changed (now %(count)d units)") % {"count": len(new or [])},
    "team": lambda old, new: _("team changed (now %(count)d members)") % {"count": len(new or [])},
}
_FINDING_CHANGES = {
    "title": _short(Finding, "title", _quoted),
    "description": _long(Finding, "description"),
    "severity": _short(Finding, "severity", _severity),
    "responsible": _short(Finding, "responsible", _person),
    "owner": _short(Rectification, "owner", _person),
    "requirement": _long(Rectification, "requirement"),
    "deadline": _short(Rectification, "deadline"),
}


def _changes_sentence(changes: dict, readers: dict) -> str:
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


def _with_note(sentence: str, template: str, note: str) -> str:
    """The sentence, followed by the person's own words when there are any."""
    if not note:
        return sentence
    # Translators: a sentence followed by another (Chinese puts no space between them).
    return _("%(sentence)s %(more)s") % {"sentence": sentence, "more": template % {"note": note}}


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
        return _changes_sentence(payload.get("changes", {}), _PLAN_CHANGES)
    if kind == K.PLAN_CLOSED:
        return _("The plan is closed: nothing more is drawn or recorded in it.")
    if kind in (K.DRAWN, K.REDRAWN):
        sentence = _("Draw %(number)d, public value %(public)s: %(units)d units drawn.") % {
            "number": payload.get("draw", 0),
            "public": payload.get("public_value", ""),
            "units": payload.get("units", 0),
        }
        return _with_note(sentence, _("Reason: %(note)s"), note)
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
        return _with_note(_("All checkpoints have a result."), _("Summary: %(note)s"), note)
    if kind == K.FINDING_RECORDED:
        return _("Finding %(reference)s, “%(title)s”: %(owner)s to rectify it by %(deadline)s.") % {
            "reference": payload.get("reference", ""),
            "title": payload.get("title", ""),
            "owner": _person(payload.get("owner", "")),
            "deadline": payload.get("deadline", ""),
        }
    if kind == K.FINDING_UPDATED:
        return _changes_sentence(payload.get("changes", {}), _FINDING_CHANGES)
    if kind == K.SUBMITTED:
        return _with_note(_("Reported as rectified."), _("Measures taken: %(note)s"), note)
    if kind == K.SENT_BACK:
        return _with_note(_("Sent back to the owner."), _("Reason: %(note)s"), note)
    if kind == K.VERIFIED:
        return _with_note(_("The rectification was checked and accepted."), _("Note: %(note)s"), note)
    if kind == K.CLOSED:
        return _with_note(_("Ticked off the ledger; nothing changes after this."), _("Note: %(note)s"), note)
    return note
