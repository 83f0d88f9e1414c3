"""Reads of assessment, already narrowed to what the user may see."""

from django.db.models import Prefetch, QuerySet

from accounts.permissions import user_is_active
from responsibility.assessment.models import (
    AssessmentRound,
    AssessmentScheme,
    ItemScore,
    Objection,
    SchemeArea,
    SchemeItem,
    SchemeStatus,
    UnitAssessment,
)
from responsibility.assessment.permissions import (
    round_reads_everything,
    scheme_user_can_read_drafts,
    units_headed_by,
)
from responsibility.evidence.selectors import evidence_owner_register


def scheme_list_visible_to(*, user) -> QuerySet[AssessmentScheme]:
    """The schemes the user may read: every version for those who may read drafts, the published ones
    for anyone else signed in, none for an inactive account."""
    schemes = AssessmentScheme.objects.all()
    if not user_is_active(user):
        return schemes.none()
    if not scheme_user_can_read_drafts(user=user):
        schemes = schemes.filter(status=SchemeStatus.PUBLISHED)
    return schemes


def scheme_with_items(schemes: QuerySet[AssessmentScheme]) -> QuerySet[AssessmentScheme]:
    """Schemes with their areas and each area's items, in order (three queries in all)."""
    return schemes.prefetch_related(
        Prefetch(
            "areas",
            queryset=SchemeArea.objects.order_by("number").prefetch_related(
                Prefetch("items", queryset=SchemeItem.objects.order_by("order"))
            ),
        )
    )


# --- Rounds -----------------------------------------------------------------------------------------


def unit_assessment_list_visible_to(*, user) -> QuerySet[UnitAssessment]:
    """The score cards the user may open: every one for the office, the inspection team and the Party
    Group; their own units' for a unit head; none for anyone else."""
    cards = UnitAssessment.objects.select_related(
        "round", "round__scheme", "unit", "submitted_by", "reviewed_by"
    )
    if not user_is_active(user):
        return cards.none()
    if round_reads_everything(user):
        return cards
    return cards.filter(unit_id__in=units_headed_by(user))


def round_list_visible_to(*, user) -> QuerySet[AssessmentRound]:
    """The rounds the user may open: every one for those who read everything, else the rounds that
    assess a unit they head."""
    rounds = AssessmentRound.objects.select_related("scheme", "approved_by")
    if not user_is_active(user):
        return rounds.none()
    if round_reads_everything(user):
        return rounds
    return rounds.filter(units__unit_id__in=units_headed_by(user)).distinct()


def item_score_list_visible_to(*, user) -> QuerySet[ItemScore]:
    """The item scores of the score cards the user may open."""
    return ItemScore.objects.select_related(
        "item", "item__area", "unit_assessment", "unit_assessment__round", "unit_assessment__unit"
    ).filter(unit_assessment__in=unit_assessment_list_visible_to(user=user).values("pk"))


def _evidence_visible_in_assessment(*, user, evidence) -> bool:
    return unit_assessment_list_visible_to(user=user).filter(scores__pk=evidence.item_score_id).exists()


evidence_owner_register("item_score", _evidence_visible_in_assessment)


def unit_assessment_scores(*, unit_assessment: UnitAssessment) -> list[ItemScore]:
    """A score card's item scores in the scheme's order, each with its item, area and evidence (two
    queries)."""
    return list(
        unit_assessment.scores.select_related("item", "item__area", "self_by", "reviewed_by")
        .prefetch_related("evidence")
        .order_by("item__area__number", "item__order")
    )


def assessment_event_list_of(*, assessment_round: AssessmentRound, subjects: list[str]) -> QuerySet:
    """The round's events about the given subjects ("unit:3", "score:12", "round:1"), oldest first."""
    return assessment_round.events.filter(subject__in=subjects).select_related("actor").order_by("sequence")


def objection_list_visible_to(*, user) -> QuerySet[Objection]:
    """The objections on the score cards the user may open."""
    return Objection.objects.select_related(
        "score__item",
        "score__unit_assessment__round",
        "score__unit_assessment__unit",
        "lodged_by",
        "answered_by",
    ).filter(unit_assessment__in=unit_assessment_list_visible_to(user=user).values("pk"))
