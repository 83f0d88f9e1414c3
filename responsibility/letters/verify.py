"""Is this PDF an authentic sealed document of the organisation, and does it still stand?

Every kind of sealed document (the responsibility letter, the year-end duty report, …) registers itself
with core.verification; this module answers for all of them. Two independent layers must both say yes:

1. The archive: the SHA-256 of the bytes equals an archived document's (every registered kind is asked),
   and that kind says where the document stands today: in force, voided, or superseded by a later version.
2. The seal: the PAdES signature is intact, cryptographically valid, made with a certificate that chains
   to the organisation's seal roots (the seal certificates kept in core.pdf.seal's history included), and
   nothing follows it but its validation data under a document timestamp (core.pdf.seal_check).

The verdict is one `VerificationOutcome`: authentic and in force; authentic but voided; authentic but
superseded; the organisation's valid seal but no record in the archive; not authentic (changed after
sealing, sealed by someone else, or not sealed); or unreadable (empty, not a PDF, damaged, of abnormal
structure, too complex to check in time). `manage.py verify_pdf` exits with a code per verdict.

A file changed after sealing is looked at once more, to tell the likely cause: when it links to the
verification page of an archived document (the link under its QR code) whose pages are identical to its
own (every page's objects, streams decoded, whatever their numbering, compression or layout in the file),
it is that document saved again by another program, which moves every byte and so breaks the seal
(`PdfVerification.same_pages_as`). A file whose seal's byte ranges no longer fit its bytes (what such a
program leaves) is read for this too, although the shape check refuses it; if it names no archived
document it stays refused for its structure.

Anyone may upload a file to the public page, so it is checked defensively (README, "The public
verification page"): first the file's shape, from its raw bytes (core.pdf.shape: size, revisions,
objects, byte ranges); then the cryptography, and the reading of a changed copy, in child processes that
share one time budget (settings.VERIFY_TIMEOUT_SECONDS) and each have a memory budget (core.budget). A
refusal is an answer with its own outcome, never a server error. The archive is looked up here, in the
calling process: the children never touch the database.

Nothing here fetches the network: revocation information is not looked up (the internal CA publishes none).
"""

import dataclasses
import enum
import hashlib
import io
import itertools
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pikepdf
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader

from core.budget import BudgetExceeded, run_within_budget
from core.pdf.seal import seal_ca_certificates, seal_history, seal_root_path
from core.pdf.seal_check import SealState, pdf_seal_status
from core.pdf.shape import PdfShapeLimits, pdf_shape_problem
from core.verification import (
    SealedRecord,
    Standing,
    sealed_archived_pdf,
    sealed_record_by_code,
    sealed_record_by_sha256,
    verification_code_normalise,
)

logger = logging.getLogger(__name__)


class VerificationOutcome(enum.StrEnum):
    AUTHENTIC = "authentic"  # the archived file, the organisation's valid seal, and the document is in force
    VOIDED = "voided"  # the archived file with a valid seal, but the document was voided after sealing
    SUPERSEDED = "superseded"  # the archived file with a valid seal, but a later version of it is in force
    NOT_ARCHIVED = (
        "not_archived"  # the organisation's valid seal, but the archive has no record of these bytes
    )
    # the seal does not verify, or bytes were added after it (same_pages_as: a copy saved again, pages intact)
    CHANGED = "changed"
    UNTRUSTED = "untrusted"  # an intact signature, but not made with the organisation's seal
    NO_SEAL = "no_seal"  # a readable PDF without any signature
    EMPTY = "empty"  # no bytes at all
    NOT_PDF = "not_pdf"  # the bytes do not start like a PDF
    DAMAGED = "damaged"  # starts like a PDF but cannot be parsed (for example truncated)
    # not shaped like a sealed document (too large, too many revisions or objects, a byte range PAdES does
    # not allow): refused from its raw bytes, before any cryptography
    MALFORMED = "malformed"
    TOO_COMPLEX = "too_complex"  # the seal check ran out of its time or memory budget and was stopped


