"""One leader's assignment: what it shows, the buttons each reader gets, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responsibility.duties.models import Recurrence, TaskOccurrence
from responsibility.duties.services.assignments import (
    RecordInput,
    TaskInput,
    duty_task_create,
    duty_task_withdraw,
    performance_record_create,
    performance_record_review,
)
from tests.responsibility.duties.conftest import first_open_occurrence
from tests.responsibility.duties.views.conftest import url
from tests.responsibility.inspections.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def _record(occurrence, *, on=datetime.date(2026, 3, 20), files=()):
    return performance_record_create(
        occurrence=occurrence,
        data=RecordInput(
            performed_on=on, summary="听取分管单位汇报。", participants="张三、李四", files=list(files)
        ),
        recorded_by=occurrence.responsible,
    )


def _open_periods(assignment) -> list[TaskOccurrence]:
    return list(
        TaskOccurrence.objects.filter(task__assignment=assignment, done_at__isnull=True).order_by(
            "due_date", "pk"
        )
    )


def test_the_page_shows_the_assignment_its_clauses_tasks_periods_and_records(client, duties):
    # given the head kept a record with evidence for the first quarter, and the inspector returned it
    head = duties.head_assignment
    record = _record(first_open_occurrence(head), files=[pdf_upload("汇报记录.pdf")])
    performance_record_review(
        record=record,
        reviewed_by=duties.org.inspector,
        accept=False,
        reason="缺少会议纪要。",
        expected_version=None,
    )
    client.force_login(duties.org.staff[1])  # a reader of the unit's leaders

    # when
    response = client.get(url("duty-detail", head.pk))

    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert head.leader.get_full_name() in body
    assert "法制工作委员会主任" in body
    assert "Awaiting the leader&#x27;s confirmation" in body
    for clause in head.clauses.all():  # the letter's duty clauses, with the letter's reference
        assert clause.text in body
        assert clause.letter.reference in body
    # the recurrence in words
    assert "Every quarter" in body
    assert "2 times a year" in body
    assert "Once, due 2026-12-20" in body
    # the record: date, summary, participants, author, review, evidence served as a download
    assert "2026-03-20" in body
    assert "听取分管单位汇报。" in body
    assert "张三、李四" in body
    assert "缺少会议纪要。" in body
    evidence = record.evidence.get()
    assert url("evidence-download", evidence.pk) in body
    assert "汇报记录.pdf" in body
    # the overdue first quarter is red again now the record was returned
    assert 'class="badge light-red"' in body


def test_the_leader_gets_confirm_edit_add_task_and_record_buttons(client, duties):
    head = duties.head_assignment
    client.force_login(head.leader)

    body = client.get(url("duty-detail", head.pk)).content.decode()

    assert url("duty-confirm", head.pk) in body
    assert f'name="version" value="{head.version}"' in body
    assert url("duty-update", head.pk) in body
    assert url("duty-task-create", head.pk) in body
    assert url("performance-record-create", first_open_occurrence(head).pk) in body
    assert url("duty-report", head.pk) in body
    assert url("post-handover", head.pk) not in body
    assert "performance-record-review" not in body and "/review/" not in body


def test_a_reader_of_the_unit_gets_only_the_report(client, duties):
    head = duties.head_assignment
    _record(first_open_occurrence(head))
    client.force_login(duties.org.staff[1])

    body = client.get(url("duty-detail", head.pk)).content.decode()

    assert url("duty-report", head.pk) in body
    for name in ("duty-confirm", "duty-update", "duty-task-create", "post-handover"):
        assert url(name, head.pk) not in body
    assert "/records/new/" not in body and "/review/" not in body
    assert "/tasks/" not in body  # no task can be withdrawn


def test_the_office_may_edit_add_and_withdraw_unrecorded_tasks_and_hand_over_not_confirm(client, duties):
    head = duties.head_assignment
    recorded = first_open_occurrence(head)
    _record(recorded)
    client.force_login(duties.org.office_admin)

    body = client.get(url("duty-detail", head.pk)).content.decode()

    assert url("duty-update", head.pk) in body
    assert url("duty-task-create", head.pk) in body
    assert url("post-handover", head.pk) in body
    assert url("duty-confirm", head.pk) not in body
    # a task with a record cannot be withdrawn; the others can
    assert url("duty-task-withdraw", recorded.task_id) not in body
    other_tasks = head.tasks.exclude(pk=recorded.task_id)
    assert all(url("duty-task-withdraw", task.pk) in body for task in other_tasks)


def test_the_inspection_team_gets_a_review_form_for_each_pending_record(client, duties):
    head = duties.head_assignment
    pending = _record(first_open_occurrence(head))
    accepted = _record(first_open_occurrence(head), on=datetime.date(2026, 4, 1))
    performance_record_review(
        record=accepted, reviewed_by=duties.org.inspector, accept=True, expected_version=None
    )
    client.force_login(duties.org.inspector)

    body = client.get(url("duty-detail", head.pk)).content.decode()

    assert url("performance-record-review", pending.pk) in body
    assert url("performance-record-review", accepted.pk) not in body
    assert "/records/new/" not in body  # the team reviews; it does not record


def test_someone_who_may_not_see_the_assignment_gets_a_404(client, duties):
    client.force_login(duties.org.outsider)

    assert client.get(url("duty-detail", duties.head_assignment.pk)).status_code == 404


def test_the_page_runs_the_same_queries_for_few_and_many_tasks_and_records(client, duties):
    head = duties.head_assignment

    def queries(user) -> int:
        client.force_login(user)
        client.get(url("duty-detail", head.pk))  # warm the per-process caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("duty-detail", head.pk))
        assert response.status_code == 200
        return len(captured)

    # given one record with evidence
    _record(first_open_occurrence(head), files=[pdf_upload()])
    few = {user: queries(user) for user in (head.leader, duties.org.inspector)}

    # when a monthly task is added and records with evidence are kept for four more periods
    duty_task_create(
        assignment=head,
        data=TaskInput(title="每月学习", description="", recurrence=Recurrence.TIMES_A_YEAR, times_a_year=12),
        created_by=duties.org.office_admin,
    )
    for occurrence in _open_periods(head)[:4]:
        _record(occurrence, on=datetime.date(2026, 5, 1), files=[pdf_upload("a.pdf"), pdf_upload("b.pdf")])
    # and a task set by mistake is withdrawn (shown with who withdrew it, in the history too)
    mistake = duty_task_create(
        assignment=head,
        data=TaskInput(title="误设任务", description="", recurrence=Recurrence.QUARTERLY),
        created_by=duties.org.office_admin,
    )
    duty_task_withdraw(task=mistake, withdrawn_by=duties.org.office_admin, reason="重复设置。")
    many = {user: queries(user) for user in (head.leader, duties.org.inspector)}

    # then
    assert few == many


def test_a_done_period_says_when_the_work_was_done_whether_in_time_and_when_it_was_recorded(client, duties):
    # given today (15 May) the head recorded the first quarter's work (due 31 March), done on 20 March, and
    # the deputy head theirs, done on 10 April
    head, deputy = duties.head_assignment, duties.deputy_assignment
    _record(first_open_occurrence(head), on=datetime.date(2026, 3, 20))
    _record(first_open_occurrence(deputy), on=datetime.date(2026, 4, 10))
    client.force_login(duties.org.inspector)

    # when
    head_page = client.get(url("duty-detail", head.pk)).content.decode()
    deputy_page = client.get(url("duty-detail", deputy.pk)).content.decode()

    # then each is judged by the date of the work, and the page says when it was recorded
    assert "Done on 2026-03-20, on time" in head_page and "after the due date" not in head_page
    assert "Done on 2026-04-10, after the due date" in deputy_page
    assert "recorded on 2026-05-15" in head_page and "recorded on 2026-05-15" in deputy_page
