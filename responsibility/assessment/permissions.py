"""Who may do what in assessment: the only place it is decided.

Schemes: the office loads, publishes and discards them (`add_assessmentscheme`); the inspection team and
the Party Group read every version, drafts included (`view_assessmentscheme`); everyone else signed in
reads the published ones, the rules they are assessed by.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

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
