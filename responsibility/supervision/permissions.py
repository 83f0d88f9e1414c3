"""Who may read and act on inspection plans, draws, inspections, findings and rectifications. The only
place these rules are written."""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Post
from accounts.org_tree import org_tree
from accounts.permissions import user_is_active
from responsibility.supervision.models import InspectionStatus, PlanStatus, RectificationStatus

# --- Supervision: inspection plans, draws, inspections, findings and rectifications --------------
#
# Who is who:
# - the discipline inspection team (role) plans rounds: add_inspectionplan;
# - a plan's *team members* (chosen on the plan, all of the inspection team) draw, record, raise
#   findings and verify rectifications in that plan; verifying also needs verify_rectification;
# - an inspection's *assigned inspectors* (drawn) record its checkpoint results;
# - the inspection team, the office and the Party Group read every plan and the whole ledger
#   (view_inspectionplan, view_finding);
# - a unit head (主要负责同志) sees the findings against their unit and the units below it, and
#   answers them; a rectification's owner and a finding's responsible person see theirs, and the owner
#   of a measure (整改措施) the finding it belongs to, and reports that measure;
# - a 回头看 (re-check of closed problems) is drawn and recorded by the inspection team's members who
#   verify rectifications, and read by the readers of the whole ledger;
# - problem lists of other sources than inspections (民主生活会, 巡察反馈 …) are opened, and their problems
#   recorded and corrected, by the office and the inspection team (add_problembatch); those problems are
#   verified and ticked off by the inspection team's members who verify rectifications (no plan team);
# - everybody else: the plan or finding does not exist for them (404).
#
# Seeing a plan, an inspection or a finding is not one of the actions below: that rule is written once,
# as the selector (`*_list_visible_to` in selectors.py). A page that needs a per-object answer asks the
# selector: `inspection_list_visible_to(user=...).filter(pk=...).exists()`.


class PlanAction(StrEnum):
    CREATE = "create"
    MANAGE = "manage"  # edit the plan and its checkpoints, close it
    DRAW = "draw"


class InspectionAction(StrEnum):
    RECORD = "record"  # record checkpoint results, complete the inspection
    RAISE_FINDING = "raise_finding"


class FindingAction(StrEnum):
    EDIT = "edit"  # the finding and the rectification's requirement, owner and deadline
    SUBMIT = "submit"  # the owner's (or the unit head's) report of the fix
    PLAN_MEASURES = "plan_measures"  # add and correct measures: the team, the owner, the head
    VERIFY = "verify"  # accept, send back, tick off


def inspection_reads_everything(user) -> bool:
    """The inspection team, the office and the Party Group read every plan and the whole ledger."""
    return user_is_active(user) and user.has_perm("responsibility.view_inspectionplan")


def plan_team_member_ids(plan) -> set[int]:
    """The plan's team (uses the team prefetched on the plan, if any)."""
    return {member.pk for member in plan.team.all()}


def plan_user_can(*, user, action: PlanAction, plan=None) -> bool:
    if not user_is_active(user):
        return False
    if action == PlanAction.CREATE:
        return user.has_perm("responsibility.add_inspectionplan")
    # Managing and drawing: a team member of this plan who still holds the inspection role.
    return (
        plan is not None
        and user.has_perm("responsibility.add_inspectionplan")
        and user.pk in plan_team_member_ids(plan)
    )


def plan_check_permission(*, user, action: PlanAction, plan=None) -> None:
    if not plan_user_can(user=user, action=action, plan=plan):
        raise PermissionDenied(_("Only a member of this plan's inspection team may do this."))


def inspection_user_can(*, user, action: InspectionAction, inspection) -> bool:
    if not user_is_active(user):
        return False
    if action == InspectionAction.RECORD:
        # 双随机: the inspectors drawn for this unit, and nobody else, record its results.
        return user.has_perm("responsibility.add_inspectionplan") and user.pk in {
            inspector.pk for inspector in inspection.inspectors.all()
        }
    return plan_user_can(user=user, action=PlanAction.MANAGE, plan=inspection.plan) or inspection_user_can(
        user=user, action=InspectionAction.RECORD, inspection=inspection
    )


def inspection_check_permission(*, user, action: InspectionAction, inspection) -> None:
    if not inspection_user_can(user=user, action=action, inspection=inspection):
        raise PermissionDenied(_("Only the inspectors drawn for this unit may do this."))


