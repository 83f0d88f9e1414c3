"""A problem list's 整改情况报告, for the Party Group, as a PDF in the letters' official layout (GB/T 9704).

Pure, like `duties.pdf`: it reads the list, renders our own template with the core PDF engine and returns
bytes. The fixed wording is Chinese, as in the letters: the report is an official document whoever
renders it. User text reaches the HTML only through autoescaped variables.

The report reads as the body (the list, the figures of its rectification, each problem with what was
done, and the 回头看 of its ticked-off problems) followed by an appendix, 整改台账明细, with every problem:
its measures with their owners, deadlines and what was done, the evidence files with the beginning of
their SHA-256, who verified it and ticked it off, and a carry-over's reason and new deadline.

Two renderings, as the year-end duty report has:

- the issued report (`rectification_report_render_issued`, for supervision.services.reports): PDF/A-3b,
  with its number and version, the verification block and where the audit chains stood (链头存证); the
  service seals it;
- the working draft (`rectification_report_render`, from the list's page): a plain PDF marked 「工作稿」,
  never sealed, for checking before the report is issued.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.db.models import Prefetch
from django.utils import timezone, translation

from core import clock
from core.pdf.engine import (
    DOCUMENT_LANGUAGE,
    OFFICIAL_DOCUMENT_STYLESHEETS,
    PDF_VARIANT,
    PdfRenderError,
    html_to_pdf,
)
from core.pdf.fonts import font_template_context
from responsibility.letters.issued_reports import (
    EvidenceLine,
    ReportIssue,
    SealedBlock,
    evidence_lines,
    report_fingerprint,
    report_sealed_block,
)
from responsibility.letters.pdf import chinese_numeral, document_date
from responsibility.supervision.audit import INSPECTION_CHAIN
from responsibility.supervision.models import (
    RECHECK_REOPENING_OUTCOMES,
    Finding,
    Measure,
    MeasureStatus,
    ProblemBatch,
    RecheckResult,
    RectificationStatus,
    rectification_report_title,
)

TEMPLATE_NAME = "responsibility/pdf/rectification_report.html"

STATUS_LABELS = {
    RectificationStatus.OPEN: "正在整改",
    RectificationStatus.SUBMITTED: "已报送，待核验",
    RectificationStatus.VERIFIED: "已核验，待销号",
    RectificationStatus.CLOSED: "已销号",
}
MEASURE_LABELS = {MeasureStatus.OPEN: "正在落实", MeasureStatus.REPORTED: "已完成"}


class RectificationReportRenderError(PdfRenderError):
    """The report could not be laid out (for example an asset is missing): nothing was produced."""


@dataclass
class MeasureLine:
    number: int
    action: str
    owner: str
    deadline: str
    state: str
    done: bool
    report: str  # 完成情况, the owner's words
    reported_on: str
    evidence: list[EvidenceLine] = field(default_factory=list)


@dataclass
class RecheckLine:
    title: str  # the 回头看's title
    outcome: str  # 整改到位 / 整改不到位 / 虚假整改
    failed: bool
    reason: str
    recorded_on: str


@dataclass
class ProblemBlock:
    numeral: str  # （一）
    reference: str
    title: str
    description: str
    category: str
    severity: str
    unit: str
    responsible: str  # the leader who answers for it
    owner: str  # who sees the rectification through
    requirement: str
    deadline: str
    status: str  # 正在整改, 已报送，待核验 … (RectificationStatus)
    state: str  # the status, and 结转整改 when carried over
    state_class: str  # closed / carried / open
    result: str  # what the owner reported was done (整改成效)
    submitted_on: str
    verified_by: str
    verified_on: str
    closed_by: str
    closed_on: str
    times_sent_back: int
    carried_over_on: str
    carried_over_reason: str
    measures: list[MeasureLine] = field(default_factory=list)
    evidence: list[EvidenceLine] = field(default_factory=list)  # the rectification's own files
    rechecks: list[RecheckLine] = field(default_factory=list)

    @property
    def result_sentence(self) -> str:
        return _sentence(self.result)

    @property
    def carried_over_sentence(self) -> str:
        return _sentence(self.carried_over_reason)


@dataclass
class Figures:
    problems: int = 0
    closed: int = 0  # 已销号
    carried_over: int = 0  # carried over past the reconciliation and not ticked off since
    unfinished: int = 0  # neither: only before the list is reconciled
    measures: int = 0
    measures_done: int = 0
    units: int = 0
    rechecked: int = 0  # ticked-off problems re-checked (回头看)
    recheck_failed: int = 0  # found 整改不到位 or 虚假整改

    @property
    def closure_rate(self) -> str:
        """销号率: ticked off of all problems, in per cent with one decimal; — without problems."""
        if not self.problems:
            return "—"
        return f"{self.closed * 100 / self.problems:.1f}%"


@dataclass
class RectificationReport:
    title: str
    batch_title: str
    source: str
    raised_by: str
    raised_on: str
    year: int
    reconciled: str  # 已于2026年12月1日对账销号 / 尚未对账销号
    figures: Figures
    problems: list[ProblemBlock]
    carried_over: list[str]  # the numbers of the problems still carried over
    generated_on: str
    sealed: SealedBlock | None = None  # the issued report's own lines; None for the working draft


def rectification_report_read(*, batch: ProblemBatch) -> RectificationReport:
    """What the list's report says today (labels read in the document's language)."""
    with translation.override(DOCUMENT_LANGUAGE):
        return rectification_report_context(batch=batch, today=clock.today())


def rectification_report_render(*, batch: ProblemBatch) -> bytes:
    """The working draft (工作稿) of the list's report, as a plain PDF: never sealed."""
    return _report_pdf(rectification_report_read(batch=batch), subject=f"Rectification report {batch.pk}")


