"""The year-end report (年度履职报告): issued as a sealed, numbered document, one version after another.

Its issue appends a `report_issued` event to the duty audit chain; issued versions are never changed.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.errors import ApplicationError
from core.locks import row_lock
from core.verification import verification_code_new
from responsibility.duties.audit import duty_event_record
from responsibility.duties.models import (
    DutyAssignment,
    DutyEventKind,
    DutyReportDocument,
    duty_report_reference,
)
from responsibility.duties.permissions import DutyAction, duty_check_permission

logger = logging.getLogger(__name__)


#
# The protocol, so that rendering and sealing (about a second) hold no row lock and no transaction:
#
# 1. read: what the report says today and its fingerprint (duties.pdf.duty_report_fingerprint), and the
#    latest version. If that version says exactly the same, it is the answer: nothing is issued (a second
#    click after the first finished, or nothing changed since).
# 2. make, outside any transaction: anchor every audit chain (accounts.anchors, as sealing a letter
#    does), render the next version as PDF/A with a new verification code, and seal it.
# 3. store, in one short transaction: lock the assignment (its report versions are numbered under that
#    lock), and store the file, the row and the `report_issued` event, unless a version was stored since
#    step 1. That one (a double click's twin) is the answer when it says the same, and our PDF is dropped;
#    when it says something else, our PDF carries a version number that is taken, and the issue is
#    refused with nothing stored.
#
# The one window: two issues that overlap both render and seal (and anchor); one PDF is stored, the other
# dropped before anything is written.


@dataclass(frozen=True)
class ReportIssueResult:
    document: DutyReportDocument  # the version in force after the call
    issued: bool  # False: the report read as that version already, so no new version was issued


def duty_report_issue(*, assignment: DutyAssignment, issued_by) -> ReportIssueResult:
    """Seal and archive the assignment's year-end report as its next version, which supersedes the earlier
    ones. A report that reads exactly as its latest version is not issued again: that version is returned."""
    duty_check_permission(user=issued_by, action=DutyAction.ISSUE_REPORT, assignment=assignment)
    # Imported here: WeasyPrint and pyHanko load only in the processes that render.
    from responsibility.duties.pdf import duty_report_fingerprint, duty_report_read

    report = duty_report_read(assignment=assignment)
    fingerprint = duty_report_fingerprint(report)
    latest = _report_latest(assignment_id=assignment.pk)
    if latest is not None and latest.content_sha256 == fingerprint:
        return ReportIssueResult(document=latest, issued=False)
    version = latest.version + 1 if latest is not None else 1
    code = verification_code_new()
    pdf, anchor, issued_at = _report_make(
        assignment=assignment, report=report, fingerprint=fingerprint, version=version, code=code
    )
    with transaction.atomic():
        row_lock(DutyAssignment, pk=assignment.pk)  # report versions are numbered under this lock
        stored = _report_latest(assignment_id=assignment.pk)
        if (stored.pk if stored else None) != (latest.pk if latest else None):
            if stored.content_sha256 == fingerprint:  # a double click's twin stored it first
                return ReportIssueResult(document=stored, issued=False)
            raise ApplicationError(
                _(
                    "Version %(version)d of this report was issued by someone else a moment ago. Nothing "
                    "was stored: look at it, and issue the report again if it is still needed."
                )
                % {"version": stored.version},
                code="report_version_taken",
            )
        document = DutyReportDocument(
            assignment_id=assignment.pk,
            version=version,
            verification_code=code,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            content_sha256=fingerprint,
            anchor=anchor,
            issued_at=issued_at,
            issued_by=issued_by,
        )
        document.file.save(f"{assignment.pk}-v{version}-{code}.pdf", ContentFile(pdf), save=False)
        document.save()
        duty_event_record(
            assignment_id=assignment.pk,
            subject=f"report:{document.pk}",
            kind=DutyEventKind.REPORT_ISSUED,
            actor=issued_by,
            payload={
                "version": version,
                "code": code,
                "sha256": document.sha256,
                "supersedes": latest.version if latest is not None else None,
                "anchor": anchor.number if anchor is not None else None,
            },
            digest=document.sha256,
        )
    logger.info(
        "Year-end report of duty assignment %s issued as version %d (%d bytes, %s)",
        assignment.pk,
        version,
        document.size,
        document.sha256,
    )
    return ReportIssueResult(document=document, issued=True)


def _report_latest(*, assignment_id: int) -> DutyReportDocument | None:
    return DutyReportDocument.objects.filter(assignment_id=assignment_id).order_by("-version").first()


def _report_make(*, assignment: DutyAssignment, report, fingerprint: str, version: int, code: str):
    """Step 2: (sealed PDF, the anchor printed in it, the issue time). A failure is logged and refused."""
    from accounts.anchors.models import AnchorReason
    from accounts.anchors.services import chains_anchor
    from core.pdf.seal import SealNotConfiguredError, pdf_seal
    from responsibility.duties.pdf import DutyReportRenderError, ReportIssue, duty_report_render_issued

    issued_at = clock.now()
    reference = duty_report_reference(year=assignment.year, assignment_id=assignment.pk)
    try:
        anchor = chains_anchor(reason=AnchorReason.SEAL, subject=f"{reference} v{version}")
        issue = ReportIssue(
            assignment_id=assignment.pk,
            year=assignment.year,
            version=version,
            verification_code=code,
            issued_at=issued_at,
            content_sha256=fingerprint,
            anchor=anchor,
        )
        pdf = pdf_seal(pdf=duty_report_render_issued(report=report, issue=issue))
    except (DutyReportRenderError, SealNotConfiguredError, OSError) as error:
        logger.exception(
            "The year-end report of duty assignment %s could not be made or sealed", assignment.pk
        )
        raise ApplicationError(
            _("The report could not be made or sealed, so nothing was issued. Please try again later."),
            code="report_not_made",
        ) from error
    return pdf, anchor, issued_at
