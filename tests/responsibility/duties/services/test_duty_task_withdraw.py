"""Withdrawing a task set by mistake: nothing is deleted, a reason is required, a task with records
stays, and the withdrawn task's periods are no longer work anywhere (reminders, counts, to-do, report)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from responsibility.duties.models import (
    DutyAssignment,
    DutyEvent,
    DutyEventKind,
    DutyTask,
    Recurrence,
    TaskOccurrence,
)
from responsibility.duties.pdf import duty_report_context
from responsibility.duties.selectors import duty_progress_counts, occurrence_list_due_for
from responsibility.duties.services.assignments import (
    MAX_REASON_LENGTH,
    RecordInput,
    TaskInput,
    duty_task_create,
    duty_task_withdraw,
    performance_record_create,
    post_handover,
)
from responsibility.reminders.models import Reminder, ReminderKind, ReminderStatus
from responsibility.reminders.services import SendOutcome, reminder_send, reminders_sweep
from tests.factories import UserFactory
from tests.responsibility.duties.conftest import TODAY, first_open_occurrence

from .conftest import duty_state, fresh

pytestmark = pytest.mark.django_db

REASON = "与“听取分管单位汇报”重复，设置有误。"


def once_task(assignment: DutyAssignment, due: datetime.date, title: str = "专项检查") -> DutyTask:
    return duty_task_create(
        assignment=assignment,
        data=TaskInput(title=title, description="", recurrence=Recurrence.ONCE, due_date=due),
        created_by=assignment.created_by,
    )


def quarterly_task(assignment: DutyAssignment, title: str = "督促分管单位落实整改") -> DutyTask:
    return duty_task_create(
        assignment=assignment,
        data=TaskInput(title=title, description="", recurrence=Recurrence.QUARTERLY),
        created_by=assignment.created_by,
    )


def withdrawn(task: DutyTask, by, reason: str = REASON) -> DutyTask:
    return duty_task_withdraw(task=task, withdrawn_by=by, reason=reason)


# --- The withdrawal -------------------------------------------------------------------------------


def test_duty_task_withdraw_keeps_the_task_and_its_periods_and_records_who_when_and_why(duties):
    # given a quarterly task added to the head's assignment
    office = duties.org.office_admin
    task = quarterly_task(duties.head_assignment)
    periods = set(task.occurrences.values_list("pk", flat=True))

    # when
    duty_task_withdraw(task=task, withdrawn_by=office, reason=f"  {REASON}  ")

    # then the task and its four periods are still there, marked withdrawn
    stored = DutyTask.objects.get(pk=task.pk)
    assert stored.is_withdrawn
    assert stored.withdrawn_at is not None
    assert stored.withdrawn_by == office
    assert stored.withdrawal_reason == REASON
    assert set(TaskOccurrence.objects.filter(task=task).values_list("pk", flat=True)) == periods
    assert len(periods) == 4
    # and the duty audit chain says who, when and why
    event = DutyEvent.objects.get(kind=DutyEventKind.TASK_WITHDRAWN)
    assert (event.assignment_id, event.subject, event.actor_id) == (
        duties.head_assignment.pk,
        f"task:{task.pk}",
        office.pk,
    )
    assert event.note == REASON
    assert event.payload == {"title": task.title, "periods": 4}
    assert event.created_at == stored.withdrawn_at


@pytest.mark.parametrize("reason", ["", "   "])
def test_duty_task_withdraw_refuses_without_a_reason(duties, reason):
    task = quarterly_task(duties.head_assignment)
    before = duty_state()

    with pytest.raises(ApplicationError, match="Give the reason the task is withdrawn.") as refused:
        withdrawn(task, duties.org.office_admin, reason)

    assert refused.value.code == "reason"
    assert duty_state() == before


def test_duty_task_withdraw_refuses_a_reason_too_long(duties):
    task = quarterly_task(duties.head_assignment)
    before = duty_state()

    with pytest.raises(ApplicationError, match=f"at most {MAX_REASON_LENGTH} characters"):
        withdrawn(task, duties.org.office_admin, "长" * (MAX_REASON_LENGTH + 1))

    assert duty_state() == before


def test_duty_task_withdraw_refuses_a_task_with_records(duties, clock):
    # given the head kept a record for the task's first open period (then it was returned: still a record)
    occurrence = first_open_occurrence(duties.head_assignment)
    performance_record_create(
        occurrence=occurrence,
        data=RecordInput(performed_on=datetime.date(2026, 5, 10), summary="听取汇报。", participants=""),
        recorded_by=fresh(duties.head_assignment.leader),
    )
    before = duty_state()

    with pytest.raises(ApplicationError, match="Records were kept for this task") as refused:
        withdrawn(occurrence.task, duties.org.office_admin)

    assert refused.value.code == "in_use"
    assert duty_state() == before


def test_duty_task_withdraw_refuses_a_task_already_withdrawn(duties):
    task = withdrawn(quarterly_task(duties.head_assignment), duties.org.office_admin)
    before = duty_state()

    with pytest.raises(ApplicationError, match="already been withdrawn"):
        withdrawn(task, duties.org.office_admin, "再次撤回。")

    assert duty_state() == before


def test_duty_task_withdraw_refuses_readers_and_the_leader_once_confirmed(duties):
    # the leader may withdraw while the assignment awaits their confirmation, as they could delete before
    head = duties.head_assignment
    by_leader = withdrawn(quarterly_task(head, "领导自行撤回"), fresh(head.leader))
    assert by_leader.withdrawn_by_id == head.leader_id
    task = quarterly_task(head)
    before = duty_state()

    for user in (duties.org.inspector, duties.org.heads[1], duties.org.staff[0]):
        with pytest.raises(PermissionDenied):
            withdrawn(task, fresh(user))

    assert duty_state() == before


def test_a_withdrawn_tasks_period_takes_no_record(duties):
    task = withdrawn(once_task(duties.head_assignment, datetime.date(2026, 5, 1)), duties.org.office_admin)
    before = duty_state()

    with pytest.raises(ApplicationError, match="withdrawn"):
        performance_record_create(
            occurrence=task.occurrences.get(),
            data=RecordInput(performed_on=datetime.date(2026, 5, 1), summary="已做。", participants=""),
            recorded_by=fresh(duties.head_assignment.leader),
        )

    assert duty_state() == before


# --- Withdrawn periods are no longer work ------------------------------------------------------------


def test_a_withdrawn_tasks_periods_are_not_open_not_overdue_and_not_to_do(duties):
    # given a task due on 1 May (overdue today, 15 May) and one due on the 20th (due soon), both withdrawn
    head = duties.head_assignment
    overdue = once_task(head, datetime.date(2026, 5, 1), "逾期任务").occurrences.get()
    soon = once_task(head, datetime.date(2026, 5, 20), "近期任务").occurrences.get()
    assert {overdue, soon} <= set(occurrence_list_due_for(user=head.leader))
    for occurrence in (overdue, soon):
        withdrawn(occurrence.task, duties.org.office_admin)

    # then
    assert not TaskOccurrence.objects.open().filter(pk__in=[overdue.pk, soon.pk]).exists()
    assert overdue not in TaskOccurrence.objects.overdue(TODAY)
    assert soon not in TaskOccurrence.objects.due_soon(TODAY)
    assert not {overdue, soon} & set(occurrence_list_due_for(user=head.leader))


def test_duty_progress_counts_leave_out_a_withdrawn_tasks_periods(duties):
    # given
    head = duties.head_assignment

    def counts() -> dict:
        row = DutyAssignment.objects.filter(pk=head.pk).annotate(**duty_progress_counts(today=TODAY)).get()
        return {name: getattr(row, name) for name in duty_progress_counts(today=TODAY)}

    before = counts()
    task = once_task(head, datetime.date(2026, 5, 1))
    assert counts()["periods_overdue"] == before["periods_overdue"] + 1

    # when
    withdrawn(task, duties.org.office_admin)

    # then the figures are those from before the task was added
    assert counts() == before


def test_the_year_end_report_leaves_out_a_withdrawn_task(duties):
    head = duties.head_assignment
    before = duty_report_context(assignment=head, today=TODAY)
    task = once_task(head, datetime.date(2026, 5, 1), "误设任务")

    withdrawn(task, duties.org.office_admin)

    report = duty_report_context(assignment=head, today=TODAY)
    assert "误设任务" not in [block.title for block in report.tasks]
    assert [block.title for block in report.tasks] == [block.title for block in before.tasks]
    assert report.figures == before.figures


def test_a_withdrawn_tasks_period_is_not_reminded_and_a_reminder_already_due_is_cancelled(duties):
    # given a task due on Friday 22 May, whose 7-days-before reminder the sweep of today created
    head = duties.head_assignment
    occurrence = once_task(head, datetime.date(2026, 5, 22)).occurrences.get()
    reminders_sweep(today=TODAY)
    reminder = Reminder.objects.get(kind=ReminderKind.DUTY_TASK_DUE, object_key=f"occurrence:{occurrence.pk}")

    # when the task is withdrawn before the reminder goes out
    withdrawn(occurrence.task, duties.org.office_admin)

    # then the withdrawal cancelled the reminder (its send sends nothing), and later sweeps create none
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.CANCELLED
    assert reminder_send(reminder=reminder) == SendOutcome.SKIPPED
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.CANCELLED
    reminders_sweep(today=datetime.date(2026, 5, 19))
    reminders_sweep(today=datetime.date(2026, 5, 26))
    assert list(
        Reminder.objects.filter(object_key=f"occurrence:{occurrence.pk}").values_list("pk", flat=True)
    ) == [reminder.pk]


def test_a_handover_does_not_move_a_withdrawn_tasks_periods(duties):
    # given a withdrawn quarterly task: its periods stay with the leader who held the post
    head = duties.head_assignment
    task = withdrawn(quarterly_task(head), duties.org.office_admin)
    successor = UserFactory(full_name="接任主任")

    # when
    handover = post_handover(
        post=head.post, new_holder=successor, handed_over_on=TODAY, handed_over_by=duties.org.office_admin
    )

    # then only the open periods moved
    assert set(task.occurrences.values_list("responsible_id", flat=True)) == {head.leader_id}
    assert (
        handover.occurrences_moved
        == TaskOccurrence.objects.filter(task__assignment=head, responsible=successor).count()
    )
    assert not TaskOccurrence.objects.filter(task=task, responsible=successor).exists()
