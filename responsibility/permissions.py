"""Every "may this user do X?" decision about letters, campaigns and templates lives here, and only here.

Two kinds of grant exist (django-guardian underneath):
- a model-level grant, held through a role's group (the office administrator may void any letter);
- an object grant on one letter, made by the service that created the relation (the signer may sign
  *this* letter).
Per action, this module says which kind counts. Signing and countersigning are personal: only an
object grant counts, and only for the person named on the letter, so a copied link or a global
grant never lets anybody sign for someone else. Relationship rules that follow from the data (a
head who has signed may issue letters to their staff) are written here as plain predicates.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from guardian.core import ObjectPermissionChecker

from responsibility.models import Campaign, Letter
from responsibility.models.letters import SIGNED_STATUSES, LetterStatus


class LetterAction(StrEnum):
    VIEW = "view"
    SIGN = "sign"  # also: return it to the issuer
    COUNTERSIGN = "countersign"
    REVISE = "issue"  # revise a returned letter and re-issue it
    VOID = "void"
    ARCHIVE = "archive"
    ISSUE_TO_STAFF = "issue_to_staff"  # 层层签订: issue letters below this one


class CampaignAction(StrEnum):
    VIEW_PROGRESS = "view_campaign"
    MANAGE = "change_campaign"
    CREATE = "add_campaign"
    ISSUE_LETTERS = "issue_letter"
    MANAGE_TEMPLATES = "change_lettertemplate"


class ReminderAction(StrEnum):
    VIEW = "view_reminder"  # the office's reminder log
    RESEND = "resend_reminder"


# Actions for which a model-level (role) grant is enough. The rest need a grant on the letter itself.
_MODEL_LEVEL_LETTER_ACTIONS = frozenset(
    {LetterAction.VIEW, LetterAction.REVISE, LetterAction.VOID, LetterAction.ARCHIVE}
)
# Actions only the person named on the letter may take, whatever they have been granted.
_PERSONAL_LETTER_ACTIONS = {
    LetterAction.SIGN: "signer_id",
    LetterAction.COUNTERSIGN: "issuer_id",
}


def letter_perm(action: LetterAction) -> str:
    """The guardian permission behind an action (`responsibility.sign_letter`)."""
    return f"responsibility.{action}_letter"


def letter_object_grants(action: LetterAction) -> str:
    """The codename a service grants on the letter to enable an action (guardian wants bare codenames)."""
    return f"{action}_letter"


def letter_user_can(
    *, user, action: LetterAction, letter: Letter, checker: ObjectPermissionChecker | None = None
) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if action == LetterAction.ISSUE_TO_STAFF:
        return letter.signer_id == user.pk and letter.status in SIGNED_STATUSES and letter.campaign.is_open
    if action in _PERSONAL_LETTER_ACTIONS and getattr(letter, _PERSONAL_LETTER_ACTIONS[action]) != user.pk:
        return False
    perm = letter_perm(action)
    if action in _MODEL_LEVEL_LETTER_ACTIONS and user.has_perm(perm):
        return True
    checker = checker or ObjectPermissionChecker(user)
    return checker.has_perm(perm.split(".", 1)[1], letter)


def letter_check_permission(*, user, action: LetterAction, letter: Letter) -> None:
    if not letter_user_can(user=user, action=action, letter=letter):
        raise PermissionDenied(
            _("You may not do this to letter %(reference)s.") % {"reference": letter.reference}
        )


@dataclass(frozen=True)
class LetterPermissions:
    """What one user may do to one letter, as flags for templates (computed once per page)."""

    can_sign: bool
    can_return: bool
    can_countersign: bool
    can_revise: bool
    can_void: bool
    can_archive: bool
    can_issue_to_staff: bool


def letter_permissions_for(*, user, letter: Letter) -> LetterPermissions:
    """The actions the user may take on the letter *now*: permission and state together."""
    checker = ObjectPermissionChecker(user)

    def can(action: LetterAction) -> bool:
        return letter_user_can(user=user, action=action, letter=letter, checker=checker)

    status = letter.status
    return LetterPermissions(
        can_sign=status == LetterStatus.ISSUED and can(LetterAction.SIGN),
        can_return=status == LetterStatus.ISSUED and can(LetterAction.SIGN),
        can_countersign=status == LetterStatus.SIGNED and can(LetterAction.COUNTERSIGN),
        can_revise=status == LetterStatus.RETURNED and not letter.is_superseded and can(LetterAction.REVISE),
        can_void=status in (LetterStatus.ISSUED, LetterStatus.SIGNED, LetterStatus.COUNTERSIGNED)
        and can(LetterAction.VOID),
        can_archive=status == LetterStatus.COUNTERSIGNED and can(LetterAction.ARCHIVE),
        can_issue_to_staff=can(LetterAction.ISSUE_TO_STAFF),
    )


def campaign_user_can(*, user, action: CampaignAction, campaign: Campaign | None = None) -> bool:
    """Campaign and template administration are role grants: the office administrator's."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm(f"responsibility.{action}")


