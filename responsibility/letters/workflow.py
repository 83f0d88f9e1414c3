"""The lifecycles of letters and of rectifications, one table each. Change a process here and nowhere else."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import ApplicationError
from responsibility.letters.models.letters import LetterStatus
from responsibility.supervision.models import RectificationStatus

S = LetterStatus

TRANSITIONS: dict[LetterStatus, frozenset[LetterStatus]] = {
    S.DRAFT: frozenset({S.ISSUED, S.VOIDED}),
    S.ISSUED: frozenset({S.SIGNED, S.RETURNED, S.VOIDED}),
    S.SIGNED: frozenset({S.COUNTERSIGNED, S.VOIDED}),
    S.COUNTERSIGNED: frozenset({S.ARCHIVED, S.VOIDED}),
    S.ARCHIVED: frozenset(),
    S.RETURNED: frozenset(),  # superseded by the revised version, which is a new letter
    S.VOIDED: frozenset(),
}

# The timestamp field each target state sets (a field name, not text for people).
STAMPS: dict[LetterStatus, str] = {
    S.ISSUED: "issued_at",
    S.SIGNED: "signed_at",
    S.COUNTERSIGNED: "countersigned_at",
    S.ARCHIVED: "archived_at",
    S.RETURNED: "returned_at",
    S.VOIDED: "voided_at",
}

# Why a move is refused, in words for the person who tried it.
_REFUSALS: dict[LetterStatus, str] = {
    S.ISSUED: gettext_noop("This letter has already been issued."),
    S.SIGNED: gettext_noop("This letter cannot be signed now: it is %(status)s."),
    S.COUNTERSIGNED: gettext_noop("This letter cannot be countersigned now: it is %(status)s."),
    S.ARCHIVED: gettext_noop("Only a countersigned letter can be archived; this one is %(status)s."),
    S.RETURNED: gettext_noop("This letter cannot be returned now: it is %(status)s."),
    S.VOIDED: gettext_noop("This letter cannot be voided: it is %(status)s."),
}


class TransitionNotAllowed(ApplicationError):
    """The record's stored state does not allow the requested move."""


def ensure_transition_allowed(*, current: str, target: LetterStatus) -> None:
    current = LetterStatus(current)
    if target not in TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _(_REFUSALS[target]) % {"status": current.label}, code=f"{current}_to_{target}"
        )


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
