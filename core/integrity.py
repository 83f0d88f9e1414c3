"""Content checks: beside the chains, each subdomain registers a check that holds its stored records to
what was signed or uploaded (a letter's content hash, a sealed PDF's or an evidence file's SHA-256 against
the bytes in storage). `verify_audit_chain` and the nightly check run them all and report by object."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class IntegrityProblem:
    """One object that no longer matches its record: what it is and why, in the user's language."""

    subject: str
    reason: str


@dataclass(frozen=True)
class IntegrityCheck:
    name: str
    label: object  # a lazy translation: "Letter contents"
    run: Callable[[], Iterable[IntegrityProblem]]


INTEGRITY_CHECKS: dict[str, IntegrityCheck] = {}


def integrity_check_register(check: IntegrityCheck) -> IntegrityCheck:
    if check.name in INTEGRITY_CHECKS:
        raise ValueError(f"an integrity check named {check.name} is already registered")
    INTEGRITY_CHECKS[check.name] = check
    return check
