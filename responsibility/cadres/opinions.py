"""Every change to a 廉政意见回复: the inspection team registers a request (which cadre, for what, from whom),
and the system checks every source at once; the team writes the conclusion (checking the sources again if
need be) and issues the reply sealed (廉复〔2026〕N号), after which it never changes.

Each appends its `CadreEvent` to the 述责述廉 chain, about "opinion:<id>"; the digest of the registering and
of every saving is the SHA-256 of the findings and the conclusion as saved (`opinion_digest`), that of the
issue the sealed PDF's.
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core import clock
from core.audit import event_digest, person_payload
from core.errors import ApplicationError
from core.locks import row_lock
from core.sealed_reports import ReportIssueResult, report_issue_facts, report_version_issue
from core.versions import stale_check
from responsibility.cadres.audit import cadre_event_record
from responsibility.cadres.file_contents import file_findings, integrity_file_read
from responsibility.cadres.files import integrity_file_check
from responsibility.cadres.models import (
    CadreEventKind,
    IntegrityOpinion,
    IntegrityOpinionDocument,
    OpinionStatus,
)
from responsibility.cadres.permissions import FileAction, file_check_permission

logger = logging.getLogger(__name__)

MAX_PURPOSE_LENGTH = 200
MAX_BODY_LENGTH = 100
MAX_REFERENCE_LENGTH = 50
MAX_CONCLUSION_LENGTH = 2000


def opinion_digest(opinion: IntegrityOpinion) -> str:
    """SHA-256 of what the reply says: the findings, when they were checked, and the conclusion."""
    return event_digest(
        {
            "findings": opinion.findings,
            "checked_at": opinion.checked_at.isoformat(),
            "conclusion": opinion.conclusion,
        }
    )


def opinion_conclusion_suggested(*, cadre, findings: list[dict]) -> str:
    """The usual wording when no source showed anything to weigh; otherwise the team writes it."""
    if any(finding["attention"] for finding in findings):
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Having checked the integrity file and the records above, no breach of the rules on Party "
            "conduct and integrity by comrade %(name)s was found."
        ) % {"name": cadre.get_full_name()}


def _saved_payload(opinion: IntegrityOpinion) -> dict:
    return {
        "cadre": person_payload(opinion.cadre),
        "sources": len(opinion.findings),
        "attention": sum(1 for finding in opinion.findings if finding["attention"]),
    }


@transaction.atomic
def opinion_register(
    *,
    cadre,
    registered_by,
    purpose: str,
    requested_by: str,
    request_reference: str = "",
    received_on: datetime.date,
) -> IntegrityOpinion:
    """Register a request for a cadre's integrity opinion; every source is checked at once."""
    file_check_permission(user=registered_by, action=FileAction.MANAGE_OPINIONS)
    integrity_file_check(cadre)
    purpose, requested_by = (purpose or "").strip(), (requested_by or "").strip()
    request_reference = (request_reference or "").strip()
    if not purpose:
        raise ApplicationError(_("Say what the opinion is asked for."), code="purpose")
    if not requested_by:
        raise ApplicationError(_("Say who asked for the opinion."), code="requested_by")
    if (
        len(purpose) > MAX_PURPOSE_LENGTH
        or len(requested_by) > MAX_BODY_LENGTH
        or len(request_reference) > MAX_REFERENCE_LENGTH
    ):
        raise ApplicationError(
            _(
                "What it is for may be at most %(purpose)d characters, who asked %(body)d, their number "
                "%(ref)d."
            )
            % {"purpose": MAX_PURPOSE_LENGTH, "body": MAX_BODY_LENGTH, "ref": MAX_REFERENCE_LENGTH},
            code="purpose",
        )
    if received_on > clock.today():
        raise ApplicationError(_("The request cannot be received in the future."), code="received_on")
    findings = file_findings(integrity_file_read(cadre))
    opinion = IntegrityOpinion.objects.create(
        cadre=cadre,
        purpose=purpose,
        requested_by=requested_by,
        request_reference=request_reference,
        received_on=received_on,
        findings=findings,
        checked_at=clock.now(),
        conclusion=opinion_conclusion_suggested(cadre=cadre, findings=findings),
        registered_by=registered_by,
    )
    opinion.refresh_from_db()  # the times as the database keeps them, for the digest
    cadre_event_record(
        subject=f"opinion:{opinion.pk}",
        kind=CadreEventKind.OPINION_REGISTERED,
        actor=registered_by,
        to_status=OpinionStatus.DRAFT,
        payload={
            "cadre": person_payload(cadre),
            "purpose": purpose,
            "requested_by": requested_by,
            "reference": request_reference,
            "received_on": received_on.isoformat(),
            **_saved_payload(opinion),
        },
        digest=opinion_digest(opinion),
    )
    return opinion