def units_answered_for(user) -> set[int]:
    """The units whose findings a unit head answers for: the units they head and every unit below."""
    if not user_is_active(user):
        return set()
    headed = set(Post.objects.heads().filter(holder=user).values_list("unit_id", flat=True))
    if not headed:
        return set()
    return org_tree().subtree(*headed)


def finding_user_can(*, user, action: FindingAction, finding, units: set[int] | None = None) -> bool:
    """`units` is `units_answered_for(user)`, passed in when already computed for the page."""
    if not user_is_active(user):
        return False
    if action == FindingAction.SUBMIT:
        # The owner, or the head of the unit (who answers for everything in it).
        return user.pk == finding.rectification.owner_id or finding.unit_id in (
            units if units is not None else units_answered_for(user)
        )
    if action == FindingAction.EDIT:
        if finding.plan_id is None:
            return problem_list_user_can_manage(user=user)
        return plan_user_can(user=user, action=PlanAction.MANAGE, plan=finding.plan)
    if action == FindingAction.PLAN_MEASURES:
        return finding_user_can(user=user, action=FindingAction.EDIT, finding=finding) or finding_user_can(
            user=user, action=FindingAction.SUBMIT, finding=finding, units=units
        )
    # Verifying, sending back and ticking off: a team member of the plan with the verify grant; for a
    # problem of another source, any member of the inspection team with it.
    if finding.plan_id is None:
        return problem_user_can_verify(user=user)
    return plan_user_can(user=user, action=PlanAction.MANAGE, plan=finding.plan) and user.has_perm(
        "responsibility.verify_rectification"
    )


def finding_check_permission(*, user, action: FindingAction, finding) -> None:
    if not finding_user_can(user=user, action=action, finding=finding):
        messages = {
            FindingAction.SUBMIT: _("Only the rectification's owner or the unit's head may report the fix."),
            FindingAction.PLAN_MEASURES: _(
                "Only the inspection team, the rectification's owner or the unit's head may add or change a "
                "measure."
            ),
            FindingAction.VERIFY: _(
                "Only a member of this plan's inspection team may verify rectifications."
            ),
        }
        if finding.plan_id is None:
            messages |= {
                FindingAction.EDIT: _("Only the office or the inspection team may correct this problem."),
                FindingAction.VERIFY: _(
                    "Only the inspection team's members who verify rectifications may do this."
                ),
            }
        raise PermissionDenied(
            messages.get(action, _("Only a member of this plan's inspection team may do this."))
        )


def measure_user_can_report(*, user, measure, finding, units: set[int] | None = None) -> bool:
    """A measure is reported done by its owner, or by whoever may report the whole rectification."""
    if not user_is_active(user):
        return False
    return user.pk == measure.owner_id or finding_user_can(
        user=user, action=FindingAction.SUBMIT, finding=finding, units=units
    )


def measure_check_report_permission(*, user, measure, finding) -> None:
    if not measure_user_can_report(user=user, measure=measure, finding=finding):
        raise PermissionDenied(
            _("Only the measure's owner, the rectification's owner or the unit's head may report it.")
        )


@dataclass(frozen=True)
class FindingPermissions:
    """What one user may do to one finding now: permission and state together."""

    can_edit: bool
    can_submit: bool
    can_verify: bool  # also: send back
    can_close: bool
    can_plan_measures: bool
    # The measures (by pk) this user may report done now.
    reportable_measures: frozenset[int] = frozenset()


def finding_permissions_for(*, user, finding) -> FindingPermissions:

    units = units_answered_for(user)
    status = finding.rectification.status

    def can(action: FindingAction) -> bool:
        return finding_user_can(user=user, action=action, finding=finding, units=units)

    return FindingPermissions(
        can_edit=status != RectificationStatus.CLOSED and can(FindingAction.EDIT),
        # One measure: the rectification is reported as a whole; several: measure by measure.
        can_submit=status == RectificationStatus.OPEN
        and len(finding.measures.all()) == 1
        and can(FindingAction.SUBMIT),
        can_verify=status == RectificationStatus.SUBMITTED and can(FindingAction.VERIFY),
        can_close=status == RectificationStatus.VERIFIED and can(FindingAction.VERIFY),
        can_plan_measures=status == RectificationStatus.OPEN and can(FindingAction.PLAN_MEASURES),
        reportable_measures=frozenset(
            measure.pk
            for measure in (finding.measures.all() if status == RectificationStatus.OPEN else ())
            if measure.is_open
            and measure_user_can_report(user=user, measure=measure, finding=finding, units=units)
        ),
    )