@dataclass(frozen=True)
class CampaignPermissions:
    """What one user may do to one campaign now: permission and state together."""

    can_issue: bool
    can_edit: bool
    can_close: bool


def campaign_permissions_for(*, user, campaign: Campaign) -> CampaignPermissions:
    may_manage = campaign_user_can(user=user, action=CampaignAction.MANAGE, campaign=campaign)
    may_issue = campaign_user_can(user=user, action=CampaignAction.ISSUE_LETTERS, campaign=campaign)
    return CampaignPermissions(
        can_issue=may_issue and campaign.is_open,
        can_edit=may_manage,
        can_close=may_manage and campaign.is_open,
    )


def campaign_check_permission(*, user, action: CampaignAction, campaign: Campaign | None = None) -> None:
    if not campaign_user_can(user=user, action=action, campaign=campaign):
        raise PermissionDenied(_("Only the office administrator may do this."))


def org_user_can_import(*, user) -> bool:
    """The organisation (units, users, posts) is the office administrator's: importing needs add_orgunit."""
    return user.is_authenticated and user.is_active and user.has_perm("accounts.add_orgunit")


def org_check_import_permission(*, user) -> None:
    if not org_user_can_import(user=user):
        raise PermissionDenied(_("Only the office administrator may import the organisation."))


# --- Letter PDFs and the archive -----------------------------------------------------------------


class ArchiveAction(StrEnum):
    BROWSE = "browse"  # the archive page: the office and the inspection team (read-only)
    EXPORT = "export"  # batch print of a campaign: the office only
    RETRY_DOCUMENT = "retry_document"  # render a failed PDF again: the office only


# All archive actions are role grants (model-level): nobody browses the archive through a grant on
# one letter. Browsing needs the global view_letter the office and the inspection team hold (the
# Party Group does not); exporting and retrying are the office's, like archiving a letter.
_ARCHIVE_ACTION_PERMS = {
    ArchiveAction.BROWSE: "responsibility.view_letter",
    ArchiveAction.EXPORT: "responsibility.archive_letter",
    ArchiveAction.RETRY_DOCUMENT: "responsibility.archive_letter",
}


def archive_user_can(*, user, action: ArchiveAction) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm(_ARCHIVE_ACTION_PERMS[action])


def archive_check_permission(*, user, action: ArchiveAction) -> None:
    if not archive_user_can(user=user, action=action):
        raise PermissionDenied(_("Only the office administrator may do this."))


def letter_document_user_can_download(*, user, letter: Letter) -> bool:
    """Whoever may open a letter may download its sealed PDF; nobody else learns it exists."""
    return letter_user_can(user=user, action=LetterAction.VIEW, letter=letter)


# --- Reminders -----------------------------------------------------------------------------------


def reminder_user_can(*, user, action: ReminderAction) -> bool:
    """The reminder log and resending are the office administrator's (a role grant).

    Each user's own notifications need no grant: the selectors only ever return the user's own.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm(f"responsibility.{action}")


def reminder_check_permission(*, user, action: ReminderAction) -> None:
    if not reminder_user_can(user=user, action=action):
        raise PermissionDenied(_("Only the office administrator may do this."))


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
#   answers them; a rectification's owner and a finding's responsible person see theirs;
# - everybody else: the plan or finding does not exist for them (404).


class PlanAction(StrEnum):
    VIEW = "view"
    CREATE = "create"
    MANAGE = "manage"  # edit the plan and its checkpoints, close it
    DRAW = "draw"


class InspectionAction(StrEnum):
    VIEW = "view"
    RECORD = "record"  # record checkpoint results, complete the inspection
    RAISE_FINDING = "raise_finding"


class FindingAction(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # the finding and the rectification's requirement, owner and deadline
    SUBMIT = "submit"  # the owner's (or the unit head's) report of the fix
    VERIFY = "verify"  # accept, send back, tick off


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def inspection_reads_everything(user) -> bool:
    """The inspection team, the office and the Party Group read every plan and the whole ledger."""
    return _active(user) and user.has_perm("responsibility.view_inspectionplan")


def plan_team_member_ids(plan) -> set[int]:
    """The plan's team (uses the team prefetched on the plan, if any)."""
    return {member.pk for member in plan.team.all()}


