"""The lifecycle of a letter, as a table. Change the process here and nowhere else."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import TransitionNotAllowed
from responsibility.letters.models.letters import LetterStatus

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


def ensure_transition_allowed(*, current: str, target: LetterStatus) -> None:
    current = LetterStatus(current)
    if target not in TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _(_REFUSALS[target]) % {"status": current.label}, code=f"{current}_to_{target}"
        )
