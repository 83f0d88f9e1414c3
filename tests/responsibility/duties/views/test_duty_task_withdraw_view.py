"""Withdrawing a task from the assignment's page (撤回): the reason asked for, the task greyed with who,
when and why, its periods gone from the to-do and the progress figures, and the history that says so."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from responsibility.duties.models import DutyEvent, DutyEventKind, DutyTask, Recurrence, TaskOccurrence
from responsibility.duties.services.assignments import (
    RecordInput,
    TaskInput,
    duty_task_create,
    duty_task_withdraw,
    performance_record_create,
)
from tests.responsibility.duties.conftest import first_open_occurrence
from tests.responsibility.duties.views.conftest import messages_of, url

pytestmark = pytest.mark.django_db

REASON = "与共性任务重复，设置有误。"


def _overdue_task(assignment, title: str = "五一前专项检查") -> DutyTask:
    """A task done once, due on 1 May: overdue today (15 May)."""
    return duty_task_create(
        assignment=assignment,
        data=TaskInput(
            title=title, description="", recurrence=Recurrence.ONCE, due_date=datetime.date(2026, 5, 1)
        ),
        created_by=assignment.created_by,
    )


def _task_state(task) -> tuple:
    stored = DutyTask.objects.get(pk=task.pk)
    return (
        stored.withdrawn_at,
        stored.withdrawn_by_id,
        stored.withdrawal_reason,
        TaskOccurrence.objects.filter(task=task).count(),
        DutyEvent.objects.count(),
    )


def test_the_office_withdraws_a_task_with_a_reason_and_it_stays_greyed_with_who_when_and_why(client, duties):
    # given
    head = duties.head_assignment
    task = _overdue_task(head)
    office = duties.org.office_admin
    client.force_login(office)

    # when
    response = client.post(url("duty-task-withdraw", task.pk), {"reason": REASON})

    # then
    assert response.status_code == 302
    assert response.url == f"{url('duty-detail', head.pk)}#task-{task.pk}"
    assert messages_of(response) == [f"Task “{task.title}” withdrawn. It stays on record with your reason."]
    stored = DutyTask.objects.get(pk=task.pk)
    assert (stored.withdrawal_reason, stored.withdrawn_by_id) == (REASON, office.pk)
    assert stored.occurrences.count() == 1
    # and the page shows it greyed, with the reason, who and when, and no way to act on it
    page = client.get(url("duty-detail", head.pk))
    body = page.content.decode()
    assert f'class="card duty-task withdrawn muted" id="task-{task.pk}"' in body
    when = timezone.localtime(stored.withdrawn_at).strftime("%Y-%m-%d %H:%M")
    assert f"Withdrawn: {REASON} · {office.get_full_name()} · {when}" in body
    assert url("duty-task-withdraw", task.pk) not in body
    assert url("performance-record-create", stored.occurrences.get().pk) not in body
    # and the history says it, newest last
    history = page.context["history"]
    assert history[-1]["event"].kind == DutyEventKind.TASK_WITHDRAWN
    assert history[-1]["description"] == f"Task “{task.title}” withdrawn with its 1 periods. Reason: {REASON}"
    assert f"Task “{task.title}” withdrawn with its 1 periods. Reason: {REASON}" in body


@pytest.mark.parametrize("reason", ["", "   "])
def test_withdrawing_without_a_reason_asks_for_it_and_changes_nothing(client, duties, reason):
    # given
    task = _overdue_task(duties.head_assignment)
    before = _task_state(task)
    client.force_login(duties.org.office_admin)

    # when
    response = client.post(url("duty-task-withdraw", task.pk), {"reason": reason})

    # then the page comes back with the reason asked for next to the task's form
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the reason the task is withdrawn." in body
    assert f'id="id_withdraw_{task.pk}_reason"' in body
    assert '<details class="field" open>' in body
    assert messages_of(response) == ["The task was not withdrawn: give the reason."]
    assert _task_state(task) == before


def test_withdrawing_with_a_reason_too_long_changes_nothing(client, duties):
    task = _overdue_task(duties.head_assignment)
    before = _task_state(task)
    client.force_login(duties.org.office_admin)

    response = client.post(url("duty-task-withdraw", task.pk), {"reason": "长" * 1001})

    assert response.status_code == 400
    assert _task_state(task) == before


def test_a_task_with_records_cannot_be_withdrawn(client, duties):
    # given the head kept a record for a period of the task
    head = duties.head_assignment
    occurrence = first_open_occurrence(head)
    performance_record_create(
        occurrence=occurrence,
        data=RecordInput(performed_on=datetime.date(2026, 3, 1), summary="已汇报。", participants=""),
        recorded_by=head.leader,
    )
    before = _task_state(occurrence.task)
    client.force_login(duties.org.office_admin)

    # when
    response = client.post(url("duty-task-withdraw", occurrence.task_id), {"reason": REASON})

    # then
    assert response.status_code == 302
    assert messages_of(response) == ["Records were kept for this task; it can no longer be withdrawn."]
    assert _task_state(occurrence.task) == before


def test_withdrawing_is_refused_to_a_reader_and_hidden_from_a_stranger(client, duties):
    task = _overdue_task(duties.head_assignment)
    before = _task_state(task)

    client.force_login(duties.org.staff[1])
    assert client.post(url("duty-task-withdraw", task.pk), {"reason": REASON}).status_code == 403
    client.force_login(duties.org.outsider)
    assert client.post(url("duty-task-withdraw", task.pk), {"reason": REASON}).status_code == 404
    assert _task_state(task) == before


def test_a_withdrawn_tasks_overdue_period_leaves_the_to_do_and_the_progress_figures(client, duties):
    # given the head's task due on 1 May, overdue, on their to-do and counted on the list
    head = duties.head_assignment
    task = _overdue_task(head)
    period = task.occurrences.get()
    client.force_login(head.leader)
    assert period in client.get(url("todo")).context["duty_due"]
    overdue_before = next(
        row for row in client.get(url("duty-list")).context["assignments"] if row.pk == head.pk
    )

    # when the office withdraws it
    duty_task_withdraw(task=task, withdrawn_by=duties.org.office_admin, reason=REASON)

    # then it is no longer on the to-do, and no longer counted as overdue or at all
    todo = client.get(url("todo"))
    assert period not in todo.context["duty_due"]
    assert url("performance-record-create", period.pk) not in todo.content.decode()
    row = next(row for row in client.get(url("duty-list")).context["assignments"] if row.pk == head.pk)
    assert row.periods_overdue == overdue_before.periods_overdue - 1
    assert row.periods_total == overdue_before.periods_total - 1


def test_the_history_lists_the_assignments_events_oldest_first_in_a_fixed_number_of_queries(client, duties):
    head = duties.head_assignment

    def page():
        client.force_login(duties.org.office_admin)
        client.get(url("duty-detail", head.pk))  # warm the per-process caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("duty-detail", head.pk))
        return response, len(captured)

    # given only the generation event
    response, few = page()
    assert [row["event"].kind for row in response.context["history"]] == [DutyEventKind.ASSIGNMENT_GENERATED]

    # when tasks are added by different people and some withdrawn
    for number in range(3):
        task = _overdue_task(head, f"任务{number}")
        duty_task_withdraw(task=task, withdrawn_by=duties.org.office_admin, reason=f"原因{number}")

    # then every event is listed in order, and the page costs the same queries
    response, many = page()
    kinds = [row["event"].kind for row in response.context["history"]]
    assert (
        kinds
        == [DutyEventKind.ASSIGNMENT_GENERATED]
        + [DutyEventKind.TASK_CREATED, DutyEventKind.TASK_WITHDRAWN] * 3
    )
    sequences = [row["event"].sequence for row in response.context["history"]]
    assert sequences == sorted(sequences)
    assert many == few
