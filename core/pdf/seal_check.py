"""Is the organisation's seal on this PDF intact, and is everything after it only what proves it?

A sealed document ends with its seal (a certification signature that allows no changes) or, when sealed
with a timestamp server, with one more update: the validation data (the document security store) and a
document timestamp over the whole file (core.pdf.seal.pdf_seal). The last signature must cover the
whole file; anything else after the seal is a change.
This reads the signatures of untrusted bytes: callers run it inside a budget (core.budget).
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext


class SealState(enum.StrEnum):
    NONE = "none"  # no signature at all
    CHANGED = "changed"  # a seal that does not verify, a second seal, or a change after the seal
    UNTRUSTED = "untrusted"  # intact, but not made with a certificate that chains to a trusted root
    VALID = "valid"  # intact, trusted, and followed by nothing but its validation data


@dataclass(frozen=True)
class SealStatus:
    state: SealState
    signed_by: str = ""  # the seal certificate's common name
    sealed_at: datetime | None = None  # the signature timestamp's time, else the time the signer claimed
    why: str = ""  # for the log (English)


def pdf_seal_status(
    reader: PdfFileReader, *, trust_roots: Sequence[asn1_x509.Certificate], moment: datetime | None
) -> SealStatus:
    """The one seal's state. `moment` is when to judge its certificate (None: now); `trust_roots` hold
    the seal roots and the timestamp authorities' certificates."""
    signatures = reader.embedded_signatures
    seals = [signature for signature in signatures if signature.sig_object_type == "/Sig"]
    timestamps = [signature for signature in signatures if signature.sig_object_type == "/DocTimeStamp"]
    if not seals:
        return SealStatus(SealState.NONE, why="no signature")
    context = ValidationContext(
        trust_roots=list(trust_roots), allow_fetching=False, revocation_mode="soft-fail", moment=moment
    )
    status = validate_pdf_signature(
        seals[0], signer_validation_context=context, ts_validation_context=context
    )
    signed_by = _common_name(status.signing_cert) if status.signing_cert else ""
    timestamp = status.timestamp_validity
    sealed_at = (
        timestamp.timestamp if timestamp is not None and timestamp.intact else status.signer_reported_dt
    )

    def answer(state: SealState, why: str = "") -> SealStatus:
        return SealStatus(state, signed_by=signed_by, sealed_at=sealed_at, why=why)

    if len(seals) > 1:
        return answer(SealState.CHANGED, f"{len(seals)} signatures: something was signed after the seal")
    if not (status.intact and status.valid):
        return answer(SealState.CHANGED, "the seal's signature does not match the bytes it covers")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and not (
        timestamps
        and status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.LTA_UPDATES
        and status.docmdp_ok
    ):
        return answer(SealState.CHANGED, f"updated after the seal ({status.modification_level})")
    for document_timestamp in timestamps:
        timestamp_status = validate_pdf_timestamp(document_timestamp, validation_context=context)
        if not (timestamp_status.intact and timestamp_status.valid):
            return answer(SealState.CHANGED, "a document timestamp does not match the bytes it covers")
        if (
            document_timestamp is signatures[-1]
            and timestamp_status.coverage != SignatureCoverageLevel.ENTIRE_FILE
        ):
            return answer(SealState.CHANGED, "bytes were added after the last document timestamp")
    if not status.trusted:
        return answer(SealState.UNTRUSTED, "the seal's certificate does not chain to a trusted root")
    return answer(SealState.VALID)


def _common_name(certificate: asn1_x509.Certificate) -> str:
    """The seal's name as people read it: its common name (「某单位 电子印章」), else the whole subject."""
    common_name = certificate.subject.native.get("common_name")
    if isinstance(common_name, list):
        common_name = " ".join(common_name)
    return common_name or certificate.subject.human_friendly
