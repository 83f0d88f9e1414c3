"""Sealed documents and where each one stands: the registry the public verification answers from.

Every kind of document the organisation seals (the responsibility letter, the year-end duty report, any
new one) registers a `SealedDocumentKind` at start-up (its app's `AppConfig.ready()` imports the module
that calls `sealed_kind_register`). The kind answers two questions about its own archive: which record has
a file with this SHA-256, and which one was printed with this verification code. It answers with a
`SealedRecord`: what the document is, the rows the verification page shows, where it stands today
(in force, voided, superseded by a later version, or its record gone) and its place in an audit chain.

The seal itself is checked elsewhere (core.pdf.seal and the verification module that runs it in a
budgeted child); this module never reads a PDF. It imports no subdomain: they import it.
"""

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Crockford-style alphabet: no 0/O, 1/I/L confusion when the code is read off paper.
VERIFICATION_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_SEPARATORS = re.compile(r"[\s\-–—_.·]+")


def verification_code_new() -> str:
    """A code such as K7QX-3M9D-PA2W-H4TZ: printed on a sealed document and in its QR code."""
    raw = "".join(secrets.choice(VERIFICATION_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def verification_code_normalise(code: str) -> str | None:
    """K7QX-3M9D-PA2W-H4TZ from what someone typed (any case, spaces, missing dashes); None if malformed."""
    raw = _CODE_SEPARATORS.sub("", code or "").upper()
    if len(raw) != 16 or any(char not in VERIFICATION_CODE_ALPHABET for char in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class Standing(enum.StrEnum):
    IN_FORCE = "in_force"  # the document stands as sealed
    VOIDED = "voided"  # withdrawn after sealing: standing_at, _by and _reason say when, who and why
    SUPERSEDED = "superseded"  # a later version is in force: successor_code / successor_label name it
    # the archive still knows the file (its hash or code) but not the document it belongs to any more
    RECORD_MISSING = "record_missing"


@dataclass(frozen=True)
class ChainPlace:
    """Where the sealing of a document was recorded: the chain's event and the anchor made for it."""

    chain_label: str  # 「签署记录链」, in the user's language
    sequence: int  # the event's number in its chain
    event_hash: str
    event_label: str  # what the event recorded, as a sentence
    anchor_number: int | None  # the chain anchor made at sealing, if any
    anchor_digest: str  # "" when there is no anchor


@dataclass(frozen=True)
class SealedRecord:
    """One archived sealed document as the verification page and `verify_pdf` show it."""

    kind_label: str  # 「党风廉政建设责任书」 / 「年度履职报告」
    title: str
    reference: str
    verification_code: str
    sha256: str
    sealed_at: datetime
    standing: Standing
    standing_at: datetime | None = None  # when it was voided or superseded
    standing_by: str = ""  # who voided it (a person's name)
    standing_reason: str = ""
    successor_code: str = ""  # the verification code of the version in force (superseded only)
    successor_label: str = ""  # 「第2版」
    rows: tuple[tuple[str, str], ...] = ()  # (label, value) lines the page shows: unit, signers, dates
    chain: ChainPlace | None = None


class SealedDocumentKind(Protocol):
    """A kind of sealed document: looks up its own archive. Both methods return None when not theirs.

    `record_by_code` receives the code normalised (K7QX-3M9D-PA2W-H4TZ). A kind may also define
    `archived_pdf(self, sha256: str) -> bytes | None`, the stored file with that SHA-256: then a copy
    of one of its documents saved again by another program (same pages, other bytes) is recognised as
    such (`sealed_archived_pdf`). Only a document the archive holds as sealed is a record: one still
    being prepared, or whose rendering failed, is nobody's.
    """

    name: str

    def record_by_sha256(self, sha256: str) -> SealedRecord | None: ...

    def record_by_code(self, code: str) -> SealedRecord | None: ...


# Every kind of sealed document, by name, in the order they registered.
SEALED_KINDS: dict[str, SealedDocumentKind] = {}


def sealed_kind_register(kind: SealedDocumentKind) -> None:
    """Make a kind of sealed document verifiable. A name registers once (a second is a programming error)."""
    if kind.name in SEALED_KINDS:
        raise ValueError(f"a sealed document kind named {kind.name} is already registered")
    SEALED_KINDS[kind.name] = kind


def sealed_kind_unregister(name: str) -> None:
    """Remove a kind (tests that register a fake kind clean up with this)."""
    SEALED_KINDS.pop(name, None)


def sealed_record_by_sha256(sha256: str) -> SealedRecord | None:
    """The archived sealed document whose stored file has exactly this SHA-256, of whichever kind."""
    sha256 = (sha256 or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        return None
    for kind in SEALED_KINDS.values():
        record = kind.record_by_sha256(sha256)
        if record is not None:
            return record
    return None


def sealed_record_by_code(code: str) -> SealedRecord | None:
    """The archived sealed document printed with this verification code (as typed), of whichever kind."""
    normalised = verification_code_normalise(code)
    if normalised is None:
        return None
    for kind in SEALED_KINDS.values():
        record = kind.record_by_code(normalised)
        if record is not None:
            return record
    return None


def sealed_archived_pdf(record: SealedRecord) -> bytes | None:
    """The stored file of an archived record, from the kinds that can read theirs (None otherwise)."""
    for kind in SEALED_KINDS.values():
        read = getattr(kind, "archived_pdf", None)
        pdf = read(record.sha256) if read is not None else None
        if pdf is not None:
            return pdf
    return None
