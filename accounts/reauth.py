"""Re-authentication before signing: the user re-enters their password, and the code of their second factor
where they have one; it counts for a short window."""

from datetime import datetime

from accounts.two_factor.selectors import second_factor_enrolled
from core import clock

_SESSION_KEY = "reauthenticated_at"
_SECOND_FACTOR_KEY = "reauthenticated_with_second_factor"


def reauthentication_record(request, *, second_factor: bool = False) -> None:
    """The password was confirmed just now (and, with `second_factor`, a second-factor code too)."""
    request.session[_SESSION_KEY] = clock.now().isoformat()
    request.session[_SECOND_FACTOR_KEY] = second_factor


def reauthenticated_at(request) -> datetime | None:
    """When this session last confirmed the person's identity, or None. The signing rules decide if it is
    fresh. A confirmation by password alone does not count for someone who has a second factor."""
    value = request.session.get(_SESSION_KEY)
    try:
        confirmed_at = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    if confirmed_at is None:
        return None
    if not request.session.get(_SECOND_FACTOR_KEY) and second_factor_enrolled(user=request.user):
        return None
    return confirmed_at
