"""The reminder sources of 一岗双责: each open duty task period reminds its holder of its due date; a
planned integrity talk reminds its talker until its record is written; a talk's record reminds the person
talked to until they confirm it or disagree."""

import datetime

from django.db.models import F
from django.urls import reverse

from core import clock
from core.deadlines import deadline_days
from responsibility.duties.models import Recurrence, Talk, TalkStatus, TaskOccurrence
from responsibility.duties.selectors import duty_assignment_list_visible_to
from responsibility.reminders.models import (
    Reminder,
    ReminderKind,
)
from responsibility.reminders.registry import (
    DeadlineSource,
    ReminderMessage,
    reminder_source_register,
)


class DutyTaskDueSource(DeadlineSource):
    """Each open period of a duty task (履责任务) reminds the leader who answers for it, on the default
    schedule, until a performance record is kept for it or its task is withdrawn (`open()` leaves out the
    periods of withdrawn tasks, so a reminder already scheduled for one is not sent).

    Only periods whose responsible person still leads the assignment are reminded: at a handover the
    open periods move to the new holder, who is reminded from then on. Periods of assignments older
    than last year are no longer reminded. A period belongs to no campaign.
    """

    kind = ReminderKind.DUTY_TASK_DUE
    object_prefix = "occurrence"

    def open_items(self, *, horizon: datetime.date, today: datetime.date):
        return (
            TaskOccurrence.objects.open()
            # A year's periods are chased into the following year, not for ever after.
            .filter(
                due_date__lte=horizon,
                task__assignment__year__gte=today.year - 1,
                responsible_id=F("task__assignment__leader_id"),
            )
            .order_by("due_date", "pk")
            # The assignment's creation: outstanding since.
            .values_list("pk", "responsible_id", "due_date", "task__assignment__created_at")
        )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        occurrence = (
            TaskOccurrence.objects.open()
            .select_related("task__assignment__post__unit")
            .filter(
                pk=self.item_id(reminder),
                responsible_id=reminder.recipient_id,
                task__assignment__leader_id=reminder.recipient_id,
            )
            .first()
        )
        if occurrence is None:
            return None
        task = occurrence.task
        assignment = task.assignment
        post = assignment.post
        return ReminderMessage(
            url=reverse("responsibility:duty-detail", args=[assignment.pk]),
            context={
                "occurrence": occurrence,
                "task": task,
                "assignment": assignment,
                "task_title": task.title,
                "task_description": task.description,
                "recurrence": task.get_recurrence_display(),
                "recurring": task.recurrence != Recurrence.ONCE,  # a period worth naming
                "sequence": occurrence.sequence,
                "period_start": occurrence.period_start,
                "deadline": occurrence.due_date,
                "year": assignment.year,
                "post": post.full_title,
                **deadline_days(occurrence.due_date, today=clock.today()),
            },
        )

    def subjects_attach(self, *, user, reminders) -> None:
        """Each reminder's task period (`reminder.occurrence`), among the assignments the user may open:
        one query, or none."""
        ids = {reminder.object_id for reminder in reminders} - {None}
        occurrences = (
            TaskOccurrence.objects.filter(
                pk__in=ids, task__assignment__in=duty_assignment_list_visible_to(user=user).values("pk")
            ).select_related("task__assignment__post__unit")
            if ids
            else []
        )
        by_id = {occurrence.pk: occurrence for occurrence in occurrences}
        for reminder in reminders:
            reminder.occurrence = by_id.get(reminder.object_id)


reminder_source_register(DutyTaskDueSource())


class _TalkSource(DeadlineSource):
    """A talk in one status reminds one of its parties by one of its dates. Talks whose date is more than
    a year ago are no longer reminded."""

    object_prefix = "talk"
    status: str
    deadline: str  # the Talk date field reminded by
    recipient: str  # the party reminded ("talker" or "talked_to")
    partner: str  # the other party, named in the message
    since: str  # the Talk field the item is outstanding since

    def open_items(self, *, horizon: datetime.date, today: datetime.date):
        dated = {
            f"{self.deadline}__lte": horizon,
            f"{self.deadline}__gte": today - datetime.timedelta(days=366),
        }
        return (
            Talk.objects.filter(status=self.status, **dated)
            .order_by(self.deadline, "pk")
            .values_list("pk", f"{self.recipient}_id", self.deadline, self.since)
        )

    def message(self, *, reminder: Reminder) -> ReminderMessage | None:
        talk = (
            Talk.objects.select_related("kind", self.partner)
            .filter(
                pk=self.item_id(reminder),
                status=self.status,
                **{f"{self.recipient}_id": reminder.recipient_id},
            )
            .first()
        )
        if talk is None:
            return None
        deadline = getattr(talk, self.deadline)
        return ReminderMessage(
            url=reverse("responsibility:talk-detail", args=[talk.pk]),
            context={
                "talk": talk,
                "kind_name": talk.kind.name,
                "partner": getattr(talk, self.partner).get_full_name(),
                "purpose": talk.purpose,
                "held_on": talk.held_on,
                "deadline": deadline,
                **deadline_days(deadline, today=clock.today()),
            },
        )


class TalkPlannedSource(_TalkSource):
    """A planned talk (廉政谈话) reminds its talker before and after the planned date, until its record is
    written or it is cancelled."""

    kind = ReminderKind.TALK_PLANNED
    status = TalkStatus.PLANNED
    deadline, recipient, partner, since = "planned_on", "talker", "talked_to", "created_at"


class TalkToAnswerSource(_TalkSource):
    """A talk's record reminds the person talked to, by the day they are asked to answer, until they
    confirm it or record a disagreement (or the talker writes it again, which asks afresh)."""

    kind = ReminderKind.TALK_TO_ANSWER
    status = TalkStatus.RECORDED
    deadline, recipient, partner, since = "answer_due", "talked_to", "talker", "recorded_at"


reminder_source_register(TalkPlannedSource())
reminder_source_register(TalkToAnswerSource())