# The file is exactly an archived document's, under the organisation's valid seal.
AUTHENTIC_OUTCOMES = frozenset(
    {VerificationOutcome.AUTHENTIC, VerificationOutcome.VOIDED, VerificationOutcome.SUPERSEDED}
)
# Nothing can be said of the file's authenticity: it could not be read as a sealed document.
UNREADABLE_OUTCOMES = frozenset(
    {
        VerificationOutcome.EMPTY,
        VerificationOutcome.NOT_PDF,
        VerificationOutcome.DAMAGED,
        VerificationOutcome.MALFORMED,
        VerificationOutcome.TOO_COMPLEX,
    }
)
_STANDING_OUTCOMES = {
    Standing.IN_FORCE: VerificationOutcome.AUTHENTIC,
    Standing.VOIDED: VerificationOutcome.VOIDED,
    Standing.SUPERSEDED: VerificationOutcome.SUPERSEDED,
    Standing.RECORD_MISSING: VerificationOutcome.NOT_ARCHIVED,
}


@dataclass(frozen=True)
class PdfVerification:
    """The verdict on one file, for the page and the command (texts in the active language)."""

    outcome: VerificationOutcome
    sha256: str  # of the bytes checked
    record: SealedRecord | None = None  # the archived document with exactly these bytes, if any
    seal_valid: bool = False  # intact, trusted and covering the whole file
    signed_by: str = ""  # subject of the certificate that made the seal ("" when there is none)
    sealed_at: datetime | None = None  # timestamp time (B-T) or the time the sealing server reported
    # CHANGED only: the archived document whose pages this file has, byte for byte once read (a re-saved copy)
    same_pages_as: SealedRecord | None = None

    @property
    def authentic(self) -> bool:
        """The archived bytes, under the organisation's valid seal (whether or not still in force)."""
        return self.outcome in AUTHENTIC_OUTCOMES

    @property
    def in_force(self) -> bool:
        return self.outcome == VerificationOutcome.AUTHENTIC

    @property
    def unreadable(self) -> bool:
        return self.outcome in UNREADABLE_OUTCOMES

    @property
    def tone(self) -> str:
        """How the page colours the verdict: ok (green), warn (amber) or bad (red)."""
        if self.outcome == VerificationOutcome.AUTHENTIC:
            return "ok"
        if self.outcome in (
            VerificationOutcome.VOIDED,
            VerificationOutcome.SUPERSEDED,
            VerificationOutcome.NOT_ARCHIVED,
        ):
            return "warn"
        return "bad"

    @property
    def headline(self) -> str:
        """The verdict in a few words, read at a glance."""
        if self.outcome == VerificationOutcome.SUPERSEDED and self.record.successor_label:
            return _("Authentic, but superseded by %(version)s") % {"version": self.record.successor_label}
        return _headline(self.outcome)

    @property
    def reason(self) -> str:
        """The verdict as a sentence."""
        return _reason(self.outcome, self.record)

    @property
    def resaved_note(self) -> str:
        """For a copy saved again by another program: what that usually means, what to do ("" otherwise)."""
        if self.same_pages_as is None:
            return ""
        return _(
            "Its pages are identical to those of the archived %(kind)s %(reference)s, but its bytes are not. "
            "This usually means the file was saved again by another program (for example with “Save as” in "
            "a PDF reader or editor), which breaks the seal even though nothing visible changed. Ask the "
            "office that issued it for the original file, or look up its verification code."
        ) % {"kind": self.same_pages_as.kind_label, "reference": self.same_pages_as.reference}


@dataclass(frozen=True)
class _CopyMarks:
    """What a changed file says of its origin: the verification codes it links to, and its pages' digest."""

    codes: tuple[str, ...]
    pages: str


@dataclass(frozen=True)
class _SealCheck:
    outcome: VerificationOutcome
    signed_by: str = ""
    sealed_at: datetime | None = None
    marks: _CopyMarks | None = None  # for a changed file that links to a verification code


