"""A problem list's sealed 整改情况报告 as a kind of sealed document the public verification knows.

core.verification asks every registered kind about a file's SHA-256 or a printed verification code;
this kind answers from `RectificationReportDocument` (core.sealed_reports.SealedReportKind: the record,
where a version stands, and its stored file). Its place in the audit chain is the list's `report_issued`
event in the inspection chain, whose digest is the sealed file's SHA-256, with the chain anchor printed in
it when it was sealed.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.sealed_reports import SealedReportKind
from core.verification import sealed_kind_register
from responsibility.supervision.audit import INSPECTION_CHAIN, inspection_event_describe
from responsibility.supervision.models import (
    InspectionEvent,
    InspectionEventKind,
    RectificationReportDocument,
    rectification_report_title,
)


class RectificationReportKind(SealedReportKind):
    name = "rectification_report"
    kind_label = gettext_lazy("Rectification report")
    chain_label = INSPECTION_CHAIN.label
    model = RectificationReportDocument
    owner_field = "batch"
    related = ("batch__source",)

    def title(self, document: RectificationReportDocument) -> str:
        return rectification_report_title(document.batch.title)

    def owner_rows(self, document: RectificationReportDocument) -> tuple[tuple[str, str], ...]:
        batch = document.batch
        return (
            (_("Problem list"), batch.title),
            (_("Source"), batch.source.name),
            (_("Year"), str(batch.year)),
        )

    def issue_event(self, document: RectificationReportDocument) -> InspectionEvent | None:
        return InspectionEvent.objects.filter(
            kind=InspectionEventKind.REPORT_ISSUED, batch_id=document.batch_id, digest=document.sha256
        ).first()

    def event_label(self, event: InspectionEvent) -> str:
        return inspection_event_describe(event)


sealed_kind_register(RectificationReportKind())
