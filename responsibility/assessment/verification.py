"""A unit's sealed 考核结果 as a kind of sealed document the public verification knows: found by the
file's SHA-256 or its printed code, where each version stands, and its `result_issued` event in the
assessment chain (whose digest is the sealed file's SHA-256)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.sealed_reports import SealedReportKind
from core.verification import sealed_kind_register
from responsibility.assessment.audit import ASSESSMENT_CHAIN, assessment_event_describe
from responsibility.assessment.models import (
    AssessmentEvent,
    AssessmentEventKind,
    AssessmentResultDocument,
    AssessmentRoundResultDocument,
)


class AssessmentResultKind(SealedReportKind):
    name = "assessment_result"
    kind_label = gettext_lazy("Assessment result")
    chain_label = ASSESSMENT_CHAIN.label
    model = AssessmentResultDocument
    owner_field = "unit_assessment"
    related = ("unit_assessment__round", "unit_assessment__unit")

    def title(self, document: AssessmentResultDocument) -> str:
        card = document.unit_assessment
        return f"{card.unit.name}{card.round.name}结果"

    def owner_rows(self, document: AssessmentResultDocument) -> tuple[tuple[str, str], ...]:
        card = document.unit_assessment
        return (
            (_("Unit"), card.unit.name),
            (_("Assessment"), card.round.name),
            (_("Year"), str(card.round.year)),
        )

    def issue_event(self, document: AssessmentResultDocument) -> AssessmentEvent | None:
        return AssessmentEvent.objects.filter(
            kind=AssessmentEventKind.RESULT_ISSUED,
            subject=f"unit:{document.unit_assessment_id}",
            digest=document.sha256,
        ).first()

    def event_label(self, event: AssessmentEvent) -> str:
        return assessment_event_describe(event)


sealed_kind_register(AssessmentResultKind())


class RoundResultKind(SealedReportKind):
    name = "assessment_round_result"
    kind_label = gettext_lazy("Assessment results of a round")
    chain_label = ASSESSMENT_CHAIN.label
    model = AssessmentRoundResultDocument
    owner_field = "round"
    related = ("round",)

    def title(self, document: AssessmentRoundResultDocument) -> str:
        return f"关于{document.round.name}结果的通报"

    def owner_rows(self, document: AssessmentRoundResultDocument) -> tuple[tuple[str, str], ...]:
        return ((_("Assessment"), document.round.name), (_("Year"), str(document.round.year)))

    def issue_event(self, document: AssessmentRoundResultDocument) -> AssessmentEvent | None:
        return AssessmentEvent.objects.filter(
            kind=AssessmentEventKind.ROUND_RESULT_ISSUED, round_id=document.round_id, digest=document.sha256
        ).first()

    def event_label(self, event: AssessmentEvent) -> str:
        return assessment_event_describe(event)


sealed_kind_register(RoundResultKind())
