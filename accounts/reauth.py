"""Re-authentication before signing: the user re-enters their password (or, with no password here, signs in
afresh at the identity platform: accounts.sso.oidc_reauth), and the code of their second factor where they
have one; it counts for a short window."""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from accounts.two_factor.selectors import second_factor_enrolled
from core import clock
from core.errors import ApplicationError

# How long a confirmed identity lets the person attest (sign a letter or a batch of countersignatures,
# confirm a talk record).
REAUTHENTICATION_WINDOW = timedelta(minutes=5)

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


def reauthentication_is_fresh(confirmed_at: datetime | None) -> bool:
    """A confirmed identity counts for REAUTHENTICATION_WINDOW, no longer."""
    return confirmed_at is not None and clock.now() - confirmed_at <= REAUTHENTICATION_WINDOW


def reauthentication_check(confirmed_at: datetime | None) -> None:
    """An attestation (a signature, a talk record confirmed) needs an identity confirmed within
    REAUTHENTICATION_WINDOW."""
    if confirmed_at is None:
        raise ApplicationError(_("Please enter your password to confirm it is you."), code="reauth_missing")
    if not reauthentication_is_fresh(confirmed_at):
        raise ApplicationError(
            _(
                "Your identity confirmation has expired (it lasts 5 minutes). "
                "Please enter your password again."
            ),
            code="reauth_expired",
        )
