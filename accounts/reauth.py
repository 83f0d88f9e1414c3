"""Re-authentication before signing: the user re-enters their password (or, with no password here, signs in
afresh at the identity platform: accounts.sso.oidc_reauth), and the code of their second factor where they
have one; it counts for a short window."""

from datetime import datetime

from accounts.two_factor.selectors import second_factor_enrolled
from core import clock

_SESSION_KEY = "reauthenticated_at"
_SECOND_FACTOR_KEY = "reauthenticated_with_second_factor"


def reauthentication_record(request, *, second_factor: bool = False, at: datetime | None = None) -> None:
    """The password was confirmed just now, or `at` (when the person signed in afresh at the identity
    platform), and with `second_factor`, a second-factor code too."""
    request.session[_SESSION_KEY] = (at or clock.now()).isoformat()
    request.session[_SECOND_FACTOR_KEY] = second_factor


def reauthentication_second_factor_record(request) -> None:
    """The second factor's code completes a confirmation made without it (a fresh sign-in at the identity
    platform, accounts.sso.oidc_reauth). The window still counts from that confirmation, not from the code."""
    if request.session.get(_SESSION_KEY):
        request.session[_SECOND_FACTOR_KEY] = True


def reauthentication_first_factor_at(request) -> datetime | None:
    """When this session last confirmed the password (or signed in afresh at the identity platform), with or
    without a second factor; None if never."""
    value = request.session.get(_SESSION_KEY)
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def reauthenticated_at(request) -> datetime | None:
    """When this session last confirmed the person's identity, or None. The signing rules decide if it is
    fresh. A confirmation by password alone does not count for someone who has a second factor."""
    confirmed_at = reauthentication_first_factor_at(request)
    if confirmed_at is None:
        return None
    if not request.session.get(_SECOND_FACTOR_KEY) and second_factor_enrolled(user=request.user):
        return None
    return confirmed_at
