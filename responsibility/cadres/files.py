"""Every change to a cadre's 廉政档案: the inspection team adds a document; someone asks for access (调阅);
an inspector who need not step aside (回避) approves or refuses it; and every opening of a file is logged.

Each appends its `CadreEvent` to the 述责述廉 chain in the same transaction, about "file:<cadre id>" (a
document, an opening) or "access:<request id>" (a request and its decision).
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock
from core.audit import event_digest, person_payload
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import stale_check
from responsibility.cadres.audit import cadre_event_record
from responsibility.cadres.models import (
    AccessStatus,
    CadreEventKind,
    FileAccessRequest,
    FileDocument,
    FileDocumentKind,
)
from responsibility.cadres.permissions import FileAction, file_check_permission
from responsibility.cadres.posts_held import has_integrity_file
from responsibility.cadres.selectors import FileReading
from responsibility.evidence.rules import evidence_check_all
from responsibility.evidence.services import evidence_store

MAX_TITLE_LENGTH = 200
MAX_SUMMARY_LENGTH = 2000
MAX_REASON_LENGTH = 1000
MAX_NOTE_LENGTH = 500
MAX_ACCESS_DAYS = 30  # an access request opens the file for at most this many days


def integrity_file_check(cadre) -> None:
    """Refuse a step about someone who has no 廉政档案 (`has_integrity_file`)."""
    if not has_integrity_file(cadre):
        raise ApplicationError(
            _("This person holds no post on record: there is no integrity file."), code="cadre"
        )


@transaction.atomic
def file_document_add(
    *,
    cadre,
    added_by,
    kind: str,
    title: str,
    dated: datetime.date,
    summary: str = "",
    uploads: list,
) -> FileDocument:
    """The inspection team adds a document to the cadre's file, with its files (checked as evidence)."""
    file_check_permission(user=added_by, action=FileAction.ADD_DOCUMENT)
    integrity_file_check(cadre)
    if kind not in FileDocumentKind.values:
        raise ApplicationError(_("Choose the kind of document."), code="kind")
    title, summary = (title or "").strip(), (summary or "").strip()
    if not title:
        raise ApplicationError(_("Give the document a title."), code="title")
    if len(title) > MAX_TITLE_LENGTH or len(summary) > MAX_SUMMARY_LENGTH:
        raise ApplicationError(
            _("The title may be at most %(title)d characters and the summary %(summary)d.")
            % {"title": MAX_TITLE_LENGTH, "summary": MAX_SUMMARY_LENGTH},
            code="title",
        )
    if dated > clock.today():
        raise ApplicationError(_("The document's date cannot be in the future."), code="dated")
    if not uploads:
        raise ApplicationError(_("Attach the document's file."), code="files")
    files = evidence_check_all(uploads)
    document = FileDocument.objects.create(
        cadre=cadre, kind=kind, title=title, dated=dated, summary=summary, added_by=added_by
    )
    stored = evidence_store(files=files, uploaded_by=added_by, file_document=document)
    stored_files = [{"name": evidence.original_name, "sha256": evidence.sha256} for evidence in stored]
    cadre_event_record(
        subject=f"file:{cadre.pk}",
        kind=CadreEventKind.FILE_DOCUMENT_ADDED,
        actor=added_by,
        payload={
            "cadre": person_payload(cadre),
            "document": document.pk,
            "kind": kind,
            "title": title,
            "dated": dated.isoformat(),
            "files": stored_files,
        },
        digest=file_document_digest(document, stored_files),
    )
    return document


def file_document_digest(document: FileDocument, files: list[dict]) -> str:
    """SHA-256 of what a document says and of its files' SHA-256, canonical JSON."""
    return event_digest(
        {
            "kind": document.kind,
            "title": document.title,
            "dated": document.dated.isoformat(),
            "summary": document.summary,
            "files": sorted(item["sha256"] for item in files),
        }
    )


