"""Is this PDF an authentic archived letter? Two independent layers must both say yes.

1. The archive: the SHA-256 of the bytes equals a READY LetterDocument's sha256 (the file is exactly the
   one the office stored).
2. The seal: the PAdES signature is intact, cryptographically valid, made with a certificate that chains
   to the organisation's seal root, and covers the entire file (nothing was added after sealing).

Anyone may upload a file to the public page, so the seal is checked defensively (README, "The public
verification page"): first the file's shape, from its raw bytes (core.pdf.shape: size, revisions,
objects, byte ranges); then the cryptography, in a child process with a time and a memory budget
(core.budget). Either refusal is an answer with its own outcome, never a server error. The archive is
looked up here, in the calling process: the child never touches the database.

Nothing here fetches the network: revocation information is not looked up (the internal CA publishes none).
"""

import enum
import hashlib
import io
import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from core.budget import BudgetExceeded, run_within_budget
from core.pdf.seal import seal_ca_certificates, seal_root_path
from core.pdf.shape import PdfShapeLimits, pdf_shape_problem
from responsibility.letters.models.documents import VERIFICATION_CODE_ALPHABET, DocumentStatus, LetterDocument
from responsibility.letters.models.letters import Signature

logger = logging.getLogger(__name__)


class VerificationOutcome(enum.StrEnum):
    NOT_PDF = "not_pdf"  # the bytes do not start like a PDF
    DAMAGED = "damaged"  # starts like a PDF but cannot be parsed (for example truncated)
    # not shaped like a sealed letter (too large, too many revisions or objects, a byte range PAdES does
    # not allow): refused from its raw bytes, before any cryptography
    MALFORMED = "malformed"
    TOO_COMPLEX = "too_complex"  # the seal check ran out of its time or memory budget and was stopped
    NO_SEAL = "no_seal"  # a readable PDF without any signature
    CHANGED = "changed"  # the seal does not verify, or bytes were added after it
    UNTRUSTED = "untrusted"  # intact signature, but not made with the organisation's seal
    NOT_ARCHIVED = "not_archived"  # a valid seal, but no archived letter has these exact bytes
    AUTHENTIC = "authentic"  # stored hash matches and the seal is valid


@dataclass(frozen=True)
class PdfVerification:
    authentic: bool
    reason: str  # in the user's language, for the page and the command
    document: LetterDocument | None  # the archived document with these exact bytes, if any
    seal_valid: bool  # intact, trusted and covering the whole file
    signed_by: str  # subject of the certificate that made the seal ("" when there is none)
    sealed_at: datetime | None  # timestamp time (B-T) or the time the sealing server reported
    outcome: VerificationOutcome = VerificationOutcome.NOT_PDF
    sha256: str = ""  # of the bytes checked


@dataclass(frozen=True)
class _SealCheck:
    outcome: VerificationOutcome
    signed_by: str = ""
    sealed_at: datetime | None = None


def pdf_verify(*, pdf: bytes) -> PdfVerification:
    """Authentic only when the exact bytes are archived (READY) and the organisation's seal is valid.

    The one way in for the verification page and `manage.py verify_pdf`: answers within the budget
    (settings.VERIFY_TIMEOUT_SECONDS after the shape check), whatever the file.
    """
    sha256 = hashlib.sha256(pdf).hexdigest()
    document = _ready_document_with_sha256(sha256) if pdf.startswith(b"%PDF-") else None
    seal = _seal_check(pdf, moment=document.rendered_at if document else None)
    seal_valid = seal.outcome == VerificationOutcome.AUTHENTIC
    outcome = VerificationOutcome.NOT_ARCHIVED if seal_valid and document is None else seal.outcome
    return PdfVerification(
        authentic=outcome == VerificationOutcome.AUTHENTIC,
        reason=_reason(outcome),
        document=document,
        seal_valid=seal_valid,
        signed_by=seal.signed_by,
        sealed_at=seal.sealed_at,
        outcome=outcome,
        sha256=sha256,
    )


def pdf_seal_check(*, pdf: bytes) -> bool:
    """The seal layer alone (no archive lookup): intact, trusted, and nothing added after it."""
    return _seal_check(pdf, moment=None).outcome == VerificationOutcome.AUTHENTIC


_CODE_SEPARATORS = re.compile(r"[\s\-–—_.·]+")


