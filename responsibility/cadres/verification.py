"""The sealed 述责述廉 and the sealed 廉政意见回复 as kinds of sealed document the public verification knows:
found by the file's SHA-256 or its printed code, where each version stands, and its issue event in the
述责述廉 chain (whose digest is the sealed file's SHA-256)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.sealed_reports import SealedReportKind
from core.verification import sealed_kind_register
from responsibility.cadres.audit import CADRE_CHAIN, cadre_event_describe
from responsibility.cadres.models import (
    CadreEvent,
    CadreEventKind,
    IntegrityOpinionDocument,
    IntegrityReportDocument,
    integrity_opinion_title,
    integrity_report_title,
)


class IntegrityReportKind(SealedReportKind):
    name = "integrity_report"
    kind_label = gettext_lazy("Responsibility and integrity report")
    chain_label = CADRE_CHAIN.label
    model = IntegrityReportDocument
    owner_field = "report"
    related = ("report__round", "report__leader", "report__assignment__post__unit")

    def title(self, document: IntegrityReportDocument) -> str:
        report = document.report
        return integrity_report_title(year=report.round.year, leader=report.leader.get_full_name())

    def owner_rows(self, document: IntegrityReportDocument) -> tuple[tuple[str, str], ...]:
        report = document.report
        return (
            (_("Leader"), report.leader.get_full_name()),
            (_("Post"), report.assignment.post.full_title),
            (_("Year"), str(report.round.year)),
        )

    def issue_event(self, document: IntegrityReportDocument) -> CadreEvent | None:
        return CadreEvent.objects.filter(
            kind=CadreEventKind.DOCUMENT_ISSUED,
            subject=f"report:{document.report_id}",
            digest=document.sha256,
        ).first()

    def event_label(self, event: CadreEvent) -> str:
        return cadre_event_describe(event)


sealed_kind_register(IntegrityReportKind())


class IntegrityOpinionKind(SealedReportKind):
    name = "integrity_opinion"
    kind_label = gettext_lazy("Integrity opinion")
    chain_label = CADRE_CHAIN.label
    model = IntegrityOpinionDocument
    owner_field = "opinion"
    related = ("opinion__cadre",)

    def title(self, document: IntegrityOpinionDocument) -> str:
        return integrity_opinion_title(cadre=document.opinion.cadre.get_full_name())

    def owner_rows(self, document: IntegrityOpinionDocument) -> tuple[tuple[str, str], ...]:
        opinion = document.opinion
        return (
            (_("Cadre"), opinion.cadre.get_full_name()),
            (_("Asked for"), opinion.purpose),
            (_("Asked by"), opinion.requested_by),
        )

    def issue_event(self, document: IntegrityOpinionDocument) -> CadreEvent | None:
        return CadreEvent.objects.filter(
            kind=CadreEventKind.OPINION_ISSUED,
            subject=f"opinion:{document.opinion_id}",
            digest=document.sha256,
        ).first()

    def event_label(self, event: CadreEvent) -> str:
        return cadre_event_describe(event)


sealed_kind_register(IntegrityOpinionKind())
