"""Re-authentication before signing: the user re-enters their password; it counts for a short window."""

from datetime import datetime

from core import clock

_SESSION_KEY = "reauthenticated_at"


def reauthentication_record(request) -> None:
    request.session[_SESSION_KEY] = clock.now().isoformat()


def reauthenticated_at(request) -> datetime | None:
    """When this session last confirmed the password, or None. The signing rules decide if it is fresh."""
    value = request.session.get(_SESSION_KEY)
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
