"""The sealed year-end report (年度履职报告) as a kind of sealed document the public verification knows.

core.verification asks every registered kind about a file's SHA-256 or a printed verification code;
this kind answers from `DutyReportDocument` (and hands over a stored file, for recognising a copy saved
again by another program). Where it stands: the latest version of an assignment's report is in force,
every earlier one is superseded by it (named by its code and 「第N版」, and dated by the issue of the
version after it). Its place in the audit chain is its `report_issued` duty event, with the chain anchor
printed in it when it was sealed. A report's row is never deleted (migration 0015), so this kind never
answers "record missing".
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.verification import ChainPlace, SealedRecord, Standing, sealed_kind_register
from responsibility.duties.audit import DUTY_CHAIN, duty_event_describe
from responsibility.duties.models import DutyEvent, DutyEventKind, DutyReportDocument, duty_report_title

KIND_LABEL = gettext_lazy("Year-end duty report")


class DutyReportKind:
    name = "duty_report"

    def record_by_sha256(self, sha256: str) -> SealedRecord | None:
        document = _documents().filter(sha256=sha256).first()
        return duty_report_sealed_record(document) if document is not None else None

    def record_by_code(self, code: str) -> SealedRecord | None:
        document = _documents().filter(verification_code=code).first()
        return duty_report_sealed_record(document) if document is not None else None

    def archived_pdf(self, sha256: str) -> bytes | None:
        """The stored sealed file with this SHA-256 (to recognise a copy saved again by another program)."""
        document = DutyReportDocument.objects.filter(sha256=sha256).first()
        if document is None:
            return None
        try:
            with document.file.open("rb") as stored:
                return stored.read()
        except OSError:
            return None


def _documents():
    return DutyReportDocument.objects.select_related(
        "assignment__post__unit", "assignment__leader", "issued_by", "anchor"
    )


def duty_report_sealed_record(document: DutyReportDocument) -> SealedRecord:
    """The issued report as the verification page shows it, in the user's language."""
    assignment = document.assignment
    later = list(
        DutyReportDocument.objects.filter(assignment_id=assignment.pk, version__gt=document.version)
        .select_related("issued_by")
        .order_by("version")
    )
    standing, standing_at, standing_by, successor_code, successor_label = Standing.IN_FORCE, None, "", "", ""
    if later:
        next_version, in_force = later[0], later[-1]
        standing = Standing.SUPERSEDED
        standing_at, standing_by = next_version.issued_at, next_version.issued_by.get_full_name()
        successor_code, successor_label = in_force.verification_code, _version_label(in_force.version)
    post = assignment.post
    rows = (
        (_("Leader"), assignment.leader.get_full_name()),
        (_("Post"), post.full_title),
        (_("Year"), str(assignment.year)),
        (_("Version"), _version_label(document.version)),
        (_("Report issued by"), document.issued_by.get_full_name()),
        (_("Report issued at"), timezone.localtime(document.issued_at).strftime("%Y-%m-%d %H:%M")),
        (_("Content SHA-256"), document.content_sha256),  # printed in the report's verification block
    )
    return SealedRecord(
        kind_label=str(KIND_LABEL),
        title=duty_report_title(assignment.year),
        reference=document.reference,
        verification_code=document.verification_code,
        sha256=document.sha256,
        sealed_at=document.issued_at,
        standing=standing,
        standing_at=standing_at,
        standing_by=standing_by,
        successor_code=successor_code,
        successor_label=successor_label,
        rows=rows,
        chain=_chain_place(document),
    )


def _version_label(version: int) -> str:
    return _("Version %(version)d") % {"version": version}


def _chain_place(document: DutyReportDocument) -> ChainPlace | None:
    event = DutyEvent.objects.filter(
        kind=DutyEventKind.REPORT_ISSUED,
        subject=f"report:{document.pk}",
        assignment_id=document.assignment_id,
    ).first()
    if event is None:
        return None
    anchor = document.anchor
    return ChainPlace(
        chain_label=str(DUTY_CHAIN.label),
        sequence=event.sequence,
        event_hash=event.hash,
        event_label=duty_event_describe(event),
        anchor_number=anchor.number if anchor is not None else None,
        anchor_digest=anchor.digest if anchor is not None else "",
    )


sealed_kind_register(DutyReportKind())
