"""The records an indicator counted for a unit, as the lines of an item's page: what each is, whether it
counted as done, and where to open it (the record's own page decides who may see it)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Post
from core.dates import date_text
from responsibility.assessment.indicators import INDICATORS, IndicatorKind
from responsibility.duties.models import PerformanceRecord, TaskOccurrence
from responsibility.letters.models.letters import Letter
from responsibility.reminders.models import Reminder
from responsibility.supervision.models import Finding, Measure, RecheckResult, Rectification

# An item's page lists at most so many records (a unit's year rarely has more); the count says the rest.
RECORDS_SHOWN = 200


@dataclass(frozen=True)
class CountedRow:
    text: str
    detail: str
    outcome: str  # "done", "not_done" (a rate's records) or "" (a count's: each one counted)
    outcome_text: str  # the indicator's word for it: 按期签订, 未销号 …
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
    if isinstance(record, Reminder):
        sent = date_text(timezone.localdate(record.sent_at))
        return (
            f"{record.get_kind_display()}（{record.period_label}）",
            f"{record.recipient.get_full_name()} · {sent}",
            "",
        )
    return str(record), "", ""


def _reminder_pages(reminders: list[Reminder]) -> dict[int, str]:
    """Each reminder's item page, by the reminder's id: one query per kind of item among them."""
    keys = {
        reminder.pk: (reminder.object_key.partition(":")[0], reminder.object_id) for reminder in reminders
    }
    ids: dict[str, set[int]] = {}
    for prefix, item_id in keys.values():
        if item_id is not None:
            ids.setdefault(prefix, set()).add(item_id)
    pages: dict[tuple[str, int], str] = {
        ("letter", pk): reverse("responsibility:letter-detail", args=[pk]) for pk in ids.get("letter", ())
    }
    for prefix, model in (("rectification", Rectification), ("measure", Measure)):
        for pk, finding_id in model.objects.filter(pk__in=ids.get(prefix, ())).values_list(
            "pk", "finding_id"
        ):
            pages[prefix, pk] = reverse("responsibility:finding-detail", args=[finding_id])
    occurrences = TaskOccurrence.objects.filter(pk__in=ids.get("occurrence", ()))
    for pk, assignment_id in occurrences.values_list("pk", "task__assignment_id"):
        pages["occurrence", pk] = reverse("responsibility:duty-detail", args=[assignment_id])
    return {pk: pages.get(key, "") for pk, key in keys.items()}


def counted_rows(*, indicator_code: str, unit_id: int, year: int) -> tuple[list[CountedRow], int]:
    """The first RECORDS_SHOWN records the indicator counted for the unit, and how many there are."""
    indicator = INDICATORS[indicator_code]
    records = indicator.records(unit_id, year)
    shown = list(records[:RECORDS_SHOWN])
    reminder_pages = _reminder_pages([record for record in shown if isinstance(record, Reminder)])
    rows = []
    for record in shown:
        text, detail, url = _row(record)
        if isinstance(record, Reminder):
            url = reminder_pages[record.pk]
        outcome, outcome_text = "", ""
        if indicator.kind == IndicatorKind.RATE:
            done, not_done = indicator.outcomes
            outcome, outcome_text = (
                ("done", str(done)) if record.counted_done else ("not_done", str(not_done))
            )
        rows.append(CountedRow(text=text, detail=detail, outcome=outcome, outcome_text=outcome_text, url=url))
    total = len(rows) if len(rows) < RECORDS_SHOWN else records.count()
    return rows, total