def pdf_verify(*, pdf: bytes) -> PdfVerification:
    """Authentic only when the exact bytes are archived and the organisation's seal is valid; then where
    the document stands. The one way in for the verification page and `manage.py verify_pdf`: answers
    within the budget (settings.VERIFY_TIMEOUT_SECONDS after the shape check), whatever the file.
    """
    deadline = time.monotonic() + settings.VERIFY_TIMEOUT_SECONDS
    sha256 = hashlib.sha256(pdf).hexdigest()
    if not pdf:
        return PdfVerification(VerificationOutcome.EMPTY, sha256)
    if not pdf.startswith(b"%PDF-"):
        return PdfVerification(VerificationOutcome.NOT_PDF, sha256)
    record = sealed_record_by_sha256(sha256)
    seal = _seal_check(pdf, moment=record.sealed_at if record else None)
    outcome = seal.outcome
    if outcome == VerificationOutcome.AUTHENTIC:
        outcome = _STANDING_OUTCOMES[record.standing] if record else VerificationOutcome.NOT_ARCHIVED
    same_pages_as = None
    if seal.marks is not None:
        named, same_pages_as = _archived_original(seal.marks, deadline=deadline)
        if outcome == VerificationOutcome.MALFORMED and named is not None:
            outcome = VerificationOutcome.CHANGED  # a readable copy of an archived document, bytes moved
    return PdfVerification(
        outcome=outcome,
        sha256=sha256,
        record=record,
        seal_valid=seal.outcome == VerificationOutcome.AUTHENTIC,
        signed_by=seal.signed_by,
        sealed_at=seal.sealed_at,
        same_pages_as=same_pages_as,
    )


def pdf_seal_check(*, pdf: bytes) -> bool:
    """The seal layer alone (no archive lookup): intact, trusted, and nothing added after it."""
    return _seal_check(pdf, moment=None).outcome == VerificationOutcome.AUTHENTIC


def standing_headline(record: SealedRecord | None) -> str:
    """Where the document printed with a code stands, in a few words (the code page's headline)."""
    if record is None:
        return _("No archived document has this code")
    return {
        Standing.IN_FORCE: _("In force: an archived document has this code"),
        Standing.VOIDED: _("Voided: the document with this code no longer stands"),
        Standing.SUPERSEDED: _("Superseded by %(version)s: the document with this code no longer stands")
        % {"version": record.successor_label or _("a later version")},
        Standing.RECORD_MISSING: _("The archive's record of the document with this code is missing"),
    }[record.standing]


def standing_tone(record: SealedRecord | None) -> str:
    """How the code page colours it: ok (in force), warn (no longer standing) or bad (unknown code)."""
    if record is None:
        return "bad"
    return "ok" if record.standing == Standing.IN_FORCE else "warn"


def standing_rows(record: SealedRecord) -> tuple[tuple[str, str], ...]:
    """When, by whom and why a document stopped standing, as (label, value) lines ("" values left out)."""
    if record.standing == Standing.VOIDED:
        labels = (_("Voided on"), _("Voided by"), _("Reason for voiding"))
    elif record.standing == Standing.SUPERSEDED:
        labels = (_("Replaced on"), _("Replaced by"), _("Reason"))
    else:
        return ()
    values = (local_time(record.standing_at), record.standing_by, record.standing_reason)
    return tuple((label, value) for label, value in zip(labels, values, strict=True) if value)


def local_time(moment: datetime | None) -> str:
    """「2026年3月1日 14:05」 in the site's time zone ("" for None)."""
    return dateformat.format(timezone.localtime(moment), "Y年n月j日 H:i") if moment else ""


def _headline(outcome: VerificationOutcome) -> str:
    if outcome in UNREADABLE_OUTCOMES:
        return _("Cannot be verified: the file cannot be read")
    return {
        VerificationOutcome.AUTHENTIC: _("Authentic and in force"),
        VerificationOutcome.VOIDED: _("Authentic, but voided"),
        VerificationOutcome.SUPERSEDED: _("Authentic, but superseded by a later version"),
        VerificationOutcome.NOT_ARCHIVED: _("Genuine seal, but no record in the archive"),
        VerificationOutcome.CHANGED: _("Not authentic: changed after sealing"),
        VerificationOutcome.UNTRUSTED: _("Not authentic: not sealed by this organisation"),
        VerificationOutcome.NO_SEAL: _("Not authentic: the file carries no seal"),
    }[outcome]