def rectification_report_render_issued(*, report: RectificationReport, issue: ReportIssue) -> bytes:
    """The issued report as PDF/A-3b, ready to seal: `report` with its number, version, fingerprint,
    verification code, QR code and the chain anchor made for it."""
    resources: dict[str, tuple[str, bytes]] = {}
    with translation.override(DOCUMENT_LANGUAGE):
        sealed = report_sealed_block(issue, chain_name=INSPECTION_CHAIN.name, resources=resources)
    return _report_pdf(
        replace(report, sealed=sealed),
        resources=resources,
        pdf_variant=PDF_VARIANT,
        subject=f"Rectification report version {issue.version}",
    )


def rectification_report_fingerprint(report: RectificationReport) -> str:
    """The SHA-256 of what the report says (letters.issued_reports.report_fingerprint)."""
    return report_fingerprint(report)


def _report_pdf(report: RectificationReport, *, resources=None, pdf_variant=None, subject: str) -> bytes:
    return html_to_pdf(
        template_name=TEMPLATE_NAME,
        context={"report": report, **font_template_context()},
        resources=resources,
        pdf_variant=pdf_variant,
        error=RectificationReportRenderError,
        subject=subject,
        stylesheets=OFFICIAL_DOCUMENT_STYLESHEETS,
    )


def rectification_report_context(*, batch: ProblemBatch, today: datetime.date) -> RectificationReport:
    """Everything the report shows, read in a fixed number of queries whatever the number of problems:
    every problem of the list, whoever renders it (the report is the list's, not a reader's view)."""
    batch = ProblemBatch.objects.select_related("source", "reconciled_by").get(pk=batch.pk)
    problems = list(
        Finding.objects.filter(batch=batch)
        .select_related(
            "batch",
            "unit",
            "responsible",
            "rectification__owner",
            "rectification__verified_by",
            "rectification__closed_by",
        )
        .prefetch_related(
            Prefetch("measures", Measure.objects.select_related("owner").order_by("number")),
            "measures__evidence",
            "rectification__evidence",
            Prefetch("recheck_results", RecheckResult.objects.select_related("recheck").order_by("pk")),
        )
        .order_by("number")
    )
    figures = Figures(problems=len(problems), units=len({problem.unit_id for problem in problems}))
    blocks = []
    for index, problem in enumerate(problems, start=1):
        block = _problem_block(problem, numeral=f"（{chinese_numeral(index)}）")
        _count(figures, block)
        blocks.append(block)
    if batch.reconciled_at is not None:
        reconciled = f"已于{document_date(timezone.localtime(batch.reconciled_at).date())}对账销号"
    else:
        reconciled = "尚未对账销号"
    return RectificationReport(
        title=rectification_report_title(batch.title),
        batch_title=batch.title,
        source=batch.source.name,
        raised_by=batch.raised_by,
        raised_on=document_date(batch.raised_on),
        year=batch.year,
        reconciled=reconciled,
        figures=figures,
        problems=blocks,
        carried_over=[block.reference for block in blocks if block.state_class == "carried"],
        generated_on=document_date(today),
    )


