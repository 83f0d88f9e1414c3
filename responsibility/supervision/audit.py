"""Supervision's audit chain: what each `InspectionEvent` hashes, and how it reads.

Its events record plans, draws, check results, findings and rectifications. Since format 3 each event
also hashes the problem list (问题清单, `batch`) of the finding it is about (none for a plan's own
steps). An event's payload holds what the system knows about it, by kind (who, what, from and to are
the event's own columns; a person's own words, such as a reason, a summary or the measures taken, are
its note). A person is
``{"id": 24, "name": "张三"}`` (the name as it was), a date is ISO ``"2026-05-01"``:

- plan_created: ``{"year", "title", "description", "period_start", "period_end", "scope": [unit ids],
  "team": [user ids]}``;
- plan_updated: ``{"changes": {field: {"from": old, "to": new}}}`` over the fields of plan_created;
- plan_closed, inspection_completed, verified, closed: ``{}``;
- drawn, redrawn: ``{"draw": its number in the plan, "public_value", "units": how many were drawn}``
  (a redraw's reason is the note);
- result_recorded: ``{"checkpoint": its number, "outcome", "version": of the result}``;
- evidence_added: ``{"evidence": id, "file": the uploaded file's name}`` (its SHA-256 is the digest);
- batch_opened: ``{"source": {"code", "name"}, "year", "title", "raised_on", "raised_by"}`` (a problem
  list of another source than inspections; subject ``batch:ID``);
- batch_updated: ``{"changes": {field: {"from": old, "to": new}}}`` over the fields of batch_opened;
- batch_reconciled: ``{"closed": how many ticked off, "carried_over": [references]}``;
- carried_over: ``{"deadline": {"from", "to"}, "measures": [the numbers of the open measures moved]}`` (the
  reason is the note);
- finding_recorded: ``{"reference", "title", "owner": person, "deadline"}`` (a problem of a list of
  another source is followed by one measure_added per measure it was recorded with);
- finding_updated: ``{"changes": {field: {"from": old, "to": new}}}`` over title, description,
  severity, responsible (person), owner (person), requirement and deadline;
- measure_added: ``{"measure": its number, "action", "owner": person, "deadline"}``, with
  ``"rectification_deadline": {"from", "to"}`` when it moved the rectification's deadline, and
  ``"carried_from_rectification": true, "status"`` for the measures migration 0023 made of the
  rectifications before measures;
- measure_updated: ``{"measure": its number, "changes": {field: {"from", "to"}}}`` over action, owner
  (person) and deadline, with ``"rectification_deadline": {"from", "to"}`` when the rectification's
  deadline moved with it;
- measure_reported: ``{"measure": its number}`` (what was done is the note);
- recheck_drawn: ``{"recheck": its number, "title", "public_value", "closed": problems drawn from,
  "drawn": problems drawn}`` (the record's hash is the digest);
- rechecked: ``{"recheck": its number, "outcome"}``, with ``"deadline"`` when it opened the
  rectification again (the reason is the note);
- submitted: ``{}``, or ``{"measures": [numbers]}`` when the last of several measures submitted it;
- sent_back: ``{"measures": [the numbers reopened]}`` (``{}`` before measures: the whole rectification).

Events written before payloads (format 1) kept these facts as machine text in the note
(``owner=24; deadline=2026-05-01``); they are read back into the same payloads and sentences (below).
"""

import re

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import (
    CHAIN_FORMAT_MORE_COLUMNS,
    CHAIN_FORMAT_NOTE,
    CHAIN_FORMAT_PAYLOAD,
    AuditChain,
    ChainBreak,
    audit_chain_register,
    chain_append,
    chain_verify,
    changes_sentence,
    event_time,
    field_changed,
    field_changed_to,
    field_from_to,
    payload_date,
    payload_person,
    person_payload,
    sentence_with_note,
    sentences_join,
)
from responsibility.evidence.models import EvidenceFile
from responsibility.supervision.models import (
    CheckOutcome,
    Finding,
    InspectionAuditHead,
    InspectionEvent,
    InspectionEventKind,
    InspectionPlan,
    Measure,
    ProblemBatch,
    RecheckOutcome,
    Rectification,
    Severity,
)