def _reason(outcome: VerificationOutcome, record: SealedRecord | None) -> str:
    kind = record.kind_label if record else ""
    if outcome == VerificationOutcome.AUTHENTIC:
        return _(
            "This is the archived %(kind)s, unchanged since the organisation sealed it, and it is in force."
        ) % {"kind": kind}
    if outcome == VerificationOutcome.VOIDED:
        return _(
            "This is the archived %(kind)s, unchanged since the organisation sealed it, but it was voided "
            "on %(time)s and no longer stands."
        ) % {"kind": kind, "time": local_time(record.standing_at)}
    if outcome == VerificationOutcome.SUPERSEDED:
        return _(
            "This is the archived %(kind)s, unchanged since the organisation sealed it, but %(version)s has "
            "replaced it and is in force now."
        ) % {"kind": kind, "version": record.successor_label or _("a later version")}
    return {
        VerificationOutcome.NOT_ARCHIVED: _(
            "The file carries the organisation's valid seal, but the archive holds no record of it: ask the "
            "office that issued it."
        ),
        VerificationOutcome.CHANGED: _("The seal does not verify: the file was changed after sealing."),
        VerificationOutcome.UNTRUSTED: _("The file is sealed, but not with the organisation's seal."),
        VerificationOutcome.NO_SEAL: _("The file carries no organisation seal."),
        VerificationOutcome.EMPTY: _("The file is empty."),
        VerificationOutcome.NOT_PDF: _("This is not a PDF file."),
        VerificationOutcome.DAMAGED: _("The file is damaged: it cannot be read as a PDF."),
        VerificationOutcome.MALFORMED: _(
            "The file's structure is abnormal: it is not a document sealed by this system."
        ),
        VerificationOutcome.TOO_COMPLEX: _("The file is too complex to be verified in the time allowed."),
    }[outcome]


def _seal_check(pdf: bytes, *, moment: datetime | None) -> _SealCheck:
    """Check the file's seal (core.pdf.seal_check). `moment` is when to judge the certificate's validity.

    For an archived file the moment is when the office stored it (our own record), so a seal certificate
    that has expired since still proves an old document; any other file is judged now.
    """
    if not pdf.startswith(b"%PDF-"):
        return _SealCheck(VerificationOutcome.NOT_PDF)
    limits = PdfShapeLimits(
        max_bytes=settings.VERIFY_MAX_BYTES,
        max_revisions=settings.VERIFY_MAX_REVISIONS,
        max_objects=settings.VERIFY_MAX_OBJECTS,
    )
    problem = pdf_shape_problem(pdf, limits=limits)
    validate = problem is None
    if problem is not None:
        logger.info("PDF to verify refused by its shape: %s", problem)
        if pdf_shape_problem(pdf, limits=limits, byte_range_offsets=False) is not None:
            return _SealCheck(VerificationOutcome.MALFORMED)
        # Only the seal's byte ranges do not fit the bytes: perhaps a copy saved again; read, not validated.
    try:
        return run_within_budget(
            _seal_inspect,
            pdf,
            _trust_roots(),  # read here: the files and their cache belong to this process
            moment,
            validate,
            seconds=settings.VERIFY_TIMEOUT_SECONDS,
            memory_bytes=settings.VERIFY_MEMORY_BYTES,
        )
    except BudgetExceeded as exceeded:
        logger.warning(
            "Seal check of a PDF to verify (%d bytes, SHA-256 %s) stopped: %s",
            len(pdf),
            hashlib.sha256(pdf).hexdigest(),
            exceeded,
        )
        return _SealCheck(VerificationOutcome.TOO_COMPLEX)


def _seal_inspect(
    pdf: bytes, trust_roots: tuple[asn1_x509.Certificate, ...], moment: datetime | None, validate: bool
) -> _SealCheck:
    """In the budgeted child: the seal's check (`validate`), and for a changed file what it is a copy of."""
    check = (
        _seal_validate(pdf, trust_roots, moment) if validate else _SealCheck(VerificationOutcome.MALFORMED)
    )
    if check.outcome in (VerificationOutcome.CHANGED, VerificationOutcome.MALFORMED):
        return dataclasses.replace(check, marks=_copy_marks(pdf))
    return check


