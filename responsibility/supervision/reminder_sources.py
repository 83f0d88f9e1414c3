"""The reminder sources of rectification deadlines: each open rectification reminds its owner, and each
open measure of a rectification carried out as several measures reminds the measure's owner."""

import datetime

from django.db.models import Exists, OuterRef
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
from responsibility.supervision.models import Measure, MeasureStatus, Rectification, RectificationStatus
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


class MeasureDueSource(DeadlineSource):
    """Each open measure (整改措施) of a rectification being carried out as several measures reminds its
    owner of its own deadline, on the default schedule. A rectification of one measure is reminded as the
    rectification (its measure has the same owner and deadline); a reported measure is not reminded, one
    sent back is open again and is reminded again."""

    kind = ReminderKind.MEASURE_DUE
    object_prefix = "measure"

    def open_items(self, *, horizon: datetime.date, today: datetime.date):
        several = Measure.objects.filter(finding_id=OuterRef("finding_id"), number=2)
        return (
            Measure.objects.filter(
                status=MeasureStatus.OPEN,
                finding__rectification__status=RectificationStatus.OPEN,
                deadline__lte=horizon,
            )
            .filter(Exists(several))
            .order_by("deadline", "pk")
            .values_list("pk", "owner_id", "deadline", "created_at")
        )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        measure = (
            Measure.objects.select_related("finding__plan", "finding__unit", "finding__rectification")
            .filter(
                pk=self.item_id(reminder),
                status=MeasureStatus.OPEN,
                owner_id=reminder.recipient_id,
                finding__rectification__status=RectificationStatus.OPEN,
            )
            .first()
        )
        if measure is None:
            return None
        finding = measure.finding
        return ReminderMessage(
            url=reverse("responsibility:finding-detail", args=[finding.pk]) + f"#measure-{measure.number}",
            context={
                "finding": finding,
                "measure": measure,
                "number": measure.number,
                "reference": finding.reference,
                "unit": finding.unit.name,
                "problem": finding.title,
                "action": measure.action,
                "rejection_reason": finding.rectification.rejection_reason,
                "deadline": measure.deadline,
                **deadline_days(measure.deadline, today=clock.today()),
            },
        )

    def subjects_attach(self, *, user, reminders) -> None:
        """Each reminder's measure and finding (`reminder.measure`, `reminder.finding`), if the user may see
        the finding: one query, or none."""
        ids = {reminder.object_id for reminder in reminders} - {None}
        measures = (
            Measure.objects.filter(
                pk__in=ids, finding__in=finding_list_visible_to(user=user).values("pk")
            ).select_related("finding__plan")
            if ids
            else []
        )
        by_pk = {measure.pk: measure for measure in measures}
        for reminder in reminders:
            reminder.measure = by_pk.get(reminder.object_id)
            reminder.finding = reminder.measure.finding if reminder.measure else None


reminder_source_register(RectificationDueSource())
reminder_source_register(MeasureDueSource())
