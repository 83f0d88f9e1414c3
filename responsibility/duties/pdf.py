"""A leader's year-end performance report (履责报告) as a PDF in the letters' official layout (GB/T 9704).

Pure, like `letters.pdf.letter_render_pdf`: it reads the assignment, renders our own template with
the core PDF engine (core.pdf.engine.html_to_pdf) and returns bytes. It saves nothing and fetches
nothing but the PDF assets and the pre-subset fonts. The page set-up (A4, margins, "— 1 —" page
numbers) is the letters' (pdf/base.html links letter.css); report.css only adds the report's own
pieces. The fixed wording is Chinese, as in the letters: the report is an
official document whoever renders it. User text reaches the HTML only through autoescaped variables.

The report reads as the body of the report (the assignment, each task's progress, handovers and the
summary figures) followed by an appendix, 履责纪实明细, with every period of every task and its
records: date, what was done, participants, who recorded it, the review and the evidence files with
the beginning of their SHA-256. A withdrawn task is left out: it was never part of the year's work.

Two renderings of one report:

- the issued report (`duty_report_render_issued`, for duties.services.reports): PDF/A-3b, with
  its number and version under the title, a verification block (the code, the verification address and
  its QR code) and where the audit chains stood when it was sealed (链头存证); the service seals it;
- the working draft (`duty_report_render`, downloaded from the assignment's page): a plain PDF marked
  「工作稿」, never sealed, for checking the figures before the report is issued.
"""

import datetime
from dataclasses import dataclass, field, fields, replace

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
from responsibility.duties.audit import DUTY_CHAIN
from responsibility.duties.models import (
    AssignmentStatus,
    DutyAssignment,
    DutyTask,
    PerformanceRecord,
    PostHandover,
    Recurrence,
    ReviewStatus,
    TaskOccurrence,
    duty_report_title,
)
from responsibility.duties.selectors import duty_assignment_list_with_records
from responsibility.duties.timeliness import period_completion
from responsibility.letters.issued_reports import (
    EvidenceLine,
    ReportIssue,
    SealedBlock,
    evidence_lines,
    report_fingerprint,
    report_sealed_block,
)
from responsibility.letters.models.letters import LetterClause
from responsibility.letters.pdf import chinese_numeral, document_date

TEMPLATE_NAME = "responsibility/pdf/duty_report.html"

REVIEW_LABELS = {
    ReviewStatus.PENDING: "待审核",
    ReviewStatus.ACCEPTED: "已认可",
    ReviewStatus.RETURNED: "已退回",
}


class DutyReportRenderError(PdfRenderError):
    """The report could not be laid out (for example an asset is missing): nothing was produced."""


def duty_report_read(*, assignment: DutyAssignment) -> "DutyReport":
    """What the assignment's report says today (labels read in the document's language)."""
    # Labels read while the context is built (a recurrence's name) are Chinese too.
    with translation.override(DOCUMENT_LANGUAGE):
        return duty_report_context(assignment=assignment, today=clock.today())


def duty_report_render(*, assignment: DutyAssignment) -> bytes:
    """The working draft (工作稿) of the assignment's year-end report, as a plain PDF: never sealed."""
    return _report_pdf(duty_report_read(assignment=assignment), subject=f"Duty report {assignment.pk}")


def duty_report_render_issued(*, report: "DutyReport", issue: ReportIssue) -> bytes:
    """The issued year-end report as PDF/A-3b, ready to seal: `report` (from `duty_report_read`) with its
    number, version, content fingerprint, verification code, QR code and the chain anchor made for it."""
    resources: dict[str, tuple[str, bytes]] = {}
    with translation.override(DOCUMENT_LANGUAGE):
        sealed = report_sealed_block(issue, chain_name=DUTY_CHAIN.name, resources=resources)
    return _report_pdf(
        replace(report, sealed=sealed),
        resources=resources,
        pdf_variant=PDF_VARIANT,
        subject=f"Duty report {issue.reference} version {issue.version}",
    )


def duty_report_fingerprint(report: "DutyReport") -> str:
    """The SHA-256 of what the report says (letters.issued_reports.report_fingerprint): the same content
    on the same day gives the same value."""
    return report_fingerprint(report)


def _report_pdf(report: "DutyReport", *, resources=None, pdf_variant=None, subject: str) -> bytes:
    return html_to_pdf(
        template_name=TEMPLATE_NAME,
        context={"report": report, **font_template_context()},
        resources=resources,
        pdf_variant=pdf_variant,
        error=DutyReportRenderError,
        subject=subject,
        stylesheets=OFFICIAL_DOCUMENT_STYLESHEETS,
    )


# --- What the template shows -------------------------------------------------------------------