# A link to a verification page, as printed under the QR code: …/verify/K7QX-3M9D-PA2W-H4TZ/
_VERIFY_LINK = re.compile(r"/verify/([0-9A-Za-z-]{16,19})/?(?:[?#]|$)")
_MAX_CODES = 3  # a document links to its own code; a few more are read, no more
_MAX_ANNOTATIONS = 500


def _copy_marks(pdf: bytes) -> _CopyMarks | None:
    """The codes a changed file links to, and its pages' digest; None if it links to none or is unreadable."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            codes = _linked_codes(document)
            return _CopyMarks(codes=codes, pages=_pages_digest(document)) if codes else None
    except Exception as error:  # untrusted bytes: any failure only means nothing more is said
        logger.info("Changed PDF to verify not read further: %s: %s", type(error).__name__, str(error)[:200])
        return None


def _linked_codes(document: pikepdf.Pdf) -> tuple[str, ...]:
    codes: list[str] = []
    annotations = (
        annotation
        for page in document.pages
        for annotation in page.obj.get("/Annots", pikepdf.Array())
        if isinstance(annotation, pikepdf.Dictionary)
    )
    for annotation in itertools.islice(annotations, _MAX_ANNOTATIONS):
        action = annotation.get("/A")
        uri = action.get("/URI") if isinstance(action, pikepdf.Dictionary) else None
        match = _VERIFY_LINK.search(str(uri)) if isinstance(uri, pikepdf.String) else None
        code = verification_code_normalise(match.group(1)) if match else None
        if code and code not in codes:
            codes.append(code)
            if len(codes) == _MAX_CODES:
                break
    return tuple(codes)


def _pages_digest_of(pdf: bytes) -> str:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return _pages_digest(document)


def _pages_digest(document: pikepdf.Pdf) -> str:
    """SHA-256 over every page as drawn: each page's objects, followed through every reference (fonts,
    images, annotations, the seal's signature dictionary), dictionaries in key order, streams decoded.
    Independent of object numbers, compression, object streams and where objects sit in the file, so a
    copy saved again by another program digests as its original did; anything drawn differently does not.
    """
    digest = hashlib.sha256()
    seen: dict[tuple[int, int], int] = {}
    for page in document.pages:
        digest.update(b"P")
        _object_digest(page.obj, digest, seen, skip=("/Parent",))  # the page tree, not the page
    return digest.hexdigest()


_STREAM_ENCODING = frozenset({"/Length", "/Filter", "/DecodeParms", "/DL"})


def _object_digest(obj, digest, seen: dict, skip=()) -> None:
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        if obj.objgen in seen:  # met before (a cycle, or shared): named by when it was first met
            digest.update(b"R%d;" % seen[obj.objgen])
            return
        seen[obj.objgen] = len(seen)
    if isinstance(obj, pikepdf.Stream):
        digest.update(b"S{")
        for name in sorted(set(obj.keys()) - _STREAM_ENCODING):
            digest.update(name.encode() + b"=")
            _object_digest(obj[name], digest, seen)
        data = obj.read_bytes()
        digest.update(b"}%d:" % len(data) + data)
    elif isinstance(obj, pikepdf.Dictionary):
        digest.update(b"D{")
        for name in sorted(set(obj.keys()) - set(skip)):
            digest.update(name.encode() + b"=")
            _object_digest(obj[name], digest, seen)
        digest.update(b"}")
    elif isinstance(obj, pikepdf.Array):
        digest.update(b"A[")
        for item in obj:
            _object_digest(item, digest, seen)
        digest.update(b"]")
    elif isinstance(obj, pikepdf.Name):
        digest.update(b"N" + str(obj).encode() + b";")
    elif isinstance(obj, pikepdf.String):
        data = bytes(obj)
        digest.update(b"T%d:" % len(data) + data)
    elif isinstance(obj, bool):
        digest.update(b"B1;" if obj else b"B0;")
    elif isinstance(obj, int | float | Decimal):  # a real written 1.50 or 1.5 is the same number
        digest.update(b"F" + format(round(Decimal(obj), 4).normalize(), "f").encode() + b";")
    elif obj is None:
        digest.update(b"0;")
    else:
        digest.update(b"?" + repr(obj).encode() + b";")


def _archived_original(
    marks: _CopyMarks, *, deadline: float
) -> tuple[SealedRecord | None, SealedRecord | None]:
    """(the archived document a changed file names by its code, that document again if the file has its
    pages). The archived file is read in a child too, within what is left of the budget."""
    for code in marks.codes:
        record = sealed_record_by_code(code)
        if record is None:
            continue
        archived = sealed_archived_pdf(record)
        remaining = deadline - time.monotonic()
        if archived is None or remaining <= 0:
            return record, None
        try:
            pages = run_within_budget(
                _pages_digest_of, archived, seconds=remaining, memory_bytes=settings.VERIFY_MEMORY_BYTES
            )
        except BudgetExceeded as exceeded:
            logger.warning(
                "Archived PDF %s not read in time for a copy's comparison: %s", record.sha256, exceeded
            )
            return record, None
        return record, record if pages == marks.pages else None
    return None, None


def _seal_validate(
    pdf: bytes, trust_roots: tuple[asn1_x509.Certificate, ...], moment: datetime | None
) -> _SealCheck:
    """The cryptographic check, run in the budgeted child process (no database, no settings needed)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        reader.embedded_signatures  # noqa: B018 (parses the signature fields: a broken file fails here)
    except Exception as error:  # any parse failure of untrusted bytes is an answer, not a server error
        logger.info("PDF to verify cannot be parsed: %s: %s", type(error).__name__, str(error)[:200])
        return _SealCheck(VerificationOutcome.DAMAGED)
    try:
        status = pdf_seal_status(reader, trust_roots=trust_roots, moment=moment)
    except Exception as error:
        logger.info(
            "Seal of the PDF to verify cannot be validated: %s: %s", type(error).__name__, str(error)[:200]
        )
        return _SealCheck(VerificationOutcome.CHANGED)
    if status.why:
        logger.info("Seal of the PDF to verify: %s", status.why)
    outcome = {
        SealState.NONE: VerificationOutcome.NO_SEAL,
        SealState.CHANGED: VerificationOutcome.CHANGED,
        SealState.UNTRUSTED: VerificationOutcome.UNTRUSTED,
        SealState.VALID: VerificationOutcome.AUTHENTIC,
    }[status.state]
    return _SealCheck(outcome, signed_by=status.signed_by, sealed_at=status.sealed_at)


