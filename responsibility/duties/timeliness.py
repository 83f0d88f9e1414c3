"""When a task's period was done, and whether on time: the one place this is decided.

A period is judged by the work its records describe, not by when they were typed in. It counts as done
on the date of its earliest standing record (one the inspection team has not returned), and as done on
time when that date is on or before the period's due date: work done on 21 March and recorded in
November is on time for a period due on 31 March. When it was recorded is kept beside it, for the report
to say. Whether a period is done at all is its `done_at` (set by the first record, cleared when the last
standing one is returned: services/assignments.py).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from responsibility.duties.models import PerformanceRecord, ReviewStatus, TaskOccurrence


@dataclass(frozen=True)
class PeriodCompletion:
    """How a done period was done."""

    done_on: datetime.date  # the day of the work: the earliest standing record's date
    recorded_on: datetime.date  # the day that record was kept
    on_time: bool  # done on or before the period's due date


def period_completion(
    *, occurrence: TaskOccurrence, records: Iterable[PerformanceRecord]
) -> PeriodCompletion | None:
    """How the period was done, from its records (pass the prefetched ones); None while it is not done."""
    if occurrence.done_at is None:
        return None
    standing = [record for record in records if record.review_status != ReviewStatus.RETURNED]
    if standing:
        first = min(standing, key=lambda record: (record.performed_on, record.recorded_at, record.pk))
        done_on, recorded_on = first.performed_on, timezone.localdate(first.recorded_at)
    else:  # not kept by the services (a done period has a standing record): the day it was marked done
        done_on = recorded_on = timezone.localdate(occurrence.done_at)
    return PeriodCompletion(done_on=done_on, recorded_on=recorded_on, on_time=done_on <= occurrence.due_date)


def occurrence_on_time_q() -> Q:
    """`period_completion(...).on_time` as a filter on periods (TaskOccurrence): done, with a standing
    record of work done on or before the due date (the earliest standing one is, then)."""
    standing_in_time = PerformanceRecord.objects.filter(
        occurrence=OuterRef("pk"), performed_on__lte=OuterRef("due_date")
    ).exclude(review_status=ReviewStatus.RETURNED)
    return Q(done_at__isnull=False) & Q(Exists(standing_in_time))