def plan_user_can(*, user, action: PlanAction, plan=None) -> bool:
    if not _active(user):
        return False
    if action == PlanAction.CREATE:
        return user.has_perm("responsibility.add_inspectionplan")
    if action == PlanAction.VIEW:
        return inspection_reads_everything(user)
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
    if not _active(user):
        return False
    if action == InspectionAction.VIEW:
        return inspection_reads_everything(user)
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
    from accounts.models import OrgUnit, Post

    if not _active(user):
        return set()
    headed = set(Post.objects.heads().filter(holder=user).values_list("unit_id", flat=True))
    if not headed:
        return set()
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in OrgUnit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found: set[int] = set()
    stack = list(headed)
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return found


def finding_user_can(*, user, action: FindingAction, finding, units: set[int] | None = None) -> bool:
    """`units` is `units_answered_for(user)`, passed in when already computed for the page."""
    if not _active(user):
        return False
    rectification = finding.rectification
    answers_for_it = user.pk in (rectification.owner_id, finding.responsible_id) or finding.unit_id in (
        units if units is not None else units_answered_for(user)
    )
    if action == FindingAction.VIEW:
        return answers_for_it or user.has_perm("responsibility.view_finding")
    if action == FindingAction.SUBMIT:
        # The owner, or the head of the unit (who answers for everything in it).
        return user.pk == rectification.owner_id or finding.unit_id in (
            units if units is not None else units_answered_for(user)
        )
    if action == FindingAction.EDIT:
        return plan_user_can(user=user, action=PlanAction.MANAGE, plan=finding.plan)
    # Verifying, sending back and ticking off: a team member of the plan with the verify grant.
    return plan_user_can(user=user, action=PlanAction.MANAGE, plan=finding.plan) and user.has_perm(
        "responsibility.verify_rectification"
    )


def finding_check_permission(*, user, action: FindingAction, finding) -> None:
    if not finding_user_can(user=user, action=action, finding=finding):
        messages = {
            FindingAction.SUBMIT: _("Only the rectification's owner or the unit's head may report the fix."),
            FindingAction.VERIFY: _(
                "Only a member of this plan's inspection team may verify rectifications."
            ),
        }
        raise PermissionDenied(
            messages.get(action, _("Only a member of this plan's inspection team may do this."))
        )


@dataclass(frozen=True)
class FindingPermissions:
    """What one user may do to one finding now: permission and state together."""

    can_edit: bool
    can_submit: bool
    can_verify: bool  # also: send back
    can_close: bool


def finding_permissions_for(*, user, finding) -> FindingPermissions:
    from responsibility.models import RectificationStatus

    units = units_answered_for(user)
    status = finding.rectification.status

    def can(action: FindingAction) -> bool:
        return finding_user_can(user=user, action=action, finding=finding, units=units)

    return FindingPermissions(
        can_edit=status != RectificationStatus.CLOSED and can(FindingAction.EDIT),
        can_submit=status == RectificationStatus.OPEN and can(FindingAction.SUBMIT),
        can_verify=status == RectificationStatus.SUBMITTED and can(FindingAction.VERIFY),
        can_close=status == RectificationStatus.VERIFIED and can(FindingAction.VERIFY),
    )


def ledger_user_can_see_all(*, user) -> bool:
    """The whole ledger and the dashboard: the inspection team, the office and the Party Group."""
    return _active(user) and user.has_perm("responsibility.view_finding")


@dataclass(frozen=True)
class PlanPermissions:
    """What one user may do to one plan now: permission and state together (for the plan pages)."""

    can_manage: bool  # edit the plan, add and edit checkpoints, close it
    can_draw: bool


