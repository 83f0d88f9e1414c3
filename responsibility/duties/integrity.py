"""一岗双责's records held to the duty audit chain: each sealed year-end report's stored PDF to the SHA-256
taken when it was issued, and that SHA-256 to the `report_issued` event that recorded it (PostgreSQL refuses
to change either row; a file replaced in or removed from storage shows here); and each integrity talk's
record to the SHA-256 its latest recording or answering event holds (a record changed outside the services
shows here)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.integrity import IntegrityCheck, IntegrityProblem, integrity_check_register, sealed_pdf_problem
from responsibility.duties.models import DutyEvent, DutyEventKind, DutyReportDocument, Talk

BATCH_SIZE = 500


def duty_report_file_problem(document: DutyReportDocument, *, recorded: str | None) -> str:
    """Why the issued report no longer matches its record ("" when it does); `recorded` is the SHA-256
    its issuing event holds (None when the chain has no such event)."""
    if recorded is None:
        return _("The audit chain holds no event of its issue.")
    if recorded != document.sha256:
        return _("Its SHA-256 differs from the one the audit chain recorded when it was issued.")
    return sealed_pdf_problem(document.file, document.sha256)


def _duty_reports_check():
    recorded = dict(
        DutyEvent.objects.filter(kind=DutyEventKind.REPORT_ISSUED).values_list("subject", "digest")
    )
    documents = DutyReportDocument.objects.select_related("assignment").order_by("pk")
    for document in documents.iterator(chunk_size=BATCH_SIZE):
        reason = duty_report_file_problem(document, recorded=recorded.get(f"report:{document.pk}"))
        if reason:
            subject = _("Year-end report %(reference)s, version %(version)d") % {
                "reference": document.reference,
                "version": document.version,
            }
            yield IntegrityProblem(subject, reason)


integrity_check_register(
    IntegrityCheck("duty_reports", gettext_lazy("sealed year-end reports in storage"), _duty_reports_check)
)


# The events whose digest is the SHA-256 of a talk's record as it then stood.
_TALK_RECORD_EVENTS = (DutyEventKind.TALK_RECORDED, DutyEventKind.TALK_CONFIRMED, DutyEventKind.TALK_DISPUTED)


def _talk_records_check():
    recorded = {}
    events = DutyEvent.objects.filter(kind__in=_TALK_RECORD_EVENTS).order_by("sequence")
    for subject, digest in events.values_list("subject", "digest").iterator(chunk_size=BATCH_SIZE):
        recorded[subject] = digest  # the latest one counts
    talks = Talk.objects.filter(recorded_at__isnull=False).select_related("kind", "talker", "talked_to")
    for talk in talks.order_by("pk").iterator(chunk_size=BATCH_SIZE):
        digest = recorded.get(f"talk:{talk.pk}")
        if digest is None:
            reason = _("The audit chain holds no event of its record.")
        elif digest != talk.record_digest():
            reason = _("Its record differs from the one the audit chain holds.")
        else:
            continue
        subject = _("%(kind)s of %(talker)s with %(talked_to)s, held on %(date)s") % {
            "kind": talk.kind.name,
            "talker": talk.talker.get_full_name(),
            "talked_to": talk.talked_to.get_full_name(),
            "date": talk.held_on.isoformat(),
        }
        yield IntegrityProblem(subject, reason)


integrity_check_register(
    IntegrityCheck("talk_records", gettext_lazy("integrity talk records"), _talk_records_check)
)