@transaction.atomic
def file_access_request(
    *, cadre, requester, reason: str, valid_from: datetime.date, valid_until: datetime.date
) -> FileAccessRequest:
    """Ask for access to a cadre's file (调阅) for a reason, from one day to another (at most 30 days)."""
    file_check_permission(user=requester, action=FileAction.REQUEST_ACCESS, cadre=cadre)
    integrity_file_check(cadre)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason you need to read this file."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(
            _("The reason may be at most %(max)d characters.") % {"max": MAX_REASON_LENGTH}, code="reason"
        )
    if valid_from < clock.today():
        raise ApplicationError(_("Access cannot start in the past."), code="valid_from")
    if valid_until < valid_from or (valid_until - valid_from).days >= MAX_ACCESS_DAYS:
        raise ApplicationError(
            _("Access ends on or after its first day, and lasts at most %(days)d days.")
            % {"days": MAX_ACCESS_DAYS},
            code="valid_until",
        )
    try:
        with transaction.atomic():
            access = FileAccessRequest.objects.create(
                cadre=cadre,
                requester=requester,
                reason=reason,
                valid_from=valid_from,
                valid_until=valid_until,
            )
    except IntegrityError:
        raise ApplicationError(
            _("You already asked for access to this file: wait for the decision."), code="pending"
        ) from None
    cadre_event_record(
        subject=f"access:{access.pk}",
        kind=CadreEventKind.ACCESS_REQUESTED,
        actor=requester,
        to_status=AccessStatus.PENDING,
        note=reason,
        payload={
            "cadre": person_payload(cadre),
            "from": valid_from.isoformat(),
            "until": valid_until.isoformat(),
        },
    )
    return access


@transaction.atomic
def file_access_decide(
    *,
    access_request: FileAccessRequest,
    decided_by,
    approve: bool,
    note: str = "",
    expected_version: int | None,
) -> FileAccessRequest:
    """An inspector approves or refuses a request (a refusal says why). Never its own requester, never an
    inspector who must step aside (回避)."""
    locked = row_lock(FileAccessRequest.objects.select_related("cadre", "requester"), pk=access_request.pk)
    file_check_permission(user=decided_by, action=FileAction.DECIDE_ACCESS, access_request=locked)
    stale_check(record=locked, expected_version=expected_version, what=_("request"))
    if locked.status != AccessStatus.PENDING:
        raise ApplicationError(
            _("This request was already decided: %(status)s.") % {"status": locked.get_status_display()},
            code="status",
        )
    note = (note or "").strip()
    if not approve and not note:
        raise ApplicationError(_("Give the reason the request is refused."), code="note")
    if len(note) > MAX_NOTE_LENGTH:
        raise ApplicationError(
            _("The note may be at most %(max)d characters.") % {"max": MAX_NOTE_LENGTH}, code="note"
        )
    if approve and locked.valid_until < clock.today():
        raise ApplicationError(
            _("The period asked for ended on %(date)s: it can only be refused.")
            % {"date": locked.valid_until.isoformat()},
            code="valid_until",
        )
    previous = locked.status
    locked.status = AccessStatus.APPROVED if approve else AccessStatus.REFUSED
    locked.decided_by = decided_by
    locked.decided_at = clock.now()
    locked.decision_note = note
    locked.version += 1
    locked.save()
    cadre_event_record(
        subject=f"access:{locked.pk}",
        kind=CadreEventKind.ACCESS_APPROVED if approve else CadreEventKind.ACCESS_REFUSED,
        actor=decided_by,
        from_status=previous,
        to_status=locked.status,
        note=note,
        payload={"cadre": person_payload(locked.cadre), "requester": person_payload(locked.requester)},
    )
    return locked


@transaction.atomic
def file_opening_record(
    *, cadre, opened_by, reading: FileReading, document: FileDocument | None = None
) -> None:
    """Log that someone opened the cadre's file (or downloaded one of its documents), and on what ground."""
    cadre_event_record(
        subject=f"file:{cadre.pk}",
        kind=CadreEventKind.FILE_OPENED,
        actor=opened_by,
        payload={
            "cadre": person_payload(cadre),
            "basis": reading.basis.value,
            "request": reading.access_request.pk if reading.access_request else None,
            "document": {"id": document.pk, "title": document.title} if document is not None else None,
        },
    )