def _inspection_event_fields(event: InspectionEvent) -> dict:
    """The columns an event hashes: format 3 adds the problem list (`batch`) to those of formats 1 and 2."""
    fields = {
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
    if event.chain_format >= CHAIN_FORMAT_MORE_COLUMNS:
        fields["batch"] = event.batch_id
    return fields


INSPECTION_CHAIN = audit_chain_register(
    AuditChain(
        "inspection",
        InspectionEvent,
        InspectionAuditHead,
        _inspection_event_fields,
        label=gettext_lazy("The inspection audit chain"),
        formats=(CHAIN_FORMAT_NOTE, CHAIN_FORMAT_PAYLOAD, CHAIN_FORMAT_MORE_COLUMNS),
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
    "period_start": field_from_to(InspectionPlan, "period_start", payload_date),
    "period_end": field_from_to(InspectionPlan, "period_end", payload_date),
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
    "deadline": field_from_to(Rectification, "deadline", payload_date),
}

_BATCH_CHANGES = {
    "source": field_from_to(ProblemBatch, "source", lambda source: (source or {}).get("name", "")),
    "year": field_from_to(ProblemBatch, "year"),
    "title": field_from_to(ProblemBatch, "title", _quoted),
    "raised_on": field_from_to(ProblemBatch, "raised_on", payload_date),
    "raised_by": field_from_to(ProblemBatch, "raised_by", _quoted),
}

_MEASURE_CHANGES = {
    "action": field_changed(Measure, "action"),
    "owner": field_from_to(Measure, "owner", payload_person),
    "deadline": field_from_to(Measure, "deadline", payload_date),
}


# A format-1 correction named the fields it changed, with the new person and both deadlines only.
_LEGACY_FINDING_CHANGES = {
    "title": field_changed(Finding, "title"),
    "description": field_changed(Finding, "description"),
    "severity": field_changed(Finding, "severity"),
    "responsible": field_changed_to(Finding, "responsible", payload_person),
    "owner": field_changed_to(Rectification, "owner", payload_person),
    "requirement": field_changed(Rectification, "requirement"),
    "deadline": field_from_to(Rectification, "deadline", payload_date),
}


def _plan_terms(payload: dict) -> str:
    return _(
        "Plan for %(year)s, “%(title)s”: checks from %(start)s to %(end)s, %(units)d units in scope, "
        "a team of %(members)d."
    ) % {
        "year": payload.get("year", ""),
        "title": payload.get("title", ""),
        "start": payload_date(payload.get("period_start", "")),
        "end": payload_date(payload.get("period_end", "")),
        "units": len(payload.get("scope", [])),
        "members": len(payload.get("team", [])),
    }


def _with_rectification_deadline(sentence: str, payload: dict) -> str:
    """A measure's sentence, and the rectification's deadline when the measure moved it."""
    moved = payload.get("rectification_deadline")
    if not moved:
        return sentence
    return sentences_join(sentence, changes_sentence({"deadline": moved}, _FINDING_CHANGES))


def inspection_event_describe(event: InspectionEvent) -> str:
    """The event as a sentence in the active language (the finding's history, the draw's page): names
    and days, never ids or machine text. An event written before payloads (format 1) is read back from
    its note; a note that cannot be read back is shown as it is."""
    if event.chain_format == CHAIN_FORMAT_NOTE:
        facts = _legacy_facts(event)
        if facts is None:
            return event.note
        (payload, note), legacy = facts, True
    else:
        payload, note, legacy = event.payload, event.note, False
    kind = event.kind
    K = InspectionEventKind
    if kind == K.PLAN_CREATED:
        return _plan_terms(payload)
    if kind == K.PLAN_UPDATED:
        if legacy:  # the plan's terms after the change, not the change
            return sentences_join(_("The plan was changed."), _plan_terms(payload))
        return changes_sentence(payload.get("changes", {}), _PLAN_CHANGES)
    if kind == K.PLAN_CLOSED:
        return _("The plan is closed: nothing more is drawn or recorded in it.")
    if kind in (K.DRAWN, K.REDRAWN):
        values = {"public": payload.get("public_value", ""), "units": payload.get("units", 0)}
        if "draw" in payload:
            sentence = _("Draw %(number)d, public value %(public)s: %(units)d units drawn.") % {
                "number": payload["draw"],
                **values,
            }
        else:  # format 1 did not record the draw's number
            sentence = _("Drawn with public value %(public)s: %(units)d units drawn.") % values
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
    if kind == K.BATCH_OPENED:
        sentence = _("Problem list “%(title)s” (%(source)s, %(year)s), raised on %(day)s.") % {
            "title": payload.get("title", ""),
            "source": payload.get("source", {}).get("name", ""),
            "year": payload.get("year", ""),
            "day": payload_date(payload.get("raised_on", "")),
        }
        if payload.get("raised_by"):
            sentence = sentences_join(sentence, _("Raised by %(body)s.") % {"body": payload["raised_by"]})
        return sentence
    if kind == K.BATCH_UPDATED:
        return changes_sentence(payload.get("changes", {}), _BATCH_CHANGES)
    if kind == K.BATCH_RECONCILED:
        carried = payload.get("carried_over", [])
        sentence = _("Reconciled: %(closed)d problems ticked off, %(carried)d carried over.") % {
            "closed": payload.get("closed", 0),
            "carried": len(carried),
        }
        if carried:
            # Translators: between the numbers of the problems carried over ("2026-清3-001、2026-清3-004").
            separator = _("、")
            sentence = sentences_join(
                sentence, _("Carried over: %(references)s.") % {"references": separator.join(carried)}
            )
        return sentence
    if kind == K.REPORT_ISSUED:
        values = {"version": payload.get("version", 1), "code": payload.get("code", "")}
        if payload.get("supersedes"):
            return _(
                "Rectification report issued and sealed as version %(version)d (verification code "
                "%(code)s), superseding version %(supersedes)d."
            ) % {**values, "supersedes": payload["supersedes"]}
        return (
            _("Rectification report issued and sealed as version %(version)d (verification code %(code)s).")
            % values
        )
    if kind == K.CARRIED_OVER:
        moved = payload.get("deadline", {})
        return sentence_with_note(
            _("Carried over past the list's reconciliation: to be rectified by %(deadline)s.")
            % {"deadline": payload_date(moved.get("to", ""))},
            _("Reason: %(note)s"),
            note,
        )
    if kind == K.FINDING_RECORDED:
        return _("Finding %(reference)s, “%(title)s”: %(owner)s to rectify it by %(deadline)s.") % {
            "reference": payload.get("reference", ""),
            "title": payload.get("title", ""),
            "owner": payload_person(payload.get("owner", "")),
            "deadline": payload_date(payload.get("deadline", "")),
        }
    if kind == K.FINDING_UPDATED:
        return changes_sentence(
            payload.get("changes", {}), _LEGACY_FINDING_CHANGES if legacy else _FINDING_CHANGES
        )
    if kind == K.MEASURE_ADDED:
        sentence = _("Measure %(number)d: “%(action)s”, %(owner)s by %(deadline)s.") % {
            "number": payload.get("measure", 0),
            "action": payload.get("action", ""),
            "owner": payload_person(payload.get("owner", "")),
            "deadline": payload_date(payload.get("deadline", "")),
        }
        if payload.get("carried_from_rectification"):
            return sentences_join(sentence, _("Carried from the rectification's terms when measures began."))
        return _with_rectification_deadline(sentence, payload)
    if kind == K.MEASURE_UPDATED:
        sentence = _("Measure %(number)d changed: %(changes)s") % {
            "number": payload.get("measure", 0),
            "changes": changes_sentence(payload.get("changes", {}), _MEASURE_CHANGES),
        }
        return _with_rectification_deadline(sentence, payload)
    if kind == K.MEASURE_REPORTED:
        return sentence_with_note(
            _("Measure %(number)d reported done.") % {"number": payload.get("measure", 0)},
            _("Report on the measure: %(note)s"),
            note,
        )
    if kind == K.RECHECK_DRAWN:
        return _(
            "Re-check %(number)d “%(title)s”, public value %(public)s: %(drawn)d of %(closed)d closed "
            "problems drawn."
        ) % {
            "number": payload.get("recheck", 0),
            "title": payload.get("title", ""),
            "public": payload.get("public_value", ""),
            "drawn": payload.get("drawn", 0),
            "closed": payload.get("closed", 0),
        }
    if kind == K.RECHECKED:
        outcome = payload.get("outcome", "")
        values = {
            "number": payload.get("recheck", 0),
            "outcome": RecheckOutcome(outcome).label if outcome in RecheckOutcome.values else outcome,
        }
        if "deadline" in payload:
            sentence = _(
                "Re-check %(number)d: %(outcome)s. Opened again, to be rectified by %(deadline)s."
            ) % {
                **values,
                "deadline": payload_date(payload["deadline"]),
            }
        else:
            sentence = _("Re-check %(number)d: %(outcome)s.") % values
        return sentence_with_note(sentence, _("Reason: %(note)s"), note)
    if kind == K.SUBMITTED:
        if "measures" in payload:
            return _("All %(count)d measures reported done: submitted for verification.") % {
                "count": len(payload["measures"])
            }
        return sentence_with_note(_("Reported as rectified."), _("Measures taken: %(note)s"), note)
    if kind == K.SENT_BACK:
        sentence = _("Sent back to the owner.")
        reopened = payload.get("measures", [])
        if reopened and reopened != [1]:  # a rectification of one measure reads as before measures
            # Translators: between the numbers of the measures sent back ("1, 3").
            separator = _(", ")
            sentence = _("Sent back to the owner: measures %(numbers)s to be done again.") % {
                "numbers": separator.join(str(number) for number in reopened)
            }
        return sentence_with_note(sentence, _("Reason: %(note)s"), note)
    if kind == K.VERIFIED:
        return sentence_with_note(_("The rectification was checked and accepted."), _("Note: %(note)s"), note)
    if kind == K.CLOSED:
        return sentence_with_note(
            _("Ticked off the ledger; nothing changes after this."), _("Note: %(note)s"), note
        )
    return note


# --- Events written before payloads (format 1) ------------------------------------------------------
#
# Their facts were machine text in the note (the services before payloads existed):
#   plan_created, plan_updated  "2026 <title>; 2026-03-01~2026-12-31; scope=3,5; team=7,8"
#   drawn, redrawn              "public=<value>; units=5[; reason=<reason>]"
#   result_recorded             "checkpoint=2; result=<outcome>; version=1"
#   evidence_added              "<file name>"
#   finding_recorded            "<reference> <title>; owner=<user id>; deadline=2026-05-01"
#   finding_updated             the fields changed: "title; severity; responsible=<user id>;
#                               owner=<user id>; requirement; deadline=2026-05-01→2026-06-01"
# Every other kind's note was, as now, a person's own words.

_LEGACY_PLAN = re.compile(
    r"(?P<year>\d+) (?P<title>.*); (?P<start>[\d-]+)~(?P<end>[\d-]+); scope=(?P<scope>[\d,]*); "
    r"team=(?P<team>[\d,]*)",
    re.DOTALL,
)
_LEGACY_DRAW = re.compile(
    r"public=(?P<public>.*?); units=(?P<units>\d+)(?:; reason=(?P<reason>.*))?", re.DOTALL
)
_LEGACY_RESULT = re.compile(
    r"checkpoint=(?P<checkpoint>\d+); result=(?P<outcome>[\w-]+); version=(?P<version>\d+)"
)
_LEGACY_FINDING = re.compile(
    r"(?P<reference>\S+) (?P<title>.*); owner=(?P<owner>\d+); deadline=(?P<deadline>[\d-]+)", re.DOTALL
)
_LEGACY_CHANGE = re.compile(r"(?P<field>\w+)(?:=(?P<value>.*))?")


def _ids(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def _legacy_person(user_id: str) -> dict:
    """A person a format-1 note names by id only, by their name now (a query; such events are few)."""
    user = get_user_model().objects.filter(pk=int(user_id)).first()
    return person_payload(user) if user is not None else {"id": user_id, "name": _("an unknown person")}


def _legacy_changes(note: str) -> dict | None:
    changes = {}
    for part in note.split("; "):
        match = _LEGACY_CHANGE.fullmatch(part)
        if match is None or match["field"] not in _LEGACY_FINDING_CHANGES:
            return None
        name, value = match["field"], match["value"]
        if name in ("responsible", "owner") and value and value.isdigit():
            changes[name] = {"from": None, "to": _legacy_person(value)}
        elif name == "deadline" and value and "→" in value:
            old, new = value.split("→", 1)
            changes[name] = {"from": old, "to": new}
        elif value is None:
            changes[name] = {"from": None, "to": None}
        else:
            return None
    return changes


def _legacy_facts(event: InspectionEvent) -> tuple[dict, str] | None:
    """A format-1 event's (payload, note) as a format-2 event carries them; None when its note does not
    read back."""
    K, note = InspectionEventKind, event.note
    if event.kind in (K.PLAN_CREATED, K.PLAN_UPDATED):
        match = _LEGACY_PLAN.fullmatch(note)
        return match and (
            {
                "year": int(match["year"]),
                "title": match["title"],
                "period_start": match["start"],
                "period_end": match["end"],
                "scope": _ids(match["scope"]),
                "team": _ids(match["team"]),
            },
            "",
        )
    if event.kind in (K.DRAWN, K.REDRAWN):
        match = _LEGACY_DRAW.fullmatch(note)
        return match and (
            {"public_value": match["public"], "units": int(match["units"])},
            match["reason"] or "",
        )
    if event.kind == K.RESULT_RECORDED:
        match = _LEGACY_RESULT.fullmatch(note)
        return match and (
            {
                "checkpoint": int(match["checkpoint"]),
                "outcome": match["outcome"],
                "version": int(match["version"]),
            },
            "",
        )
    if event.kind == K.EVIDENCE_ADDED:
        return {"file": note}, ""
    if event.kind == K.FINDING_RECORDED:
        match = _LEGACY_FINDING.fullmatch(note)
        return match and (
            {
                "reference": match["reference"],
                "title": match["title"],
                "owner": _legacy_person(match["owner"]),
                "deadline": match["deadline"],
            },
            "",
        )
    if event.kind == K.FINDING_UPDATED:
        changes = _legacy_changes(note)
        return None if changes is None else ({"changes": changes}, "")
    return {}, note


# --- Events as the services write them ---------------------------------------------------------


def inspection_event(
    *,
    plan,
    subject: str,
    batch_id: int | None = None,
    kind,
    actor,
    payload: dict | None = None,
    note: str = "",
    digest: str = "",
    from_status="",
    to_status="",
):
    """An unsaved event: its facts in `payload` (as `inspection_event_describe` reads them), a person's
    own words in `note`; `batch_id` is the problem list of the finding it is about."""
    return InspectionEvent(
        plan=plan,
        batch_id=batch_id,
        subject=subject,
        kind=kind,
        actor=actor,
        payload=payload or {},
        note=note,
        digest=digest,
        from_status=from_status,
        to_status=to_status,
    )


def evidence_added_events(
    *, plan, subject: str, files: list[EvidenceFile], actor, batch_id: int | None = None
) -> list[InspectionEvent]:
    """Unsaved `evidence_added` events, one per stored file, its SHA-256 as the event's digest."""
    return [
        inspection_event(
            plan=plan,
            batch_id=batch_id,
            subject=subject,
            kind=InspectionEventKind.EVIDENCE_ADDED,
            actor=actor,
            payload={"evidence": stored.pk, "file": stored.original_name},
            digest=stored.sha256,
        )
        for stored in files
    ]