def plan_permissions_for(*, user, plan) -> PlanPermissions:
    from responsibility.models import PlanStatus

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
    from responsibility.models import InspectionStatus, PlanStatus

    plan_open = inspection.plan.status == PlanStatus.OPEN
    recordable = plan_open and inspection.status in (InspectionStatus.PENDING, InspectionStatus.IN_PROGRESS)
    return InspectionPermissions(
        can_record=recordable
        and inspection_user_can(user=user, action=InspectionAction.RECORD, inspection=inspection),
        can_raise_finding=plan_open
        and inspection.status != InspectionStatus.CANCELLED
        and inspection_user_can(user=user, action=InspectionAction.RAISE_FINDING, inspection=inspection),
    )


# --- One post, two responsibilities (一岗双责) -------------------------------------------------------
#
# - the office administrator generates the year's assignments, adjusts them, adds tasks and records
#   handovers (add_dutyassignment / change_dutyassignment);
# - a leader sees their own assignment, adjusts it while it awaits their confirmation, confirms it,
#   and keeps the records of the task periods they answer for;
# - the Party Group, the inspection team and the office read every assignment
#   (view_dutyassignment); the inspection team reviews records (review_performancerecord);
# - the staff of a unit read the assignments of its leaders: the leaders whose post is in their unit
#   (or a unit above it) or who oversee it;
# - a previous holder still reads the assignment their records belong to;
# - everybody else: the assignment does not exist for them (404).


class DutyAction(StrEnum):
    VIEW = "view"
    GENERATE = "generate"  # the year's assignments for all leading posts
    EDIT = "edit"  # adjust an assignment, add or remove tasks
    CONFIRM = "confirm"  # the leader's confirmation
    RECORD = "record"  # keep a performance record for a task period
    REVIEW = "review"  # accept or return a performance record
    HANDOVER = "handover"  # a post changes holder mid-year


def duty_reads_everything(user) -> bool:
    return _active(user) and user.has_perm("responsibility.view_dutyassignment")


def units_of_staff(user) -> set[int]:
    """The units a user works in (where they hold a post) and every unit above them."""
    from accounts.models import OrgUnit, Post

    if not _active(user):
        return set()
    own = set(Post.objects.filter(holder=user).values_list("unit_id", flat=True))
    if not own:
        return set()
    parents = dict(OrgUnit.objects.values_list("pk", "parent_id"))
    found: set[int] = set()
    for unit_id in own:
        while unit_id is not None and unit_id not in found:
            found.add(unit_id)
            unit_id = parents.get(unit_id)
    return found


def duty_user_can(*, user, action: DutyAction, assignment=None) -> bool:
    if not _active(user):
        return False
    if action in (DutyAction.GENERATE, DutyAction.HANDOVER):
        return user.has_perm("responsibility.add_dutyassignment")
    if assignment is None:
        return False
    is_leader = assignment.leader_id == user.pk
    if action == DutyAction.VIEW:
        from responsibility.models import PerformanceRecord

        return (
            is_leader
            or duty_reads_everything(user)
            or _assignment_in_units(assignment, units_of_staff(user))
            or PerformanceRecord.objects.filter(
                occurrence__task__assignment=assignment, recorded_by=user
            ).exists()
        )
    if action == DutyAction.EDIT:
        from responsibility.models import AssignmentStatus

        return user.has_perm("responsibility.change_dutyassignment") or (
            is_leader and assignment.status == AssignmentStatus.DRAFT
        )
    if action == DutyAction.CONFIRM:
        return is_leader
    return False


def _assignment_in_units(assignment, units: set[int]) -> bool:
    if not units:
        return False
    if assignment.post.unit_id in units:
        return True
    return any(unit.pk in units for unit in assignment.oversees.all())


def duty_check_permission(*, user, action: DutyAction, assignment=None) -> None:
    if not duty_user_can(user=user, action=action, assignment=assignment):
        messages = {
            DutyAction.CONFIRM: _("Only the leader named on the assignment may confirm it."),
            DutyAction.EDIT: _(
                "Only the office administrator, or the leader before confirming, may change it."
            ),
        }
        raise PermissionDenied(messages.get(action, _("Only the office administrator may do this.")))


def occurrence_user_can(*, user, action: DutyAction, occurrence) -> bool:
    """Recording is personal: only the person who answers for the period, while they lead the post."""
    if not _active(user):
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