_roots_lock = threading.Lock()
_roots_cache: tuple[tuple, tuple[asn1_x509.Certificate, ...]] | None = None


def _trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The seal's root (PEM beside the PKCS#12 file, and the CA certificates inside it) plus
    SEAL_TRUST_ROOTS_FILE (for example the root of a previous seal). Reloaded when a file changes."""
    global _roots_cache
    files = [seal_root_path(settings.SEAL_PKCS12_FILE)]
    if settings.SEAL_TRUST_ROOTS_FILE:
        files.append(Path(settings.SEAL_TRUST_ROOTS_FILE))
    files.extend(Path(path) for path in settings.SEAL_TIMESTAMP_CERTIFICATES)
    # Every seal certificate the system has used stays trusted for the documents it sealed.
    kept = tuple(certificate.dump() for entry in seal_history() for certificate in entry.authorities)
    ca_certificates = seal_ca_certificates() + kept
    key = (tuple((str(path), _mtime(path)) for path in files), ca_certificates)
    with _roots_lock:
        if _roots_cache is not None and _roots_cache[0] == key:
            return _roots_cache[1]
        ders = list(ca_certificates)
        for path in files:
            ders.extend(_pem_certificates(path))
        roots = {}
        for der in ders:
            try:
                cert = asn1_x509.Certificate.load(der)
                roots[cert.sha256] = cert
            except ValueError:
                logger.warning("Ignoring a malformed trusted seal certificate")
        if not roots:
            logger.warning("No seal root certificate is configured: no PDF can verify as authentic.")
        _roots_cache = (key, tuple(roots.values()))
        return _roots_cache[1]


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _pem_certificates(path: Path) -> list[bytes]:
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if not pem.detect(data):
        return [data]  # a single DER certificate
    return [
        der for type_name, _headers, der in pem.unarmor(data, multiple=True) if type_name == "CERTIFICATE"
    ]
