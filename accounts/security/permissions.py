"""Who may manage accounts and who may read the security log (三员分立).

The security administrator manages other people's accounts (roles, locks, resets, second factors,
enabling, the sign-in name and email) and never their own; the audit administrator reads the security
log and changes nothing. Anyone else gets a 404 on these pages.
"""

from enum import StrEnum

from django.http import Http404

from accounts.permissions import user_is_active
from accounts.roles import Role, user_has_role


class SecurityAction(StrEnum):
    MANAGE_ACCOUNTS = "manage_accounts"
    READ_LOG = "read_log"


_ROLE_FOR = {SecurityAction.MANAGE_ACCOUNTS: Role.SECURITY_ADMIN, SecurityAction.READ_LOG: Role.AUDIT_ADMIN}


def security_user_can(*, user, action: SecurityAction) -> bool:
    return user_is_active(user) and user_has_role(user, _ROLE_FOR[action])


def security_check_permission(*, user, action: SecurityAction) -> None:
    """The pages of another duty do not exist for this user: a 404, as for anything they may not see."""
    if not security_user_can(user=user, action=action):
        raise Http404