@dataclass
class Figures:
    """The summary figures: periods by state, records by review, the completion rate."""

    periods: int = 0
    done: int = 0
    done_on_time: int = 0
    overdue: int = 0  # not done, past the due date
    open: int = 0  # not done, not yet due
    records: int = 0
    accepted: int = 0
    returned: int = 0
    pending: int = 0

    @property
    def completion_rate(self) -> str:
        """完成率: done of all periods, in per cent with one decimal; — without periods."""
        if not self.periods:
            return "—"
        return f"{self.done * 100 / self.periods:.1f}%"

    @property
    def on_time_rate(self) -> str:
        if not self.periods:
            return "—"
        return f"{self.done_on_time * 100 / self.periods:.1f}%"


@dataclass
class RecordLine:
    date: str
    summary: str
    participants: str
    recorded_by: str
    recorded_on: str
    by_previous_holder: bool
    review: str
    review_status: str
    review_reason: str
    reviewed_by: str
    reviewed_on: str
    evidence: list[EvidenceLine] = field(default_factory=list)


@dataclass
class PeriodLine:
    name: str  # 第二季度, 上半年, 全年 …
    start: str
    due: str
    state: str  # 按期完成 / 逾期完成 / 逾期未完成 / 未到期 (timeliness.py: by the date of the work)
    state_class: str  # done / late / overdue / open
    done_on: str  # the date of the work
    recorded_on: str  # when it was recorded
    responsible: str  # set when someone other than the current leader answers for it
    records: list[RecordLine] = field(default_factory=list)


@dataclass
class ClauseLine:
    number: str  # 二 (第二条)
    numeral: str  # 二、
    text: str
    letter_reference: str


@dataclass
class TaskBlock:
    numeral: str  # （一）
    title: str
    description: str
    recurrence: str
    clause: ClauseLine | None
    figures: Figures
    periods: list[PeriodLine] = field(default_factory=list)


@dataclass
class HandoverLine:
    date: str
    previous_holder: str
    new_holder: str
    occurrences_moved: int
    new_letter: str


@dataclass
class DutyReport:
    title: str
    year: int
    leader: str
    post: str
    unit: str
    status: str
    oversees: list[str]
    business_areas: list[str]
    integrity_duties: list[str]
    clauses: list[ClauseLine]
    tasks: list[TaskBlock]
    handovers: list[HandoverLine]
    figures: Figures
    as_of: str
    generated_on: str
    sealed: SealedBlock | None = None  # the issued report's own lines; None for the working draft


def duty_report_context(*, assignment: DutyAssignment, today: datetime.date) -> DutyReport:
    """Everything the report shows, read in a fixed number of queries whatever the number of tasks."""
    assignment = duty_assignment_list_with_records(
        assignments=DutyAssignment.objects.select_related("post__unit", "leader")
    ).get(pk=assignment.pk)
    leader = assignment.leader
    post = assignment.post
    handovers = (
        PostHandover.objects.filter(post=post, handed_over_on__year=assignment.year)
        .select_related("previous_holder", "new_holder", "new_letter")
        .order_by("handed_over_on", "pk")
    )
    clauses = sorted(assignment.clauses.all(), key=lambda clause: (clause.letter.reference, clause.number))
    total = Figures()
    tasks = []
    # A withdrawn task was set by mistake: it is not part of the year's work (its history is on the page).
    current = [task for task in assignment.tasks.all() if not task.is_withdrawn]
    for index, task in enumerate(current, start=1):
        figures = Figures()
        periods = []
        for occurrence in task.occurrences.all():
            period = _period_line(task, occurrence, today=today, leader_id=leader.pk)
            for record in occurrence.records.all():
                period.records.append(_record_line(record, leader_id=leader.pk))
                _count_record(figures, record)
            _count_period(figures, period)
            periods.append(period)
        tasks.append(
            TaskBlock(
                numeral=f"（{chinese_numeral(index)}）",
                title=task.title,
                description=task.description,
                recurrence=_recurrence_text(task),
                clause=_clause_line(task.clause) if task.clause_id else None,
                figures=figures,
                periods=periods,
            )
        )
        _add(total, figures)
    if assignment.status == AssignmentStatus.CONFIRMED and assignment.confirmed_at:
        status = f"已于{document_date(timezone.localtime(assignment.confirmed_at).date())}经本人确认"
    else:
        status = "待本人确认"
    return DutyReport(
        title=duty_report_title(assignment.year),
        year=assignment.year,
        leader=leader.get_full_name(),
        post=post.full_title,
        unit=post.unit.name,
        status=status,
        oversees=[unit.name for unit in assignment.oversees.all()],  # in the organisation's order
        business_areas=_paragraphs(assignment.business_areas),
        integrity_duties=_paragraphs(assignment.integrity_duties),
        clauses=[_clause_line(clause) for clause in clauses],
        tasks=tasks,
        handovers=[
            HandoverLine(
                date=document_date(handover.handed_over_on),
                previous_holder=handover.previous_holder.get_full_name(),
                new_holder=handover.new_holder.get_full_name(),
                occurrences_moved=handover.occurrences_moved,
                new_letter=handover.new_letter.reference if handover.new_letter_id else "",
            )
            for handover in handovers
        ],
        figures=total,
        as_of=document_date(min(today, datetime.date(assignment.year, 12, 31))),
        generated_on=document_date(today),
    )


