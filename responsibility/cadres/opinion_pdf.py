"""The sealed 廉政意见回复 as a PDF in the letters' official layout (GB/T 9704): to the body that asked, the
request, every source the system checked with what it showed, and the inspection team's conclusion.

Pure, like the other reports: it reads the reply, renders our own template with the core PDF engine and
returns bytes. The fixed wording is Chinese; the findings, the conclusion and the request's words reach the
HTML only through autoescaped variables. Only the issued rendering exists (PDF/A-3b with its number,
version, verification block and the chain anchor; cadres.opinions seals it).
"""

from dataclasses import dataclass

from django.utils import timezone, translation

from core import clock
from core.pdf.engine import DOCUMENT_LANGUAGE, PdfRenderError
from responsibility.cadres.audit import CADRE_CHAIN
from responsibility.cadres.models import IntegrityOpinion, integrity_opinion_title
from responsibility.letters.issued_reports import (
    ReportIssue,
    SealedBlock,
    issued_report_render,
    report_fingerprint,
)
from responsibility.letters.pdf import document_date

TEMPLATE_NAME = "responsibility/pdf/integrity_opinion.html"


class IntegrityOpinionRenderError(PdfRenderError):
    """The reply could not be laid out: nothing was produced."""


@dataclass
class FindingLine:
    number: int
    source: str
    scope: str
    showed: str


@dataclass
class IntegrityOpinionPdf:
    title: str
    cadre: str
    addressee: str
    purpose: str
    request_reference: str
    received_on: str
    checked_on: str
    findings: list[FindingLine]
    conclusion: list[str]
    generated_on: str
    sealed: SealedBlock | None = None


def opinion_read(*, opinion: IntegrityOpinion) -> IntegrityOpinionPdf:
    """What the sealed reply says, from the reply as saved (the findings as they were checked)."""
    opinion = IntegrityOpinion.objects.select_related("cadre").get(pk=opinion.pk)
    name = opinion.cadre.get_full_name()
    with translation.override(DOCUMENT_LANGUAGE):
        return IntegrityOpinionPdf(
            title=integrity_opinion_title(cadre=name),
            cadre=name,
            addressee=opinion.requested_by,
            purpose=opinion.purpose,
            request_reference=opinion.request_reference,
            received_on=document_date(opinion.received_on),
            checked_on=document_date(timezone.localdate(opinion.checked_at)),
            findings=[
                FindingLine(number, finding["source"], finding["scope"], finding["showed"])
                for number, finding in enumerate(opinion.findings, start=1)
            ],
            conclusion=[line.strip() for line in opinion.conclusion.splitlines() if line.strip()],
            generated_on=document_date(clock.today()),
        )


def opinion_fingerprint(pdf: IntegrityOpinionPdf) -> str:
    return report_fingerprint(pdf)


def opinion_render_issued(*, pdf: IntegrityOpinionPdf, issue: ReportIssue) -> bytes:
    """The issued reply as PDF/A-3b, ready to seal, with its own lines (number, version, verification)."""
    return issued_report_render(
        report=pdf,
        issue=issue,
        chain_name=CADRE_CHAIN.name,
        template_name=TEMPLATE_NAME,
        error=IntegrityOpinionRenderError,
        subject=f"Integrity opinion {issue.reference} version {issue.version}",
        context_name="opinion",
    )
