"""Who may read and act on 一岗双责 assignments, tasks, periods and records. The only place these rules
are written."""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import LEADING_POST_KINDS, Post
from accounts.org_tree import org_tree
from accounts.permissions import user_is_active

# --- One post, two responsibilities (一岗双责) -------------------------------------------------------
#
# - the office administrator generates the year's assignments, adjusts them, adds and withdraws tasks
#   and records handovers (add_dutyassignment / change_dutyassignment);
# - a leader sees their own assignment, adjusts it while it awaits their confirmation, confirms it,
#   and keeps the records of the task periods they answer for;
# - the Party Group, the inspection team and the office read every assignment
#   (view_dutyassignment); the inspection team reviews records (review_performancerecord);
# - the staff of a unit read the assignments of its leaders: the leaders whose post is in their unit
#   (or a unit above it) or who oversee it;
# - a previous holder still reads the assignment their records belong to;
# - the year-end report is issued (rendered, sealed and archived as a new version) by the leader named on
#   the assignment, whose account of the year it is, or by the office, who keeps the archive and may issue
#   it for a leader (change_dutyassignment). The inspection team assesses the report and the Party Group
#   reads it: neither issues it. Whoever can see the assignment downloads its sealed versions;
# - everybody else: the assignment does not exist for them (404).
#
# Seeing an assignment is not one of the actions below: that rule is written once, as the selector
# (`duty_assignment_list_visible_to` in selectors.py). A page that needs a per-object answer asks the
# selector: `duty_assignment_list_visible_to(user=...).filter(pk=...).exists()`.


class DutyAction(StrEnum):
    GENERATE = "generate"  # the year's assignments for all leading posts
    EDIT = "edit"  # adjust an assignment, add or withdraw tasks
    CONFIRM = "confirm"  # the leader's confirmation
    RECORD = "record"  # keep a performance record for a task period
    REVIEW = "review"  # accept or return a performance record
    HANDOVER = "handover"  # a post changes holder mid-year
    ISSUE_REPORT = "issue_report"  # seal and archive the year-end report as a new version


def duty_reads_everything(user) -> bool:
    return user_is_active(user) and user.has_perm("responsibility.view_dutyassignment")


def units_of_staff(user) -> set[int]:
    """The units a user works in (where they hold a post) and every unit above them."""
    if not user_is_active(user):
        return set()
    own = set(Post.objects.filter(holder=user).values_list("unit_id", flat=True))
    if not own:
        return set()
    return org_tree().ancestors(*own)


def duty_user_can(*, user, action: DutyAction, assignment=None) -> bool:
    if not user_is_active(user):
        return False
    if action in (DutyAction.GENERATE, DutyAction.HANDOVER):
        return user.has_perm("responsibility.add_dutyassignment")
    if assignment is None:
        return False
    is_leader = assignment.leader_id == user.pk
    if action == DutyAction.EDIT:
        from responsibility.duties.models import AssignmentStatus

        return user.has_perm("responsibility.change_dutyassignment") or (
            is_leader and assignment.status == AssignmentStatus.DRAFT
        )
    if action == DutyAction.CONFIRM:
        return is_leader
    if action == DutyAction.ISSUE_REPORT:
        return is_leader or user.has_perm("responsibility.change_dutyassignment")
    return False


def duty_check_permission(*, user, action: DutyAction, assignment=None) -> None:
    if not duty_user_can(user=user, action=action, assignment=assignment):
        messages = {
            DutyAction.CONFIRM: _("Only the leader named on the assignment may confirm it."),
            DutyAction.EDIT: _(
                "Only the office administrator, or the leader before confirming, may change it."
            ),
            DutyAction.ISSUE_REPORT: _(
                "Only the leader named on the assignment, or the office, may issue its year-end report."
            ),
        }
        raise PermissionDenied(messages.get(action, _("Only the office administrator may do this.")))


def occurrence_user_can(*, user, action: DutyAction, occurrence) -> bool:
    """Recording is personal: only the person who answers for the period, while they lead the post."""
    if not user_is_active(user):
        return False
    if action == DutyAction.RECORD:
        return occurrence.responsible_id == user.pk and occurrence.task.assignment.leader_id == user.pk
    if action == DutyAction.REVIEW:
        return user.has_perm("responsibility.review_performancerecord")
    return duty_user_can(user=user, action=action, assignment=occurrence.task.assignment)


def occurrence_check_permission(*, user, action: DutyAction, occurrence) -> None:
    if not occurrence_user_can(user=user, action=action, occurrence=occurrence):
        messages = {
            DutyAction.RECORD: _("You can keep records only for your own tasks."),
            DutyAction.REVIEW: _("Only the discipline inspection team reviews performance records."),
        }
        raise PermissionDenied(messages.get(action, _("You may not do this.")))


# --- Integrity talks (廉政谈话) --------------------------------------------------------------------------
#
# - a talk is held by a leader (anyone holding a leading post) or by the inspection team and the Party
#   Group (add_talk: 约谈 and 任职廉政谈话 of any cadre); whoever plans it is its talker, never anyone else;
# - the talker writes the record (while planned, or after a disagreement) or cancels a planned talk;
# - the person talked to confirms the record, or records a disagreement, with a fresh identity check;
# - the two parties read the talk; the inspection team and the Party Group read every talk (view_talk);
#   for everyone else, the office included, it does not exist (404). That rule is the selector
#   (`talk_list_visible_to` in selectors.py).


class TalkAction(StrEnum):
    PLAN = "plan"  # plan a talk, as its talker
    RECORD = "record"  # write the talk's record
    ANSWER = "answer"  # confirm the record, or record a disagreement
    CANCEL = "cancel"  # cancel a planned talk


def talks_read_everything(user) -> bool:
    return user_is_active(user) and user.has_perm("responsibility.view_talk")


def talk_holds_talks(user) -> bool:
    """Who may hold integrity talks: a holder of a leading post, the inspection team, the Party Group."""
    if not user_is_active(user):
        return False
    return (
        user.has_perm("responsibility.add_talk")
        or Post.objects.filter(holder=user, kind__in=LEADING_POST_KINDS).exists()
    )


def talk_user_can(*, user, action: TalkAction, talk=None) -> bool:
    if not user_is_active(user):
        return False
    if action == TalkAction.PLAN:
        return talk_holds_talks(user)
    if talk is None:
        return False
    if action in (TalkAction.RECORD, TalkAction.CANCEL):
        return talk.talker_id == user.pk
    if action == TalkAction.ANSWER:
        return talk.talked_to_id == user.pk
    return False


def talk_check_permission(*, user, action: TalkAction, talk=None) -> None:
    if not talk_user_can(user=user, action=action, talk=talk):
        messages = {
            TalkAction.PLAN: _(
                "Integrity talks are held by leaders, the discipline inspection team and the Party Group."
            ),
            TalkAction.RECORD: _("Only the person who held the talk writes its record."),
            TalkAction.CANCEL: _("Only the person who planned the talk may cancel it."),
            TalkAction.ANSWER: _("Only the person talked to may confirm the record or disagree with it."),
        }
        raise PermissionDenied(messages.get(action, _("You may not do this.")))
