"""述责述廉's audit chain: what each `CadreEvent` hashes, and how it reads.

Its events record every step of the year's reports and their 民主测评. A person is ``{"id", "name"}`` (the
name as it was):

- round_opened (about "round:<id>"): ``{"year", "title", "deadline", "items": [rating item names],
  "min_ballots", "reports": how many reports were opened}``;
- report_saved (about "report:<id>"): ``{"round": id, "leader": person}``; its digest is the SHA-256 of
  the report's text as saved (`IntegrityReport` text fields, canonical JSON);
- report_submitted: the same, draft or returned → submitted;
- report_returned, report_accepted: ``{"round", "leader"}`` (submitted → returned or accepted; a return's
  reason is the note);
- rating_opened (about "report:<id>"): ``{"raters": how many, "closes_on"}``;
- ballot_cast (about "report:<id>"): ``{}``: that the actor cast their ballot, never what it said;
- rating_closed (about "report:<id>"): ``{"ballots": how many were cast, "raters": how many were
  named}``; its digest is the SHA-256 of the result (the tallies and the sorted comments);
- document_issued (about "report:<id>", its IntegrityReportDocument): ``{"version", "code": the verification
  code printed on it, "supersedes": the version it replaces or null, "anchor": the number of the chain
  anchor printed in it or null}``; its digest is the sealed PDF's SHA-256.

The 廉政档案:
- file_document_added (about "file:<cadre id>"): ``{"cadre": person, "document": id, "kind", "title",
  "dated", "files": [{"name", "sha256"}]}``; its digest covers what the document says and its files'
  SHA-256 (`files.file_document_digest`);
- file_opened (about "file:<cadre id>"): ``{"cadre": person, "basis": "own" | "team" | "access",
  "request": the access request's id or null, "document": {"id", "title"} of a downloaded document or
  null}``;
- access_requested (about "access:<id>"): ``{"cadre": person, "from", "until"}``, the reason as the note;
- access_approved, access_refused: ``{"cadre", "requester"}`` (persons), pending → approved or refused,
  the decision's note as the note.

The 廉政意见回复:
- opinion_registered (about "opinion:<id>"): ``{"cadre": person, "purpose", "requested_by", "reference",
  "received_on"}``;
- opinion_saved: ``{"cadre": person, "sources": how many sources were checked, "attention": how many
  showed something to weigh}``; its digest is the SHA-256 of the findings and the conclusion as saved;
- opinion_issued: as document_issued, about "opinion:<id>" (the IntegrityOpinionDocument).
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
    payload_person,
    sentence_with_note,
    sentences_join,
)
from responsibility.cadres.models import CadreAuditHead, CadreEvent, CadreEventKind


def _cadre_event_fields(event: CadreEvent) -> dict:
    return {
        "sequence": event.sequence,
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


CADRE_CHAIN = audit_chain_register(
    AuditChain(
        "cadres",
        CadreEvent,
        CadreAuditHead,
        _cadre_event_fields,
        label=gettext_lazy("The responsibility and integrity report audit chain"),
    )
)


def cadre_events_append(*, events: list[CadreEvent]) -> list[CadreEvent]:
    """Chain and store new events. Must run inside the transaction that made the change."""
    return chain_append(CADRE_CHAIN, events)


def cadre_event_record(**fields) -> CadreEvent:
    """Chain and store one new event made of `fields` (CadreEvent's)."""
    [event] = cadre_events_append(events=[CadreEvent(**fields)])
    return event


def cadre_chain_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    return chain_verify(CADRE_CHAIN, batch_size=batch_size)


def cadre_event_describe(event: CadreEvent) -> str:
    """The event as a sentence in the active language: names and days, never ids."""
    payload, kind, note = event.payload, event.kind, event.note
    K = CadreEventKind
    if kind == K.ROUND_OPENED:
        return _("%(title)s opened: %(reports)d reports, due by %(date)s.") % {
            "title": payload.get("title", ""),
            "reports": payload.get("reports", 0),
            "date": payload_date(payload.get("deadline", "")),
        }
    if kind == K.REPORT_SAVED:
        return _("The report was saved.")
    if kind == K.REPORT_SUBMITTED:
        return _("%(leader)s submitted the report.") % {"leader": payload_person(payload.get("leader", ""))}
    if kind == K.REPORT_RETURNED:
        return sentence_with_note(_("The report was returned to its author."), _("Reason: %(note)s"), note)
    if kind == K.REPORT_ACCEPTED:
        return _("The report was accepted.")
    if kind == K.RATING_OPENED:
        return _("民主测评 opened for %(raters)d raters, until %(date)s.") % {
            "raters": payload.get("raters", 0),
            "date": payload_date(payload.get("closes_on", "")),
        }
    if kind == K.BALLOT_CAST:
        return _("A rater cast their ballot.")
    if kind == K.DOCUMENT_ISSUED:
        sentence = _("Sealed report version %(version)d issued (verification code %(code)s).") % {
            "version": payload.get("version", 0),
            "code": payload.get("code", ""),
        }
        if payload.get("supersedes"):
            sentence = sentences_join(
                sentence, _("It supersedes version %(version)d.") % {"version": payload["supersedes"]}
            )
        return sentence
    if kind == K.FILE_DOCUMENT_ADDED:
        return _("%(title)s was added to the integrity file of %(cadre)s.") % {
            "title": payload.get("title", ""),
            "cadre": payload_person(payload.get("cadre", "")),
        }
    if kind == K.FILE_OPENED:
        document = payload.get("document")
        if document:
            return _("Downloaded %(title)s from the integrity file of %(cadre)s.") % {
                "title": document.get("title", ""),
                "cadre": payload_person(payload.get("cadre", "")),
            }
        return _("Opened the integrity file of %(cadre)s.") % {
            "cadre": payload_person(payload.get("cadre", ""))
        }
    if kind == K.ACCESS_REQUESTED:
        sentence = _("Asked to read the integrity file of %(cadre)s from %(start)s to %(end)s.") % {
            "cadre": payload_person(payload.get("cadre", "")),
            "start": payload_date(payload.get("from", "")),
            "end": payload_date(payload.get("until", "")),
        }
        return sentence_with_note(sentence, _("Reason: %(note)s"), note)
    if kind == K.ACCESS_APPROVED:
        return sentence_with_note(_("The request was approved."), _("Note: %(note)s"), note)
    if kind == K.ACCESS_REFUSED:
        return sentence_with_note(_("The request was refused."), _("Reason: %(note)s"), note)
    if kind == K.OPINION_REGISTERED:
        return _("%(body)s asked for the integrity opinion on %(cadre)s (%(purpose)s).") % {
            "body": payload.get("requested_by", ""),
            "cadre": payload_person(payload.get("cadre", "")),
            "purpose": payload.get("purpose", ""),
        }
    if kind == K.OPINION_SAVED:
        return _(
            "The reply was drafted: %(sources)d sources checked, %(attention)d with something to weigh."
        ) % {
            "sources": payload.get("sources", 0),
            "attention": payload.get("attention", 0),
        }
    if kind == K.OPINION_ISSUED:
        return _("Sealed reply version %(version)d issued (verification code %(code)s).") % {
            "version": payload.get("version", 0),
            "code": payload.get("code", ""),
        }
    if kind == K.RATING_CLOSED:
        return _("民主测评 closed: %(ballots)d of %(raters)d ballots cast.") % {
            "ballots": payload.get("ballots", 0),
            "raters": payload.get("raters", 0),
        }
    return note
