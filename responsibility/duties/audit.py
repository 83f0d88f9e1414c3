"""一岗双责's audit chain: what each `DutyEvent` hashes, and how it reads.

Its events record every change to assignments, tasks, their periods, performance records (履责纪实) and
post handovers. An event's payload holds what the system knows about it, by kind (who, what, from and to
are the event's own columns; a person's own words, such as a reason or what was done, are its note). A
person is ``{"id": 24, "name": "张三"}`` (the name as it was), a date is ISO ``"2026-05-01"``:

- assignment_generated (about "assignment:<id>"): ``{"year", "post": its name, "leader": person,
  "oversees": [unit ids], "clauses": [clause ids], "tasks": [task ids]}``;
- assignment_updated: ``{"changes": {field: {"from": old, "to": new}}}`` over business_areas,
  integrity_duties, oversees ([unit ids]) and clauses ([clause ids]); from and to are the assignment's
  status when a confirmed assignment goes back to the leader;
- assignment_confirmed: ``{}`` (draft → confirmed);
- task_created (about "task:<id>"): ``{"title", "recurrence", "times_a_year", "due_date",
  "clause": its number or null, "periods": how many periods the year has}``;
- task_withdrawn: ``{"title", "periods": how many periods were withdrawn with it}`` (the reason is the
  note);
- record_created (about "record:<id>"): ``{"task": id, "title": the task's, "period": its number,
  "performed_on", "participants", "files": how many evidence files}`` (what was done is the note);
- evidence_added: ``{"evidence": id, "file": the uploaded file's name}`` (its SHA-256 is the digest);
- record_accepted, record_returned: ``{"task": id, "title", "period", "reopened": whether the period is
  open again}`` (pending → accepted or returned; a return's reason is the note);
- handed_over (about "handover:<id>", one event per assignment of the post it touched):
  ``{"post": its name, "from": person, "to": person, "on": the handover date,
  "periods_moved": how many open periods moved, "letter": the new letter's reference or ""}``;
- report_issued (about "report:<id>", the DutyReportDocument): ``{"version", "code": the verification
  code printed on it, "sha256": of the sealed PDF (also the digest), "supersedes": the version it
  replaces or null, "anchor": the number of the chain anchor printed in it or null}``.

A talk's events (about "talk:<id>", no assignment: only the talk's readers see them) carry the SHA-256 of
its record as it stood (Talk.record_digest) as their digest once it was written:

- talk_planned: ``{"kind": its name, "talker": person, "talked_to": person, "planned_on",
  "task": {"id", "title", "period"} or null}`` (the purpose is the note);
- talk_recorded: ``{"held_on", "place", "points", "commitments", "again": written after a
  disagreement}`` (planned or disputed → recorded);
- talk_confirmed, talk_disputed: ``{"reauthenticated_at": when the person talked to confirmed it was
  them}`` (recorded → confirmed or disputed; the disagreement is the note);
- talk_cancelled: ``{}`` (planned → cancelled; the reason is the note).

A record kept for a duty task's period by a confirmed talk is a record_created event with ``"talk": id``.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import (
    AuditChain,
    ChainBreak,
    audit_chain_register,
    chain_append,
    chain_verify,
    changes_sentence,
    event_time,
    field_changed,
    payload_date,
    payload_person,
    sentence_with_note,
    sentences_join,
)
from responsibility.duties.models import (
    AssignmentStatus,
    DutyAssignment,
    DutyAuditHead,
    DutyEvent,
    DutyEventKind,
    Recurrence,
)


def _duty_event_fields(event: DutyEvent) -> dict:
    return {
        "sequence": event.sequence,
        "assignment": event.assignment_id,
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


DUTY_CHAIN = audit_chain_register(
    AuditChain(
        "duty",
        DutyEvent,
        DutyAuditHead,
        _duty_event_fields,
        label=gettext_lazy("The duty audit chain"),
    )
)


def duty_events_append(*, events: list[DutyEvent]) -> list[DutyEvent]:
    """Chain and store new duty events. Must run inside the transaction that made the change."""
    return chain_append(DUTY_CHAIN, events)


def duty_event_record(**fields) -> DutyEvent:
    """Chain and store one new duty event made of `fields` (DutyEvent's): its facts in `payload` (see the
    sentences below), a person's own words in `note`. Must run inside the transaction of the change."""
    [event] = duty_events_append(events=[DutyEvent(**fields)])
    return event


def duty_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Recompute every duty event's hash in order. None when intact, else the first break."""
    return chain_verify(DUTY_CHAIN, batch_size=batch_size)


# --- Sentences ------------------------------------------------------------------------------------


# How each changed field of an assignment reads, in this order.
_ASSIGNMENT_CHANGES = {
    "business_areas": field_changed(DutyAssignment, "business_areas"),
    "integrity_duties": field_changed(DutyAssignment, "integrity_duties"),
    "oversees": lambda old, new: _("units overseen changed (now %(count)d)") % {"count": len(new or [])},
    "clauses": lambda old, new: _("letter clauses changed (now %(count)d)") % {"count": len(new or [])},
}


def _recurrence(payload: dict) -> str:
    recurrence = payload.get("recurrence", "")
    if recurrence == Recurrence.ONCE:
        return _("once, due %(date)s") % {"date": payload_date(payload.get("due_date", ""))}
    if recurrence == Recurrence.TIMES_A_YEAR:
        return _("%(count)d times a year") % {"count": payload.get("times_a_year") or 0}
    return str(Recurrence(recurrence).label) if recurrence in Recurrence.values else str(recurrence)


