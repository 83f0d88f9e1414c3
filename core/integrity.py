"""Content checks: beside the chains, each subdomain registers a check that holds its stored records to
what was signed or uploaded (a letter's content hash, a sealed PDF's or an evidence file's SHA-256 against
the bytes in storage). `verify_audit_chain` and the nightly check run them all and report by object."""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _


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


def stored_file_sha256(file) -> str | None:
    """The SHA-256 of a stored file's bytes (a FieldFile), read in chunks; None when storage lacks it."""
    try:
        with file.open("rb") as stored:
            return hashlib.file_digest(stored, "sha256").hexdigest()
    except (OSError, ValueError):
        return None


def sealed_pdf_problem(file, sha256: str) -> str:
    """Why a stored sealed PDF is not the one that was sealed ("" when its bytes are): any kind of sealed
    document (a letter, a year-end report) is checked the same way."""
    digest = stored_file_sha256(file)
    if digest is None:
        return _("The sealed PDF is missing from storage.")
    if digest != sha256:
        return _("The sealed PDF in storage is not the one that was sealed (its SHA-256 differs).")
    return ""