def verification_code_normalise(code: str) -> str | None:
    """K7QX-3M9D-PA2W-H4TZ from what someone typed (any case, spaces, missing dashes); None if malformed."""
    raw = _CODE_SEPARATORS.sub("", code or "").upper()
    if len(raw) != 16 or any(char not in VERIFICATION_CODE_ALPHABET for char in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def letter_document_get_by_code(*, code: str) -> LetterDocument | None:
    """The archived (READY) document printed with this verification code, with what the page shows."""
    normalised = verification_code_normalise(code)
    if normalised is None:
        return None
    return _documents_for_display().filter(verification_code=normalised).first()


def _ready_document_with_sha256(sha256: str) -> LetterDocument | None:
    return _documents_for_display().filter(sha256=sha256).first()


def _documents_for_display():
    return (
        LetterDocument.objects.filter(status=DocumentStatus.READY)
        .select_related(
            "letter__campaign",
            "letter__signer",
            "letter__signer_post",
            "letter__signer_unit",
            "letter__issuer",
            "letter__issuer_post__unit",
        )
        .prefetch_related(
            Prefetch(
                "letter__signatures",
                queryset=Signature.objects.select_related("signed_by").order_by("signed_at"),
            )
        )
    )


def _reason(outcome: VerificationOutcome) -> str:
    return {
        VerificationOutcome.NOT_PDF: _("This is not a PDF file."),
        VerificationOutcome.DAMAGED: _("The file is damaged: it cannot be read as a PDF."),
        VerificationOutcome.MALFORMED: _(
            "The file's structure is abnormal: it is not a letter sealed by this system."
        ),
        VerificationOutcome.TOO_COMPLEX: _("The file is too complex to be verified in the time allowed."),
        VerificationOutcome.NO_SEAL: _("The file carries no organisation seal."),
        VerificationOutcome.CHANGED: _("The seal does not verify: the file was changed after sealing."),
        VerificationOutcome.UNTRUSTED: _("The file is sealed, but not with the organisation's seal."),
        VerificationOutcome.NOT_ARCHIVED: _("The seal is valid, but this file is not in the archive."),
        VerificationOutcome.AUTHENTIC: _(
            "Authentic: this is an archived letter, unchanged since the organisation sealed it."
        ),
    }[outcome]


def _seal_check(pdf: bytes, *, moment: datetime | None) -> _SealCheck:
    """Validate the last signature in the file. `moment` is when to judge the certificate's validity.

    For an archived file the moment is when the office stored it (our own record), so a seal certificate
    that has expired since still proves an old letter; any other file is judged now.
    """
    if not pdf.startswith(b"%PDF-"):
        return _SealCheck(VerificationOutcome.NOT_PDF)
    problem = pdf_shape_problem(
        pdf,
        limits=PdfShapeLimits(
            max_bytes=settings.VERIFY_MAX_BYTES,
            max_revisions=settings.VERIFY_MAX_REVISIONS,
            max_objects=settings.VERIFY_MAX_OBJECTS,
        ),
    )
    if problem is not None:
        logger.info("PDF to verify refused by its shape: %s", problem)
        return _SealCheck(VerificationOutcome.MALFORMED)
    try:
        return run_within_budget(
            _seal_validate,
            pdf,
            _trust_roots(),  # read here: the files and their cache belong to this process
            moment,
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


def _seal_validate(
    pdf: bytes, trust_roots: tuple[asn1_x509.Certificate, ...], moment: datetime | None
) -> _SealCheck:
    """The cryptographic check, run in the budgeted child process (no database, no settings needed)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception as error:  # any parse failure of untrusted bytes is an answer, not a server error
        logger.info("PDF to verify cannot be parsed: %s: %s", type(error).__name__, str(error)[:200])
        return _SealCheck(VerificationOutcome.DAMAGED)
    if not signatures:
        return _SealCheck(VerificationOutcome.NO_SEAL)
    seal = signatures[-1]  # only the last signature can cover the whole file
    context = ValidationContext(
        trust_roots=list(trust_roots),
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )
    try:
        status = validate_pdf_signature(
            seal, signer_validation_context=context, ts_validation_context=context
        )
    except Exception as error:
        logger.info(
            "Seal of the PDF to verify cannot be validated: %s: %s", type(error).__name__, str(error)[:200]
        )
        return _SealCheck(VerificationOutcome.CHANGED)
    signed_by = _subject_name(status.signing_cert) if status.signing_cert else ""
    timestamp = status.timestamp_validity
    sealed_at = (
        timestamp.timestamp if timestamp is not None and timestamp.intact else status.signer_reported_dt
    )
    if not (status.intact and status.valid) or status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        outcome = VerificationOutcome.CHANGED
    elif not status.trusted:
        outcome = VerificationOutcome.UNTRUSTED
    else:
        outcome = VerificationOutcome.AUTHENTIC
    return _SealCheck(outcome, signed_by=signed_by, sealed_at=sealed_at)


def _subject_name(certificate: asn1_x509.Certificate) -> str:
    """The seal's name as people read it: its common name (「某单位 电子印章」), else the whole subject."""
    common_name = certificate.subject.native.get("common_name")
    if isinstance(common_name, list):
        common_name = " ".join(common_name)
    return common_name or certificate.subject.human_friendly


_roots_lock = threading.Lock()
_roots_cache: tuple[tuple, tuple[asn1_x509.Certificate, ...]] | None = None


def _trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The seal's root (PEM beside the PKCS#12 file, and the CA certificates inside it) plus
    SEAL_TRUST_ROOTS_FILE (for example the root of a previous seal). Reloaded when a file changes."""
    global _roots_cache
    files = [seal_root_path(settings.SEAL_PKCS12_FILE)]
    if settings.SEAL_TRUST_ROOTS_FILE:
        files.append(Path(settings.SEAL_TRUST_ROOTS_FILE))
    ca_certificates = seal_ca_certificates()
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
