"""The lifecycle of a rectification, as a table. Change the process here and nowhere else."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import TransitionNotAllowed
from responsibility.supervision.models import RectificationStatus

# --- Rectification (整改): open → submitted → verified → closed (销号), or back to open --------------

R = RectificationStatus

RECTIFICATION_TRANSITIONS: dict[RectificationStatus, frozenset[RectificationStatus]] = {
    R.OPEN: frozenset({R.SUBMITTED}),
    R.SUBMITTED: frozenset({R.VERIFIED, R.OPEN}),  # accepted, or sent back with a reason
    R.VERIFIED: frozenset({R.CLOSED}),
    R.CLOSED: frozenset(),
}

# The timestamp field each target state sets.
RECTIFICATION_STAMPS: dict[RectificationStatus, str] = {
    R.SUBMITTED: "submitted_at",
    R.VERIFIED: "verified_at",
    R.CLOSED: "closed_at",
}

_RECTIFICATION_REFUSALS: dict[RectificationStatus, str] = {
    R.OPEN: gettext_noop("Only a submitted rectification can be sent back; this one is %(status)s."),
    R.SUBMITTED: gettext_noop("This rectification cannot be submitted now: it is %(status)s."),
    R.VERIFIED: gettext_noop("Only a submitted rectification can be verified; this one is %(status)s."),
    R.CLOSED: gettext_noop("Only a verified rectification can be ticked off; this one is %(status)s."),
}


def rectification_ensure_transition_allowed(*, current: str, target: RectificationStatus) -> None:
    current = RectificationStatus(current)
    if target not in RECTIFICATION_TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _(_RECTIFICATION_REFUSALS[target]) % {"status": current.label}, code=f"{current}_to_{target}"
        )
