"""The records an indicator counted for a unit, as the lines of an item's page: what each is, whether it
counted as done, and where to open it (the record's own page decides who may see it)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Post
from core.dates import date_text
from responsibility.assessment.indicators import INDICATORS, IndicatorKind
from responsibility.duties.models import PerformanceRecord, TaskOccurrence
from responsibility.letters.models.letters import Letter
from responsibility.supervision.models import Finding, RecheckResult

# An item's page lists at most so many records (a unit's year rarely has more); the count says the rest.
RECORDS_SHOWN = 200


@dataclass(frozen=True)
class CountedRow:
    text: str
    detail: str
    outcome: str  # "done", "not_done" (a rate's records) or "" (a count's: each one counted)
    url: str


def _row(record) -> tuple[str, str, str]:
    """What the record is, a detail, and its page."""
    if isinstance(record, Letter):
        return record.reference, record.title, reverse("responsibility:letter-detail", args=[record.pk])
    if isinstance(record, Finding):
        detail = _("due %(date)s") % {"date": date_text(record.rectification.deadline)}
        return (
            f"{record.reference} {record.title}",
            detail,
            reverse("responsibility:finding-detail", args=[record.pk]),
        )
    if isinstance(record, RecheckResult):
        finding = record.finding
        return (
            f"{finding.reference} {finding.title}",
            f"{record.get_outcome_display()} · {date_text(record.recorded_at.date())}",
            reverse("responsibility:finding-detail", args=[finding.pk]),
        )
    if isinstance(record, Post):
        holder = record.holder.get_full_name() if record.holder else ""
        return record.full_title, holder, ""
    if isinstance(record, TaskOccurrence):
        detail = _("due %(date)s") % {"date": date_text(record.due_date)}
        return (
            record.task.title,
            detail,
            reverse("responsibility:duty-detail", args=[record.task.assignment_id]),
        )
    if isinstance(record, PerformanceRecord):
        task = record.occurrence.task
        return (
            task.title,
            date_text(record.performed_on),
            reverse("responsibility:duty-detail", args=[task.assignment_id]),
        )
    return str(record), "", ""


def counted_rows(*, indicator_code: str, unit_id: int, year: int) -> tuple[list[CountedRow], int]:
    """The first RECORDS_SHOWN records the indicator counted for the unit, and how many there are."""
    indicator = INDICATORS[indicator_code]
    records = indicator.records(unit_id, year)
    rows = []
    for record in records[:RECORDS_SHOWN]:
        text, detail, url = _row(record)
        if indicator.kind == IndicatorKind.RATE:
            outcome = "done" if record.counted_done else "not_done"
        else:
            outcome = ""
        rows.append(CountedRow(text=text, detail=detail, outcome=outcome, url=url))
    total = len(rows) if len(rows) < RECORDS_SHOWN else records.count()
    return rows, total
