"""A leader's sealed 述责述廉: the accepted report and its 民主测评 results, as a PDF in the letters' official
layout (GB/T 9704).

Pure, like the other reports: it reads the report, renders our own template with the core PDF engine and
returns bytes. The fixed wording is Chinese, as in the letters; the leader's text and the raters' comments
reach the HTML only through autoescaped variables. Only the issued rendering exists (PDF/A-3b with its
number, version, verification block and the chain anchor; cadres.services seals it): the report's page
already shows everything a draft would.

The results are printed only when they may be shown (the rating closed with at least the round's minimum of
ballots); otherwise the document says they are withheld, and why.
"""

from dataclasses import dataclass, field

from django.utils import timezone, translation

from core import clock
from core.pdf.engine import DOCUMENT_LANGUAGE, PdfRenderError
from responsibility.cadres.audit import CADRE_CHAIN
from responsibility.cadres.models import Grade, IntegrityReport, integrity_report_title
from responsibility.cadres.services import rating_result_readable, rating_result_rows
from responsibility.letters.issued_reports import (
    ReportIssue,
    SealedBlock,
    issued_report_render,
    report_fingerprint,
)
from responsibility.letters.pdf import chinese_numeral, document_date

TEMPLATE_NAME = "responsibility/pdf/integrity_report.html"
GRADE_NAMES = {Grade.GOOD: "好", Grade.FAIRLY_GOOD: "较好", Grade.FAIR: "一般", Grade.POOR: "差"}


class IntegrityReportRenderError(PdfRenderError):
    """The report could not be laid out: nothing was produced."""


@dataclass
class ItemLine:
    numeral: str
    name: str
    counts: list[int]
    favourable: str  # 好和较好 as a share, e.g. "87.5%"


@dataclass
class RatingBlock:
    raters: int
    cast: int
    closes_on: str
    withheld: bool  # fewer ballots than the round's minimum: no counts printed
    min_ballots: int
    grades: list[str] = field(default_factory=lambda: list(GRADE_NAMES.values()))
    items: list[ItemLine] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class IntegrityReportPdf:
    title: str
    year: int
    leader: str
    post: str
    unit: str
    duties: list[str]
    integrity: list[str]
    shortcomings: list[str]
    submitted_on: str
    accepted_on: str
    rating: RatingBlock
    generated_on: str
    sealed: SealedBlock | None = None


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def integrity_report_read(*, report: IntegrityReport) -> IntegrityReportPdf:
    """What the sealed report says (a closed rating's results read once)."""
    report = IntegrityReport.objects.select_related(
        "round", "leader", "assignment__post__unit", "rating_result"
    ).get(pk=report.pk)
    result = report.rating_result
    readable = rating_result_readable(report)
    rating = RatingBlock(
        raters=report.ballots.count(),
        cast=result.ballots,
        closes_on=document_date(report.rating_closes_on),
        withheld=not readable,
        min_ballots=report.round.min_ballots,
    )
    if readable:
        rows = rating_result_rows(items=report.round.rating_items, result=result)
        for index, row in enumerate(rows, start=1):
            numeral = f"{chinese_numeral(index)}、"
            rating.items.append(ItemLine(numeral, row.item, row.counts, f"{row.favourable:.1f}%"))
        rating.comments = sorted(result.comments)
    post = report.assignment.post
    with translation.override(DOCUMENT_LANGUAGE):
        return IntegrityReportPdf(
            title=integrity_report_title(year=report.round.year, leader=report.leader.get_full_name()),
            year=report.round.year,
            leader=report.leader.get_full_name(),
            post=post.full_title,
            unit=post.unit.name,
            duties=_paragraphs(report.duties_text),
            integrity=_paragraphs(report.integrity_text),
            shortcomings=_paragraphs(report.shortcomings_text),
            submitted_on=document_date(timezone.localdate(report.submitted_at)),
            accepted_on=document_date(timezone.localdate(report.reviewed_at)),
            rating=rating,
            generated_on=document_date(clock.today()),
        )


def integrity_report_fingerprint(pdf: IntegrityReportPdf) -> str:
    return report_fingerprint(pdf)


def integrity_report_render_issued(*, pdf: IntegrityReportPdf, issue: ReportIssue) -> bytes:
    """The issued report as PDF/A-3b, ready to seal, with its own lines (number, version, verification)."""
    return issued_report_render(
        report=pdf,
        issue=issue,
        chain_name=CADRE_CHAIN.name,
        template_name=TEMPLATE_NAME,
        error=IntegrityReportRenderError,
        subject=f"Responsibility and integrity report {issue.reference} version {issue.version}",
    )
