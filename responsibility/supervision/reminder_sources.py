"""The reminder source of rectification deadlines: each open rectification reminds its owner."""

import datetime
from collections.abc import Iterator

from django.urls import reverse

from core import clock
from responsibility.reminders.models import (
    Reminder,
    ReminderKind,
)
from responsibility.reminders.registry import (
    BATCH_SIZE,
    DuePeriod,
    DueRow,
    ReminderMessage,
    Schedule,
    _batched,
    _key_id,
    is_weekend,
    period_current,
    reminder_source_register,
    start_of_day,
)
from responsibility.supervision.models import Rectification, RectificationStatus
from responsibility.supervision.selectors import finding_list_visible_to


class RectificationDueSource:
    """Each open rectification (整改) reminds its owner of its deadline, on the default schedule.

    Submitted rectifications wait for the inspection team, not the owner, and are not reminded; one
    sent back is open again and is reminded again. A rectification belongs to no campaign.
    """

    kind = ReminderKind.RECTIFICATION_DUE
    schedule = Schedule()

    def due_rows(self, *, today: datetime.date) -> Iterator[list[DueRow]]:
        if self.schedule.skip_weekends and is_weekend(today):
            return
        # Deadlines further out than the first reminder have nothing due yet.
        horizon = today + datetime.timedelta(days=max(self.schedule.days_before, default=0))
        rows = (
            Rectification.objects.filter(status=RectificationStatus.OPEN, deadline__lte=horizon)
            .order_by("deadline", "pk")
            .values_list("pk", "owner_id", "deadline", "created_at")
            .iterator(chunk_size=BATCH_SIZE)
        )

        def due() -> Iterator[DueRow]:
            # Rows come by deadline: the reminder of the schedule is worked out once per deadline.
            current: datetime.date | None = None
            period: DuePeriod | None = None
            due_at = outstanding_before = None
            for pk, owner_id, deadline, created_at in rows:
                if deadline != current:
                    current = deadline
                    period = period_current(schedule=self.schedule, deadline=deadline, today=today)
                    if period is not None:
                        due_at = start_of_day(period.effective)
                        outstanding_before = start_of_day(period.effective + datetime.timedelta(days=1))
                # Recorded after the reminder's day: it waits for the next reminder of the schedule.
                if period is not None and created_at < outstanding_before:
                    yield DueRow(self.kind, f"rectification:{pk}", owner_id, period.label, due_at)

        yield from _batched(due())

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        rectification = (
            Rectification.objects.select_related("finding__plan", "finding__unit")
            .filter(
                pk=_key_id(reminder.object_key, "rectification"),
                status=RectificationStatus.OPEN,
                owner_id=reminder.recipient_id,
            )
            .first()
        )
        if rectification is None:
            return None
        finding = rectification.finding
        days_left = (rectification.deadline - clock.today()).days
        return ReminderMessage(
            url=reverse("responsibility:finding-detail", args=[finding.pk]),
            context={
                "finding": finding,
                "rectification": rectification,
                "reference": finding.reference,
                "unit": finding.unit.name,
                "problem": finding.title,
                "requirement": rectification.requirement,
                "rejection_reason": rectification.rejection_reason,
                "deadline": rectification.deadline,
                "days_left": max(days_left, 0),
                "days_overdue": max(-days_left, 0),
                "overdue": days_left < 0,
            },
        )

    def subjects_attach(self, *, user, reminders) -> None:
        """Each reminder's finding (`reminder.finding`), if the user may see it: one query, or none."""
        ids = {reminder.object_id for reminder in reminders} - {None}
        findings = finding_list_visible_to(user=user).filter(rectification__pk__in=ids) if ids else []
        by_rectification = {finding.rectification.pk: finding for finding in findings}
        for reminder in reminders:
            reminder.finding = by_rectification.get(reminder.object_id)


reminder_source_register(RectificationDueSource())
