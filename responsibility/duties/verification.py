"""The sealed year-end report (年度履职报告) as a kind of sealed document the public verification knows.

core.verification asks every registered kind about a file's SHA-256 or a printed verification code;
this kind answers from `DutyReportDocument` (core.sealed_reports.SealedReportKind: the record, where a
version stands, and its stored file). Its place in the audit chain is its `report_issued` duty event,
with the chain anchor printed in it when it was sealed.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.sealed_reports import SealedReportKind
from core.verification import sealed_kind_register
from responsibility.duties.audit import DUTY_CHAIN, duty_event_describe
from responsibility.duties.models import DutyEvent, DutyEventKind, DutyReportDocument, duty_report_title


class DutyReportKind(SealedReportKind):
    name = "duty_report"
    kind_label = gettext_lazy("Year-end duty report")
    chain_label = DUTY_CHAIN.label
    model = DutyReportDocument
    owner_field = "assignment"
    related = ("assignment__post__unit", "assignment__leader")

    def title(self, document: DutyReportDocument) -> str:
        return duty_report_title(document.assignment.year)

    def owner_rows(self, document: DutyReportDocument) -> tuple[tuple[str, str], ...]:
        assignment = document.assignment
        return (
            (_("Leader"), assignment.leader.get_full_name()),
            (_("Post"), assignment.post.full_title),
            (_("Year"), str(assignment.year)),
        )

    def issue_event(self, document: DutyReportDocument) -> DutyEvent | None:
        return DutyEvent.objects.filter(
            kind=DutyEventKind.REPORT_ISSUED,
            subject=f"report:{document.pk}",
            assignment_id=document.assignment_id,
        ).first()

    def event_label(self, event: DutyEvent) -> str:
        return duty_event_describe(event)


sealed_kind_register(DutyReportKind())