def problem_user_can_verify(*, user) -> bool:
    """The inspection team's members who verify rectifications: they verify and tick off the problems of
    lists of other sources, and conduct the 回头看."""
    return (
        user_is_active(user)
        and user.has_perm("responsibility.add_inspectionplan")
        and user.has_perm("responsibility.verify_rectification")
    )


def problem_list_user_can_manage(*, user) -> bool:
    """Open problem lists of other sources than inspections, record and correct their problems: the office
    and the inspection team."""
    return user_is_active(user) and user.has_perm("responsibility.add_problembatch")


def problem_list_check_permission(*, user) -> None:
    if not problem_list_user_can_manage(user=user):
        raise PermissionDenied(_("Only the office or the inspection team may do this."))


def recheck_user_can_conduct(*, user) -> bool:
    """A 回头看 is drawn, and its problems re-checked, by the inspection team's members who verify
    rectifications (they may reopen what was ticked off)."""
    return problem_user_can_verify(user=user)


def recheck_check_permission(*, user) -> None:
    if not recheck_user_can_conduct(user=user):
        raise PermissionDenied(_("Only the inspection team's members who verify rectifications may do this."))


def ledger_user_can_see_all(*, user) -> bool:
    """The whole ledger and the dashboard: the inspection team, the office and the Party Group."""
    return user_is_active(user) and user.has_perm("responsibility.view_finding")


@dataclass(frozen=True)
class PlanPermissions:
    """What one user may do to one plan now: permission and state together (for the plan pages)."""

    can_manage: bool  # edit the plan, add and edit checkpoints, close it
    can_draw: bool


def plan_permissions_for(*, user, plan) -> PlanPermissions:

    is_open = plan.status == PlanStatus.OPEN
    return PlanPermissions(
        can_manage=is_open and plan_user_can(user=user, action=PlanAction.MANAGE, plan=plan),
        can_draw=is_open and plan_user_can(user=user, action=PlanAction.DRAW, plan=plan),
    )


@dataclass(frozen=True)
class InspectionPermissions:
    """What one user may do to one inspection now: permission and state together."""

    can_record: bool  # record checkpoint results, complete the inspection
    can_raise_finding: bool


def inspection_permissions_for(*, user, inspection) -> InspectionPermissions:

    plan_open = inspection.plan.status == PlanStatus.OPEN
    recordable = plan_open and inspection.status in (InspectionStatus.PENDING, InspectionStatus.IN_PROGRESS)
    return InspectionPermissions(
        can_record=recordable
        and inspection_user_can(user=user, action=InspectionAction.RECORD, inspection=inspection),
        can_raise_finding=plan_open
        and inspection.status != InspectionStatus.CANCELLED
        and inspection_user_can(user=user, action=InspectionAction.RAISE_FINDING, inspection=inspection),
    )


def rectification_report_user_can_read(*, user, batch) -> bool:
    """A list's 整改情况报告 (its working draft and its sealed versions) names every problem of the list:
    it is read by the readers of the whole ledger. An inspection plan's list has no report (its findings
    are reported with the plan)."""
    return batch.plan_id is None and ledger_user_can_see_all(user=user)


def rectification_report_user_can_issue(*, user, batch) -> bool:
    """The office and the inspection team issue a list's report once the list is reconciled."""
    return (
        batch.plan_id is None
        and not batch.is_open
        and rectification_report_user_can_read(user=user, batch=batch)
        and problem_list_user_can_manage(user=user)
    )


def rectification_report_check_issue_permission(*, user, batch) -> None:
    if not rectification_report_user_can_issue(user=user, batch=batch):
        raise PermissionDenied(
            _("Only the office or the inspection team may issue the report, once the list is reconciled.")
        )


@dataclass(frozen=True)
class BatchPermissions:
    """What one user may do to one problem list now (its page): correct it, add documents, record its
    problems; read and issue its report. An inspection plan's list is the plan's: its problems come from
    the plan's inspections."""

    can_manage: bool
    can_read_report: bool
    can_issue_report: bool

    def can_carry_over(self, rectification) -> bool:
        """结转 one of its problems now: one still being rectified, not carried over already."""
        return (
            self.can_manage
            and rectification.status == RectificationStatus.OPEN
            and rectification.carried_over_at is None
        )


def batch_permissions_for(*, user, batch) -> BatchPermissions:
    return BatchPermissions(
        can_manage=batch.plan_id is None and batch.is_open and problem_list_user_can_manage(user=user),
        can_read_report=rectification_report_user_can_read(user=user, batch=batch),
        can_issue_report=rectification_report_user_can_issue(user=user, batch=batch),
    )
