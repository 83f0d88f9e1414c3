"""The to-do page's 一岗双责 sections: periods due, records to review, assignments to confirm; and a fixed
number of queries however many there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responsibility.duties.models import Recurrence, TaskOccurrence
from responsibility.duties.services.assignments import (
    RecordInput,
    TaskInput,
    duty_assignment_confirm,
    duty_task_create,
    performance_record_create,
)
from tests.responsibility.duties.conftest import first_open_occurrence
from tests.responsibility.duties.views.conftest import url

pytestmark = pytest.mark.django_db


def _record(occurrence):
    return performance_record_create(
        occurrence=occurrence,
        data=RecordInput(performed_on=datetime.date(2026, 5, 1), summary="已落实。", participants=""),
        recorded_by=occurrence.responsible,
    )


def _monthly_task(assignment, office):
    return duty_task_create(
        assignment=assignment,
        data=TaskInput(title="每月学习", description="", recurrence=Recurrence.TIMES_A_YEAR, times_a_year=12),
        created_by=office,
    )


def test_a_leader_sees_overdue_and_soon_due_periods_and_their_assignment_to_confirm(client, duties):
    # given the deputy with a monthly task: Jan-Apr overdue, May due on the 31st, June beyond 30 days
    deputy = duties.deputy_assignment
    monthly = _monthly_task(deputy, duties.org.office_admin)
    client.force_login(deputy.leader)

    # when
    response = client.get(url("todo"))

    # then
    due = response.context["duty_due"]
    assert [occurrence.due_date for occurrence in due if occurrence.task == monthly] == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 30),
        datetime.date(2026, 5, 31),
    ]
    assert all(occurrence.due_date <= datetime.date(2026, 6, 14) for occurrence in due)
    body = response.content.decode()
    overdue = due[0]
    assert url("performance-record-create", overdue.pk) in body
    assert f"{url('duty-detail', deputy.pk)}#occurrence-{overdue.pk}" in body
    assert "light-red" in body
    assert [assignment.pk for assignment in response.context["to_confirm"]] == [deputy.pk]
    assert response.context["to_review"] == []


def test_a_confirmed_assignment_and_done_periods_leave_the_to_do(client, duties):
    head = duties.head_assignment
    duty_assignment_confirm(assignment=head, confirmed_by=head.leader, expected_version=None)
    _record(first_open_occurrence(head))  # the overdue first quarter
    client.force_login(head.leader)

    response = client.get(url("todo"))

    assert response.context["to_confirm"] == []
    assert response.context["duty_due"] == []  # the rest fall due after 14 June


def test_the_inspection_team_sees_the_records_to_review(client, duties):
    record = _record(first_open_occurrence(duties.head_assignment))
    client.force_login(duties.org.inspector)

    response = client.get(url("todo"))

    assert response.context["to_review"] == [record]
    assert f"{url('duty-detail', duties.head_assignment.pk)}#record-{record.pk}" in response.content.decode()


def test_the_to_do_runs_the_same_queries_for_few_and_many_duty_items(client, duties):
    def queries(user) -> int:
        client.force_login(user)
        client.get(url("todo"))  # warm the per-process caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("todo"))
        assert response.status_code == 200
        return len(captured)

    deputy = duties.deputy_assignment
    office = duties.org.office_admin
    _record(first_open_occurrence(duties.head_assignment))
    few = {user: queries(user) for user in (deputy.leader, duties.org.inspector)}

    # when the deputy gets two monthly tasks (more periods due) and more records await review
    _monthly_task(deputy, office)
    _monthly_task(deputy, office)
    for occurrence in TaskOccurrence.objects.filter(
        task__assignment=duties.head_assignment, done_at__isnull=True
    )[:4]:
        _record(occurrence)
    many = {user: queries(user) for user in (deputy.leader, duties.org.inspector)}

    assert few == many