def _problem_block(problem: Finding, *, numeral: str) -> ProblemBlock:
    rectification = problem.rectification
    if rectification.status == RectificationStatus.CLOSED:
        state_class = "closed"
    elif rectification.carried_over_at is not None:
        state_class = "carried"
    else:
        state_class = "open"
    status = STATUS_LABELS.get(rectification.status, rectification.status)
    state = f"结转整改（{status}）" if state_class == "carried" else status
    return ProblemBlock(
        numeral=numeral,
        reference=problem.reference,
        title=problem.title,
        description=problem.description,
        category=problem.get_category_display(),
        severity=problem.get_severity_display(),
        unit=problem.unit.name,
        responsible=problem.responsible.get_full_name(),
        owner=rectification.owner.get_full_name(),
        requirement=rectification.requirement,
        deadline=document_date(rectification.deadline),
        status=status,
        state=state,
        state_class=state_class,
        result=rectification.measures,
        submitted_on=_day(rectification.submitted_at),
        verified_by=rectification.verified_by.get_full_name() if rectification.verified_by_id else "",
        verified_on=_day(rectification.verified_at),
        closed_by=rectification.closed_by.get_full_name() if rectification.closed_by_id else "",
        closed_on=_day(rectification.closed_at),
        times_sent_back=rectification.times_rejected,
        carried_over_on=_day(rectification.carried_over_at),
        carried_over_reason=rectification.carried_over_reason,
        measures=[
            MeasureLine(
                number=measure.number,
                action=measure.action,
                owner=measure.owner.get_full_name(),
                deadline=document_date(measure.deadline),
                state=MEASURE_LABELS.get(measure.status, measure.status),
                done=not measure.is_open,
                report=measure.report,
                reported_on=_day(measure.reported_at),
                evidence=evidence_lines(measure.evidence.all()),
            )
            for measure in problem.measures.all()
        ],
        evidence=evidence_lines(rectification.evidence.all()),
        rechecks=[
            RecheckLine(
                title=result.recheck.title,
                outcome=result.get_outcome_display(),
                failed=result.outcome in RECHECK_REOPENING_OUTCOMES,
                reason=result.reason,
                recorded_on=_day(result.recorded_at),
            )
            for result in problem.recheck_results.all()
        ],
    )


def _count(figures: Figures, block: ProblemBlock) -> None:
    if block.state_class == "closed":
        figures.closed += 1
    elif block.state_class == "carried":
        figures.carried_over += 1
    else:
        figures.unfinished += 1
    figures.measures += len(block.measures)
    figures.measures_done += sum(measure.done for measure in block.measures)
    figures.rechecked += bool(block.rechecks)
    figures.recheck_failed += any(line.failed for line in block.rechecks)


def _sentence(text: str) -> str:
    """The text as one sentence of the body: its lines joined, a full stop added when it has none."""
    joined = "".join(line.strip() for line in text.splitlines())
    return joined if not joined or joined[-1] in "。！？；" else joined + "。"


def _day(moment: datetime.datetime | None) -> str:
    return document_date(timezone.localtime(moment).date()) if moment is not None else ""
