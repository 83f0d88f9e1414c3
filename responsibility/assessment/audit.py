"""Assessment's audit chain: what each `AssessmentEvent` hashes, and how it reads.

Its events record every step of a round. An event's payload holds what the system knows, by kind (a
person is ``{"id": 24, "name": "张三"}``, the name as it was; points are text such as ``"2.5"``, exact):

- round_opened (about "round:<id>"): ``{"name", "year", "scheme": {"id", "name", "version"},
  "deadline": ISO date, "objection_days", "grades": [[name, lowest points], …], "units": [unit ids]}``;
- indicators_counted (about "round:<id>"): ``{"items": how many items the system answered, "units": how
  many units, "heads": {chain name: its last sequence when counted}}``; the digest is the SHA-256 of the
  figures written (unit, item, answer, points), so the count can be checked against the records at the
  chain positions named;
- item_self_assessed (about "score:<id>"): ``{"unit": {"id", "name"}, "item": its number,
  "answer", "points", "from": {"answer", "points"} or null}`` (the explanation is the note);
- evidence_added (about "score:<id>"): ``{"evidence": id, "file": the uploaded name}`` (its SHA-256 is
  the digest);
- submitted (about "unit:<id>"): ``{"unit": {"id", "name"}, "points": the self-assessed total,
  "answered": items answered, "items": items in all}``;
- item_reviewed (about "score:<id>"): ``{"unit", "item", "answer", "points", "self_points",
  "from": {"answer", "points"} or null}`` (the reason is the note);
- review_completed (about "unit:<id>"): ``{"unit", "self_points", "points": the approved total,
  "adopted": items whose approved score the team took as self-assessed}``;
- round_approved (about "round:<id>"): ``{"units": [[unit id, approved total, grade], …]}``; the digest is the
  SHA-256 of every unit's approved scores, item by item;
- objection_lodged (about "score:<id>"): ``{"unit", "item", "points": the approved points objected to,
  "objection": id}`` (the objection's words are the note);
- objection_answered (about "score:<id>"): ``{"unit", "item", "upheld": true or false, "points": the
  approved points, "corrected": the corrected points or null, "objection": id}`` (the reasons are the
  note);
- result_issued (about "unit:<id>", the AssessmentResultDocument's unit): ``{"unit", "version", "code":
  the verification code printed on it, "supersedes": the version it replaces or null, "anchor": the
  number of the chain anchor printed in it or null, "points": the final points, "grade"}`` (the sealed
  PDF's SHA-256 is the digest);
- round_result_issued (about "round:<id>", the round's 考核结果通报): ``{"version", "code", "supersedes",
  "anchor", "units": how many units it ranks}`` (the sealed PDF's SHA-256 is the digest).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import (
    AuditChain,
    ChainBreak,
    audit_chain_register,
    chain_append,
    chain_verify,
    event_time,
    payload_date,
    sentence_with_note,
)
from responsibility.assessment.models import AssessmentAuditHead, AssessmentEvent, AssessmentEventKind


def _assessment_event_fields(event: AssessmentEvent) -> dict:
    return {
        "sequence": event.sequence,
        "round": event.round_id,
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


ASSESSMENT_CHAIN = audit_chain_register(
    AuditChain(
        "assessment",
        AssessmentEvent,
        AssessmentAuditHead,
        _assessment_event_fields,
        label=gettext_lazy("The assessment audit chain"),
    )
)


def assessment_events_append(*, events: list[AssessmentEvent]) -> list[AssessmentEvent]:
    """Chain and store new assessment events. Must run inside the transaction that made the change."""
    return chain_append(ASSESSMENT_CHAIN, events)


def assessment_event_record(**fields) -> AssessmentEvent:
    """Chain and store one assessment event made of `fields` (AssessmentEvent's). Must run inside the
    transaction of the change."""
    [event] = assessment_events_append(events=[AssessmentEvent(**fields)])
    return event


def assessment_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Recompute every assessment event's hash in order. None when intact, else the first break."""
    return chain_verify(ASSESSMENT_CHAIN, batch_size=batch_size)


# --- Sentences ------------------------------------------------------------------------------------


def _name(value) -> str:
    return value.get("name", "") if isinstance(value, dict) else str(value or "")


def _answer_change(payload: dict) -> str:
    before = payload.get("from")
    if not before:
        return ""
    return _(" (was %(points)s points)") % {"points": before.get("points", "")}


def assessment_event_describe(event: AssessmentEvent) -> str:
    """The event as a sentence in the active language (a score card's history): names, numbers and
    days, never ids or machine text."""
    payload, kind, note = event.payload, event.kind, event.note
    K = AssessmentEventKind
    if kind == K.ROUND_OPENED:
        return _(
            "Assessment “%(name)s” opened for %(year)s with %(scheme)s (version %(version)s): "
            "%(units)d units, self-assessment until %(deadline)s."
        ) % {
            "name": payload.get("name", ""),
            "year": payload.get("year", ""),
            "scheme": _name(payload.get("scheme")),
            "version": (payload.get("scheme") or {}).get("version", ""),
            "units": len(payload.get("units", [])),
            "deadline": payload_date(payload.get("deadline", "")),
        }
    if kind == K.INDICATORS_COUNTED:
        return _("The system counted its %(items)d items for %(units)d units from its own records.") % {
            "items": payload.get("items", 0),
            "units": payload.get("units", 0),
        }
    if kind == K.ITEM_SELF_ASSESSED:
        sentence = _("%(unit)s self-assessed item %(item)s: %(points)s points%(change)s.") % {
            "unit": _name(payload.get("unit")),
            "item": payload.get("item", ""),
            "points": payload.get("points", ""),
            "change": _answer_change(payload),
        }
        return sentence_with_note(sentence, _("Explanation: %(note)s"), note)
    if kind == K.EVIDENCE_ADDED:
        return _("Evidence “%(file)s” added.") % {"file": payload.get("file", "")}
    if kind == K.SELF_ASSESSMENT_SUBMITTED:
        return _(
            "%(unit)s submitted its self-assessment: %(points)s points, %(answered)d of %(items)d items "
            "answered."
        ) % {
            "unit": _name(payload.get("unit")),
            "points": payload.get("points", ""),
            "answered": payload.get("answered", 0),
            "items": payload.get("items", 0),
        }
    if kind == K.ITEM_REVIEWED:
        sentence = _("Approved score of item %(item)s for %(unit)s set to %(points)s points%(change)s.") % {
            "unit": _name(payload.get("unit")),
            "item": payload.get("item", ""),
            "points": payload.get("points", ""),
            "change": _answer_change(payload),
        }
        return sentence_with_note(sentence, _("Reason: %(note)s"), note)
    if kind == K.REVIEW_COMPLETED:
        return _(
            "Review of %(unit)s completed: %(points)s points approved (self-assessed %(self_points)s); "
            "%(adopted)d items approved as self-assessed."
        ) % {
            "unit": _name(payload.get("unit")),
            "points": payload.get("points", ""),
            "self_points": payload.get("self_points", ""),
            "adopted": payload.get("adopted", 0),
        }
    if kind == K.ROUND_APPROVED:
        return _("The Party Group approved the results of %(units)d units; they are published.") % {
            "units": len(payload.get("units", []))
        }
    if kind == K.OBJECTION_LODGED:
        sentence = _("%(unit)s objected to the approved score of item %(item)s (%(points)s points).") % {
            "unit": _name(payload.get("unit")),
            "item": payload.get("item", ""),
            "points": payload.get("points", ""),
        }
        return sentence_with_note(sentence, _("Objection: %(note)s"), note)
    if kind == K.OBJECTION_ANSWERED:
        if payload.get("upheld"):
            sentence = _(
                "The objection to item %(item)s was upheld: %(points)s points corrected to %(corrected)s."
            )
        else:
            sentence = _("The objection to item %(item)s was not upheld: %(points)s points stand.")
        sentence = sentence % {
            "item": payload.get("item", ""),
            "points": payload.get("points", ""),
            "corrected": payload.get("corrected", ""),
        }
        return sentence_with_note(sentence, _("Reasons: %(note)s"), note)
    if kind == K.RESULT_ISSUED:
        return _(
            "Version %(version)s of the sealed result of %(unit)s issued (%(points)s points, %(grade)s), "
            "verification code %(code)s."
        ) % {
            "version": payload.get("version", ""),
            "unit": _name(payload.get("unit")),
            "points": payload.get("points", ""),
            "grade": payload.get("grade", ""),
            "code": payload.get("code", ""),
        }
    if kind == K.ROUND_RESULT_ISSUED:
        return _(
            "Version %(version)s of the round's sealed results issued (%(units)s units ranked), verification "
            "code %(code)s."
        ) % {
            "version": payload.get("version", ""),
            "units": payload.get("units", ""),
            "code": payload.get("code", ""),
        }
    return str(AssessmentEventKind(kind).label) if kind in AssessmentEventKind.values else kind