@transaction.atomic
def opinion_save(
    *, opinion: IntegrityOpinion, saved_by, conclusion: str, recheck: bool, expected_version: int | None
) -> IntegrityOpinion:
    """Save the reply's conclusion; with `recheck`, check every source again first."""
    file_check_permission(user=saved_by, action=FileAction.MANAGE_OPINIONS)
    locked = row_lock(IntegrityOpinion.objects.select_related("cadre"), pk=opinion.pk)
    stale_check(record=locked, expected_version=expected_version, what=_("reply"))
    if locked.status != OpinionStatus.DRAFT:
        raise ApplicationError(_("The reply was issued: it no longer changes."), code="status")
    conclusion = (conclusion or "").strip()
    if len(conclusion) > MAX_CONCLUSION_LENGTH:
        raise ApplicationError(
            _("The conclusion may be at most %(max)d characters.") % {"max": MAX_CONCLUSION_LENGTH},
            code="conclusion",
        )
    if recheck:
        locked.findings = file_findings(integrity_file_read(locked.cadre))
        locked.checked_at = clock.now()
    locked.conclusion = conclusion
    locked.version += 1
    locked.save()
    locked.refresh_from_db()
    cadre_event_record(
        subject=f"opinion:{locked.pk}",
        kind=CadreEventKind.OPINION_SAVED,
        actor=saved_by,
        payload=_saved_payload(locked),
        digest=opinion_digest(locked),
    )
    return locked


def opinion_issue(*, opinion: IntegrityOpinion, issued_by) -> ReportIssueResult:
    """Seal the reply as it stands and mark it issued. Issuing an issued reply again returns its version."""
    file_check_permission(user=issued_by, action=FileAction.MANAGE_OPINIONS)
    opinion = IntegrityOpinion.objects.select_related("cadre").get(pk=opinion.pk)
    if opinion.status == OpinionStatus.ISSUED:
        return ReportIssueResult(document=opinion.documents.order_by("-version").first(), issued=False)
    if not opinion.conclusion.strip():
        raise ApplicationError(_("Write the conclusion before issuing the reply."), code="conclusion")
    # Imported here: WeasyPrint and pyHanko load only in the processes that render.
    from responsibility.cadres.opinion_pdf import (
        opinion_fingerprint,
        opinion_read,
        opinion_render_issued,
    )
    from responsibility.letters.issued_reports import issued_report_make

    pdf = opinion_read(opinion=opinion)
    fingerprint = opinion_fingerprint(pdf)

    def record_event(document: IntegrityOpinionDocument, superseded: IntegrityOpinionDocument | None) -> None:
        locked = IntegrityOpinion.objects.get(pk=opinion.pk)  # locked by lock_owner
        if locked.version != opinion.version:
            raise ApplicationError(
                _("The reply was changed while it was being sealed. Nothing was issued: look at it again."),
                code="stale",
            )
        locked.status = OpinionStatus.ISSUED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        cadre_event_record(
            subject=f"opinion:{opinion.pk}",
            kind=CadreEventKind.OPINION_ISSUED,
            actor=issued_by,
            from_status=OpinionStatus.DRAFT,
            to_status=OpinionStatus.ISSUED,
            payload=report_issue_facts(document, superseded),
            digest=document.sha256,
        )

    result = report_version_issue(
        versions=IntegrityOpinionDocument.objects.filter(opinion_id=opinion.pk),
        owner={"opinion_id": opinion.pk},
        lock_owner=lambda: row_lock(IntegrityOpinion, pk=opinion.pk),
        fingerprint=fingerprint,
        issued_by=issued_by,
        make=partial(
            issued_report_make,
            reference=opinion.reference,
            fingerprint=fingerprint,
            render=lambda issue: opinion_render_issued(pdf=pdf, issue=issue),
        ),
        file_name=lambda version, code: f"{opinion.pk}-v{version}-{code}.pdf",
        record_event=record_event,
    )
    if result.issued:
        logger.info(
            "Integrity opinion %s sealed as version %d (%d bytes, %s)",
            opinion.pk,
            result.document.version,
            result.document.size,
            result.document.sha256,
        )
    return result