def _period_line(task: DutyTask, occurrence: TaskOccurrence, *, today: datetime.date, leader_id: int):
    completion = period_completion(occurrence=occurrence, records=occurrence.records.all())
    if completion is not None:
        state, state_class = ("按期完成", "done") if completion.on_time else ("逾期完成", "late")
    elif occurrence.due_date < today:
        state, state_class = "逾期未完成", "overdue"
    else:
        state, state_class = "未到期", "open"
    return PeriodLine(
        name=_period_name(task, occurrence),
        start=document_date(occurrence.period_start),
        due=document_date(occurrence.due_date),
        state=state,
        state_class=state_class,
        done_on=document_date(completion.done_on) if completion else "",
        recorded_on=document_date(completion.recorded_on) if completion else "",
        responsible=(
            occurrence.responsible.get_full_name() if occurrence.responsible_id != leader_id else ""
        ),
    )


def _record_line(record: PerformanceRecord, *, leader_id: int) -> RecordLine:
    return RecordLine(
        date=document_date(record.performed_on),
        summary=record.summary,
        participants=record.participants,
        recorded_by=record.recorded_by.get_full_name(),
        recorded_on=document_date(timezone.localdate(record.recorded_at)),
        by_previous_holder=record.recorded_by_id != leader_id,
        review=REVIEW_LABELS.get(record.review_status, record.review_status),
        review_status=record.review_status,
        review_reason=record.review_reason,
        reviewed_by=record.reviewed_by.get_full_name() if record.reviewed_by_id else "",
        reviewed_on=(
            document_date(timezone.localtime(record.reviewed_at).date()) if record.reviewed_at else ""
        ),
        evidence=evidence_lines(record.evidence.all()),
    )


def _count_period(figures: Figures, period: PeriodLine) -> None:
    figures.periods += 1
    if period.state_class in ("done", "late"):
        figures.done += 1
        figures.done_on_time += period.state_class == "done"
    elif period.state_class == "overdue":
        figures.overdue += 1
    else:
        figures.open += 1


def _count_record(figures: Figures, record: PerformanceRecord) -> None:
    figures.records += 1
    if record.review_status == ReviewStatus.ACCEPTED:
        figures.accepted += 1
    elif record.review_status == ReviewStatus.RETURNED:
        figures.returned += 1
    else:
        figures.pending += 1


def _add(total: Figures, part: Figures) -> None:
    for name in (counter.name for counter in fields(Figures)):
        setattr(total, name, getattr(total, name) + getattr(part, name))


_HALVES = {1: "上半年", 2: "下半年"}


def _period_name(task: DutyTask, occurrence: TaskOccurrence) -> str:
    sequence = occurrence.sequence
    if task.recurrence == Recurrence.QUARTERLY:
        return f"第{chinese_numeral(sequence)}季度"
    if task.recurrence == Recurrence.HALF_YEARLY:
        return _HALVES.get(sequence, f"第{chinese_numeral(sequence)}期")
    if task.recurrence == Recurrence.YEARLY or (
        task.recurrence == Recurrence.TIMES_A_YEAR and task.times_a_year == 1
    ):
        return "全年"
    if task.recurrence == Recurrence.ONCE:
        return "一次性任务"
    start, due = occurrence.period_start, occurrence.due_date
    months = f"{start.month}月" if start.month == due.month else f"{start.month}—{due.month}月"
    return f"第{chinese_numeral(sequence)}期（{months}）"


def _recurrence_text(task: DutyTask) -> str:
    if task.recurrence == Recurrence.QUARTERLY:
        return "每季度一次"
    if task.recurrence == Recurrence.HALF_YEARLY:
        return "每半年一次"
    if task.recurrence == Recurrence.YEARLY:
        return "每年一次（年底前完成）"
    if task.recurrence == Recurrence.TIMES_A_YEAR:
        return f"每年{task.times_a_year}次"
    if task.recurrence == Recurrence.ONCE and task.due_date:
        return f"一次（{document_date(task.due_date)}前完成）"
    return task.get_recurrence_display()


def _clause_line(clause: LetterClause) -> ClauseLine:
    number = chinese_numeral(clause.number)
    return ClauseLine(
        number=number,
        numeral=number + "、",
        text=clause.text,
        letter_reference=clause.letter.reference,
    )


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
