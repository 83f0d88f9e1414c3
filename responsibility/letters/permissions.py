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

from responsibility.letters.models.letters import SIGNED_STATUSES, Campaign, Letter, LetterStatus


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


def letter_user_can_see_all(*, user) -> bool:
    """Every letter: superusers and holders of the global view permission (the office, the inspection team,
    the Party Group), as guardian's get_objects_for_user accepts them."""
    return user.is_authenticated and (user.is_superuser or user.has_perm(letter_perm(LetterAction.VIEW)))


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
