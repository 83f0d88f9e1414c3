"""述责述廉's records held to their chain: each report's text to the SHA-256 its latest saving or submitting
event holds, each closed rating's result to the SHA-256 its closing event holds, each document of a
廉政档案 to the SHA-256 its adding event holds, each 廉政意见回复 to the SHA-256 of its latest registering
or saving event (a text, a count or a finding changed in the database shows here), and each sealed report
or reply's stored PDF to its SHA-256 and its issue event (a file replaced in or removed from storage shows
here)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.integrity import IntegrityCheck, IntegrityProblem, integrity_check_register, sealed_pdf_problem
from responsibility.cadres.files import file_document_digest
from responsibility.cadres.models import (
    CadreEvent,
    CadreEventKind,
    FileDocument,
    IntegrityOpinion,
    IntegrityOpinionDocument,
    IntegrityReport,
    IntegrityReportDocument,
    RatingStatus,
)
from responsibility.cadres.opinions import opinion_digest
from responsibility.cadres.services import rating_result_digest, report_text_digest

BATCH_SIZE = 500
_TEXT_EVENTS = (CadreEventKind.REPORT_SAVED, CadreEventKind.REPORT_SUBMITTED)


def _latest_digests(kinds) -> dict[str, str]:
    found = {}
    events = CadreEvent.objects.filter(kind__in=kinds).order_by("sequence").values_list("subject", "digest")
    for subject, digest in events.iterator(chunk_size=BATCH_SIZE):
        found[subject] = digest
    return found


def _cadre_records_check():
    texts = _latest_digests(_TEXT_EVENTS)
    results = _latest_digests([CadreEventKind.RATING_CLOSED])
    reports = IntegrityReport.objects.select_related("leader", "round", "rating_result").order_by("pk")
    for report in reports.iterator(chunk_size=BATCH_SIZE):
        subject = _("%(title)s: the report of %(leader)s") % {
            "title": report.round.title,
            "leader": report.leader.get_full_name(),
        }
        key = f"report:{report.pk}"
        if key in texts and texts[key] != report_text_digest(report):
            yield IntegrityProblem(subject, _("Its text differs from the one the audit chain holds."))
        if report.rating_status == RatingStatus.CLOSED:
            digest = results.get(key)
            if digest is None or digest != rating_result_digest(report.rating_result):
                yield IntegrityProblem(
                    subject, _("Its rating result differs from the one the audit chain holds.")
                )


integrity_check_register(
    IntegrityCheck(
        "integrity_reports", gettext_lazy("responsibility and integrity reports"), _cadre_records_check
    )
)


def _sealed_check(model, kind: str, related: tuple[str, ...]):
    issued = set(CadreEvent.objects.filter(kind=kind).values_list("digest", flat=True))
    for document in model.objects.select_related(*related).order_by("pk").iterator(chunk_size=BATCH_SIZE):
        if document.sha256 not in issued:
            reason = _("The audit chain holds no event of its issue.")
        else:
            reason = sealed_pdf_problem(document.file, document.sha256)
        if reason:
            subject = _("Sealed report %(reference)s, version %(version)d") % {
                "reference": document.reference,
                "version": document.version,
            }
            yield IntegrityProblem(subject, reason)


integrity_check_register(
    IntegrityCheck(
        "integrity_report_documents",
        gettext_lazy("sealed responsibility and integrity reports"),
        lambda: _sealed_check(
            IntegrityReportDocument, CadreEventKind.DOCUMENT_ISSUED, ("report__round", "report__leader")
        ),
    )
)


def _file_documents_check():
    added = {
        event.payload.get("document"): event.digest
        for event in CadreEvent.objects.filter(kind=CadreEventKind.FILE_DOCUMENT_ADDED).iterator(
            chunk_size=BATCH_SIZE
        )
    }
    documents = FileDocument.objects.select_related("cadre").prefetch_related("evidence").order_by("pk")
    for document in documents.iterator(chunk_size=BATCH_SIZE):
        files = [{"sha256": evidence.sha256} for evidence in document.evidence.all()]
        if added.get(document.pk) != file_document_digest(document, files):
            subject = _("%(title)s in the integrity file of %(cadre)s") % {
                "title": document.title,
                "cadre": document.cadre.get_full_name(),
            }
            yield IntegrityProblem(subject, _("It differs from the one the audit chain holds."))


integrity_check_register(
    IntegrityCheck(
        "integrity_file_documents", gettext_lazy("integrity file documents"), _file_documents_check
    )
)


def _opinions_check():
    saved = _latest_digests((CadreEventKind.OPINION_REGISTERED, CadreEventKind.OPINION_SAVED))
    for opinion in (
        IntegrityOpinion.objects.select_related("cadre").order_by("pk").iterator(chunk_size=BATCH_SIZE)
    ):
        if saved.get(f"opinion:{opinion.pk}") != opinion_digest(opinion):
            subject = _("The integrity opinion on %(cadre)s (%(purpose)s)") % {
                "cadre": opinion.cadre.get_full_name(),
                "purpose": opinion.purpose,
            }
            yield IntegrityProblem(subject, _("It differs from the one the audit chain holds."))


integrity_check_register(
    IntegrityCheck("integrity_opinions", gettext_lazy("integrity opinions"), _opinions_check)
)
integrity_check_register(
    IntegrityCheck(
        "integrity_opinion_documents",
        gettext_lazy("sealed integrity opinions"),
        lambda: _sealed_check(IntegrityOpinionDocument, CadreEventKind.OPINION_ISSUED, ("opinion__cadre",)),
    )
)