def duty_event_describe(event: DutyEvent) -> str:
    """The event as a sentence in the active language (the assignment page's history): names and days,
    never ids or machine text."""
    payload, kind, note = event.payload, event.kind, event.note
    K = DutyEventKind
    if kind == K.ASSIGNMENT_GENERATED:
        return _(
            "Assignment for %(year)s generated for %(post)s, %(leader)s: %(tasks)d common tasks, "
            "%(units)d units overseen, %(clauses)d letter clauses linked."
        ) % {
            "year": payload.get("year", ""),
            "post": payload.get("post", ""),
            "leader": payload_person(payload.get("leader", "")),
            "tasks": len(payload.get("tasks", [])),
            "units": len(payload.get("oversees", [])),
            "clauses": len(payload.get("clauses", [])),
        }
    if kind == K.ASSIGNMENT_UPDATED:
        sentence = changes_sentence(payload.get("changes", {}), _ASSIGNMENT_CHANGES)
        if event.from_status == AssignmentStatus.CONFIRMED:
            return sentences_join(sentence, _("The leader is to confirm it again."))
        return sentence
    if kind == K.ASSIGNMENT_CONFIRMED:
        return _("The leader confirmed the assignment.")
    if kind == K.TASK_CREATED:
        return _("Task “%(title)s” added (%(recurrence)s): %(periods)d periods this year.") % {
            "title": payload.get("title", ""),
            "recurrence": _recurrence(payload),
            "periods": payload.get("periods", 0),
        }
    if kind == K.TASK_WITHDRAWN:
        sentence = _("Task “%(title)s” withdrawn with its %(periods)d periods.") % {
            "title": payload.get("title", ""),
            "periods": payload.get("periods", 0),
        }
        return sentence_with_note(sentence, _("Reason: %(note)s"), note)
    if kind == K.RECORD_CREATED:
        sentence = _(
            "Record kept for “%(title)s”, period %(period)d: done on %(date)s, %(files)d evidence files."
        ) % {
            "title": payload.get("title", ""),
            "period": payload.get("period", 0),
            "date": payload_date(payload.get("performed_on", "")),
            "files": payload.get("files", 0),
        }
        if payload.get("talk"):
            sentence = sentences_join(
                sentence, _("Kept when the person talked to confirmed the talk's record.")
            )
        return sentence_with_note(sentence, _("What was done: %(note)s"), note)
    if kind == K.EVIDENCE_ADDED:
        return _("File attached: %(name)s.") % {"name": payload.get("file", "")}
    if kind in (K.RECORD_ACCEPTED, K.RECORD_RETURNED):
        values = {"title": payload.get("title", ""), "period": payload.get("period", 0)}
        if kind == K.RECORD_ACCEPTED:
            return _("The record for “%(title)s”, period %(period)d, was accepted.") % values
        sentence = _("The record for “%(title)s”, period %(period)d, was returned to its author.") % values
        if payload.get("reopened"):
            sentence = sentences_join(sentence, _("The period is open again."))
        return sentence_with_note(sentence, _("Reason: %(note)s"), note)
    if kind == K.HANDED_OVER:
        sentence = _(
            "%(post)s handed over from %(from)s to %(to)s on %(date)s: %(count)d open task periods moved."
        ) % {
            "post": payload.get("post", ""),
            "from": payload_person(payload.get("from", "")),
            "to": payload_person(payload.get("to", "")),
            "date": payload_date(payload.get("on", "")),
            "count": payload.get("periods_moved", 0),
        }
        if payload.get("letter"):
            sentence = sentences_join(
                sentence,
                _("Letter %(reference)s was issued to the new holder to sign.")
                % {"reference": payload["letter"]},
            )
        return sentence
    if kind == K.TALK_PLANNED:
        sentence = _("%(talker)s planned a %(kind)s with %(talked_to)s on %(date)s.") % {
            "talker": payload_person(payload.get("talker", "")),
            "kind": payload.get("kind", ""),
            "talked_to": payload_person(payload.get("talked_to", "")),
            "date": payload_date(payload.get("planned_on", "")),
        }
        if payload.get("task"):
            sentence = sentences_join(
                sentence,
                _("It carries out the duty task “%(title)s”, period %(period)d.")
                % {"title": payload["task"].get("title", ""), "period": payload["task"].get("period", 0)},
            )
        return sentence_with_note(sentence, _("Purpose: %(note)s"), note)
    if kind == K.TALK_RECORDED:
        values = {"date": payload_date(payload.get("held_on", "")), "place": payload.get("place", "")}
        if payload.get("again"):
            return (
                _("The record was written again after the disagreement: held on %(date)s at %(place)s.")
                % values
            )
        return _("The record was written: held on %(date)s at %(place)s.") % values
    if kind == K.TALK_CONFIRMED:
        return _("The person talked to confirmed the record, after confirming their identity.")
    if kind == K.TALK_DISPUTED:
        return sentence_with_note(
            _("The person talked to disagreed with the record, after confirming their identity."),
            _("Disagreement: %(note)s"),
            note,
        )
    if kind == K.TALK_CANCELLED:
        return sentence_with_note(_("The planned talk was cancelled."), _("Reason: %(note)s"), note)
    if kind == K.REPORT_ISSUED:
        sentence = _(
            "Year-end report version %(version)d issued and sealed (verification code %(code)s)."
        ) % {"version": payload.get("version", 0), "code": payload.get("code", "")}
        if payload.get("supersedes"):
            sentence = sentences_join(
                sentence, _("It supersedes version %(version)d.") % {"version": payload["supersedes"]}
            )
        return sentence
    return note
