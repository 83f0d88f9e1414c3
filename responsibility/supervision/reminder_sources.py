"""The reminder source of rectification deadlines: each open rectification reminds its owner."""

import datetime

from django.urls import reverse

from core import clock
from core.deadlines import deadline_days
from responsibility.reminders.models import (
    Reminder,
    ReminderKind,
)
from responsibility.reminders.registry import (
    DeadlineSource,
    ReminderMessage,
    reminder_source_register,
)
from responsibility.supervision.models import Rectification, RectificationStatus
from responsibility.supervision.selectors import finding_list_visible_to


class RectificationDueSource(DeadlineSource):
    """Each open rectification (整改) reminds its owner of its deadline, on the default schedule.

    Submitted rectifications wait for the inspection team, not the owner, and are not reminded; one
    sent back is open again and is reminded again. A rectification belongs to no campaign.
    """

    kind = ReminderKind.RECTIFICATION_DUE
    object_prefix = "rectification"

    def open_items(self, *, horizon: datetime.date, today: datetime.date):
        return (
            Rectification.objects.filter(status=RectificationStatus.OPEN, deadline__lte=horizon)
            .order_by("deadline", "pk")
            .values_list("pk", "owner_id", "deadline", "created_at")  # recorded at: outstanding since
        )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        rectification = (
            Rectification.objects.select_related("finding__plan", "finding__unit")
            .filter(
                pk=self.item_id(reminder),
                status=RectificationStatus.OPEN,
                owner_id=reminder.recipient_id,
            )
            .first()
        )
        if rectification is None:
            return None
        finding = rectification.finding
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
                **deadline_days(rectification.deadline, today=clock.today()),
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
