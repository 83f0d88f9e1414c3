"""Who may do what in assessment: the only place it is decided.

Schemes: the office loads, publishes and discards them (`add_assessmentscheme`); the inspection team and
the Party Group read every version, drafts included (`view_assessmentscheme`); everyone else signed in
reads the published ones, the rules they are assessed by. Rounds: below.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Post
from accounts.permissions import user_is_active


def scheme_user_can_manage(*, user) -> bool:
    """Import a scheme or a new version, publish a draft, discard one: the office."""
    return user_is_active(user) and user.has_perm("responsibility.add_assessmentscheme")


def scheme_check_manage_permission(*, user) -> None:
    if not scheme_user_can_manage(user=user):
        raise PermissionDenied(_("Only the office may load and publish assessment schemes."))


def scheme_user_can_read_drafts(*, user) -> bool:
    """Drafts: the office, the inspection team and the Party Group."""
    return user_is_active(user) and (
        scheme_user_can_manage(user=user) or user.has_perm("responsibility.view_assessmentscheme")
    )


# --- Rounds -----------------------------------------------------------------------------------------
#
# Who is who in a round:
# - the office opens rounds (add_assessmentround);
# - the assessment team (the inspection team and the office) sets approved scores (review_assessmentround);
# - the Party Group approves the results (approve_assessmentround);
# - the three read every round and every unit's score card (view_assessmentround);
# - the head (主要负责同志) of an assessed unit reads and fills that unit's self-assessment;
# - everybody else: the round does not exist for them (404).
#
# Seeing a round or a score card is written once, as the selectors (`round_list_visible_to`,
# `unit_assessment_list_visible_to`).


def round_reads_everything(user) -> bool:
    """The office, the inspection team and the Party Group read every round and score card."""
    return user_is_active(user) and user.has_perm("responsibility.view_assessmentround")


def round_user_can_open(*, user) -> bool:
    return user_is_active(user) and user.has_perm("responsibility.add_assessmentround")


def round_check_open_permission(*, user) -> None:
    if not round_user_can_open(user=user):
        raise PermissionDenied(_("Only the office may open an assessment."))


def round_user_can_review(*, user) -> bool:
    """Set approved scores (核准分) and complete a unit's review: the assessment team."""
    return user_is_active(user) and user.has_perm("responsibility.review_assessmentround")


def round_check_review_permission(*, user) -> None:
    if not round_user_can_review(user=user):
        raise PermissionDenied(_("Only the assessment team may set approved scores."))


def round_user_can_approve(*, user) -> bool:
    """Approve a round's results: the Party Group."""
    return user_is_active(user) and user.has_perm("responsibility.approve_assessmentround")


def round_check_approve_permission(*, user) -> None:
    if not round_user_can_approve(user=user):
        raise PermissionDenied(_("Only the Party Group may approve the results."))


def units_headed_by(user) -> set[int]:
    """The units whose principal head (主要负责同志) the user is now."""
    if not user_is_active(user):
        return set()
    return set(Post.objects.heads().held().filter(holder=user).values_list("unit_id", flat=True))


def unit_assessment_user_can_self_assess(*, user, unit_assessment) -> bool:
    """A unit's self-assessment is its principal head's, nobody else's (not even the office's)."""
    return unit_assessment.unit_id in units_headed_by(user)


def unit_assessment_check_self_assess_permission(*, user, unit_assessment) -> None:
    if not unit_assessment_user_can_self_assess(user=user, unit_assessment=unit_assessment):
        raise PermissionDenied(_("Only the unit's principal head may self-assess for it."))


@dataclass(frozen=True)
class CardActions:
    """What the user may do on a unit's score card now (the pages' buttons; the services check again)."""

    self_assess: bool  # answer items and submit: the unit head, before the deadline, not submitted
    review: bool  # set approved scores and complete the review: the team, once reviewable
    object: bool  # lodge objections: the unit head, from the unit's review to the end of the days for them
    answer_objections: bool  # answer objections: the team, once the unit is reviewed


def card_actions(*, user, unit_assessment) -> CardActions:
    heads_it = unit_assessment_user_can_self_assess(user=user, unit_assessment=unit_assessment)
    reviews = round_user_can_review(user=user)
    return CardActions(
        self_assess=heads_it and unit_assessment.takes_entries(),
        review=reviews and unit_assessment.takes_review(),
        object=heads_it and unit_assessment.takes_objections(),
        answer_objections=reviews and unit_assessment.is_reviewed,
    )
