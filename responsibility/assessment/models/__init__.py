"""Year-end assessment's data: schemes (what is assessed and how it is scored) and rounds (who was
assessed with which scheme, what each unit answered, what the team approved, and the chain of events)."""

from responsibility.assessment.models.rounds import (
    AssessmentAuditHead,
    AssessmentEvent,
    AssessmentEventKind,
    AssessmentResultDocument,
    AssessmentRound,
    AssessmentRoundResultDocument,
    ItemScore,
    Objection,
    ObjectionStatus,
    RoundStatus,
    UnitAssessment,
    UnitAssessmentStatus,
    assessment_result_reference,
    round_result_reference,
)
from responsibility.assessment.models.schemes import (
    AnsweredBy,
    AreaKind,
    AssessmentScheme,
    RuleKind,
    SchemeArea,
    SchemeItem,
    SchemeStatus,
)

__all__ = [
    "AnsweredBy",
    "AreaKind",
    "AssessmentAuditHead",
    "AssessmentEvent",
    "AssessmentEventKind",
    "AssessmentResultDocument",
    "AssessmentRound",
    "AssessmentRoundResultDocument",
    "AssessmentScheme",
    "ItemScore",
    "Objection",
    "ObjectionStatus",
    "RoundStatus",
    "RuleKind",
    "SchemeArea",
    "SchemeItem",
    "SchemeStatus",
    "UnitAssessment",
    "UnitAssessmentStatus",
    "assessment_result_reference",
    "round_result_reference",
]
