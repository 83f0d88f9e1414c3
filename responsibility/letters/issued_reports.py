"""What an issued report prints about itself: the sealed reports of other subdomains in the letters'
official layout (the year-end duty report, a problem list's 整改情况报告).

Under the title its number and version; at the end a verification block (the code, the verification
address and its QR code, the fingerprint of what it says) and where the audit chains stood when it was
sealed (链头存证), naming the chain its records are in.
"""

import dataclasses
import datetime
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.anchors.models import ChainAnchor
from accounts.anchors.services import anchor_timestamp_line
from core import clock
from core.errors import ApplicationError
from core.pdf.engine import (
    DOCUMENT_LANGUAGE,
    OFFICIAL_DOCUMENT_STYLESHEETS,
    PDF_VARIANT,
    PdfRenderError,
    html_to_pdf,
)
from core.pdf.fonts import font_template_context
from core.pdf.qr import qr_data_url
from core.sealed_reports import MadeReport
from responsibility.letters.pdf import document_date

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportIssue:
    """What the issued report prints about itself (given by the service that seals and stores it)."""

    reference: str  # 履责〔2026〕12号, 整改〔2026〕5号
    version: int
    verification_code: str
    issued_at: datetime.datetime
    content_sha256: str  # the report's fingerprint: printed, and shown on verification
    anchor: ChainAnchor | None = None  # where every chain stood when it was sealed


@dataclass(frozen=True)
class AnchorLine:
    number: int
    time: str
    digest: str
    chain_sequence: int  # how many events the report's own chain held then
    chain_hash: str  # and its last event's hash
    timestamp: str  # how the anchor was timestamped, as a sentence


@dataclass(frozen=True)
class SealedBlock:
    """The issued report's own lines: number and version, verification, chain anchor."""

    reference: str
    version: int
    issued_on: str
    content_hash: str
    verification_code: str
    verification_url: str
    verification_page: str
    qr_url: str
    anchor: AnchorLine | None


def report_sealed_block(issue: ReportIssue, *, chain_name: str, resources: dict) -> SealedBlock:
    """The block of `issue`, its QR code added to `resources`; `chain_name`: the audit chain whose head
    the anchor line names (the one the report's records are in)."""
    site = settings.SITE_URL.rstrip("/")
    verification_url = f"{site}/verify/{issue.verification_code}/"
    anchor = None
    if issue.anchor is not None:
        head = issue.anchor.heads.get(chain_name, {})
        anchor = AnchorLine(
            number=issue.anchor.number,
            time=timezone.localtime(issue.anchor.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            digest=issue.anchor.digest,
            chain_sequence=head.get("sequence", 0),
            chain_hash=head.get("hash", ""),
            timestamp=anchor_timestamp_line(issue.anchor),
        )
    return SealedBlock(
        reference=issue.reference,
        version=issue.version,
        issued_on=document_date(timezone.localtime(issue.issued_at).date()),
        content_hash=issue.content_sha256,
        verification_code=issue.verification_code,
        verification_url=verification_url,
        verification_page=f"{site}/verify/",
        qr_url=qr_data_url(verification_url, resources),
        anchor=anchor,
    )


def issued_report_render(
    *,
    report,
    issue: ReportIssue,
    chain_name: str,
    template_name: str,
    error: type[PdfRenderError],
    subject: str,
    context_name: str = "report",
) -> bytes:
    """An issued report (a dataclass with `sealed`) as PDF/A-3b in the official layout, ready to seal: with
    its own lines (number, version, verification block, the chain anchor), the fixed wording in the
    document's language."""
    resources: dict[str, tuple[str, bytes]] = {}
    with translation.override(DOCUMENT_LANGUAGE):
        sealed = report_sealed_block(issue, chain_name=chain_name, resources=resources)
    return html_to_pdf(
        template_name=template_name,
        context={context_name: dataclasses.replace(report, sealed=sealed), **font_template_context()},
        resources=resources,
        pdf_variant=PDF_VARIANT,
        error=error,
        subject=subject,
        stylesheets=OFFICIAL_DOCUMENT_STYLESHEETS,
    )


def issued_report_make(
    *, reference: str, version: int, code: str, fingerprint: str, render: Callable[[ReportIssue], bytes]
) -> MadeReport:
    """Step 2 of core.sealed_reports: anchor every audit chain (as sealing a letter does), render the
    version with `render(issue)` (PDF/A, its own lines included) and seal it. A failure is logged and
    refused with nothing stored."""
    from accounts.anchors.models import AnchorReason
    from accounts.anchors.services import chains_anchor
    from core.pdf.seal import SealNotConfiguredError, pdf_seal

    issued_at = clock.now()
    try:
        anchor = chains_anchor(reason=AnchorReason.SEAL, subject=f"{reference} v{version}")
        issue = ReportIssue(
            reference=reference,
            version=version,
            verification_code=code,
            issued_at=issued_at,
            content_sha256=fingerprint,
            anchor=anchor,
        )
        pdf = pdf_seal(pdf=render(issue))
    except (PdfRenderError, SealNotConfiguredError, OSError) as error:
        logger.exception("The report %s (version %d) could not be made or sealed", reference, version)
        raise ApplicationError(
            _("The report could not be made or sealed, so nothing was issued. Please try again later."),
            code="report_not_made",
        ) from error
    return MadeReport(pdf=pdf, anchor=anchor, issued_at=issued_at)


# --- What both reports say -----------------------------------------------------------------------

HASH_PREFIX_LENGTH = 16  # as the letters' audit appendix shows hashes


@dataclass
class EvidenceLine:
    name: str
    hash_prefix: str  # the first characters of its SHA-256


def evidence_lines(files) -> list[EvidenceLine]:
    """Evidence files as a report lists them, in the order they were uploaded."""
    return [
        EvidenceLine(name=evidence.original_name, hash_prefix=evidence.sha256[:HASH_PREFIX_LENGTH])
        for evidence in sorted(files, key=lambda evidence: evidence.pk)
    ]


def report_fingerprint(report) -> str:
    """The SHA-256 of what a report (a dataclass with `generated_on` and `sealed`) says, as canonical JSON
    of its content: without the day it was made and the issue's own lines, so that the same content gives
    the same value whenever it is read."""
    content = dataclasses.asdict(dataclasses.replace(report, sealed=None))
    del content["generated_on"], content["sealed"]
    message = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(message.encode()).hexdigest()
