"""The lifecycle of a rectification, as a table. Change the process here and nowhere else."""

from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import TransitionNotAllowed
from responsibility.supervision.models import RectificationStatus

# --- Rectification (整改): open → submitted → verified → closed (销号), or back to open --------------

R = RectificationStatus


class RectificationStep(StrEnum):
    SUBMIT = "submit"  # the owner reports the fix (or its last measure)
    SEND_BACK = "send_back"  # the team finds the fix not good enough
    VERIFY = "verify"  # the team accepts it
    CLOSE = "close"  # 销号
    REOPEN = "reopen"  # a 回头看 finds it 整改不到位 or 虚假整改


# Each step: the states it may start from, and the state it leads to.
RECTIFICATION_STEPS: dict[RectificationStep, tuple[frozenset[RectificationStatus], RectificationStatus]] = {
    RectificationStep.SUBMIT: (frozenset({R.OPEN}), R.SUBMITTED),
    RectificationStep.SEND_BACK: (frozenset({R.SUBMITTED}), R.OPEN),
    RectificationStep.VERIFY: (frozenset({R.SUBMITTED}), R.VERIFIED),
    RectificationStep.CLOSE: (frozenset({R.VERIFIED}), R.CLOSED),
    RectificationStep.REOPEN: (frozenset({R.CLOSED}), R.OPEN),
}

# The moves the steps make, by state: what a rectification in each state may become.
RECTIFICATION_TRANSITIONS: dict[RectificationStatus, frozenset[RectificationStatus]] = {
    state: frozenset(target for sources, target in RECTIFICATION_STEPS.values() if state in sources)
    for state in R
}

# The timestamp field each target state sets.
RECTIFICATION_STAMPS: dict[RectificationStatus, str] = {
    R.SUBMITTED: "submitted_at",
    R.VERIFIED: "verified_at",
    R.CLOSED: "closed_at",
}

_RECTIFICATION_REFUSALS: dict[RectificationStep, str] = {
    RectificationStep.SEND_BACK: gettext_noop(
        "Only a submitted rectification can be sent back; this one is %(status)s."
    ),
    RectificationStep.SUBMIT: gettext_noop("This rectification cannot be submitted now: it is %(status)s."),
    RectificationStep.VERIFY: gettext_noop(
        "Only a submitted rectification can be verified; this one is %(status)s."
    ),
    RectificationStep.CLOSE: gettext_noop(
        "Only a verified rectification can be ticked off; this one is %(status)s."
    ),
    RectificationStep.REOPEN: gettext_noop(
        "Only a rectification ticked off the ledger is opened again by a re-check; this one is %(status)s."
    ),
}


def rectification_ensure_step_allowed(*, current: str, step: RectificationStep) -> RectificationStatus:
    """The state the step leads to from `current`; refused (TransitionNotAllowed) when the table has no
    such move."""
    current = RectificationStatus(current)
    sources, target = RECTIFICATION_STEPS[step]
    if current not in sources:
        raise TransitionNotAllowed(
            _(_RECTIFICATION_REFUSALS[step]) % {"status": current.label}, code=f"{current}_to_{target}"
        )
    return target
