"""Adjusting an assignment, confirming it, adding tasks: happy paths, bad input, a stale page, and who
is refused (withdrawing a task: test_duty_task_withdraw_view)."""

import datetime

import pytest

from responsibility.duties.models import AssignmentStatus, DutyAssignment, DutyTask, Recurrence
from responsibility.duties.services.assignments import (
    AssignmentInput,
    duty_assignment_confirm,
    duty_assignment_update,
)
from responsibility.letters.models.letters import LetterClause
from tests.responsibility.duties.views.conftest import messages_of, url

pytestmark = pytest.mark.django_db


def _fresh(assignment) -> DutyAssignment:
    return DutyAssignment.objects.get(pk=assignment.pk)


def _update_data(assignment, **overrides) -> dict:
    data = {
        "business_areas": "分管法制工作委员会的立法工作。",
        "integrity_duties": "对分管单位党风廉政建设负领导责任。",
        "oversees": [unit.pk for unit in assignment.oversees.all()],
        "clauses": [clause.pk for clause in assignment.clauses.all()],
        "version": _fresh(assignment).version,
    }
    data.update(overrides)
    return data


# --- Adjusting the assignment ---------------------------------------------------------------------


def test_the_leader_adjusts_their_draft_assignment(client, duties):
    # given the head's draft, and every clause of their letter
    head = duties.head_assignment
    letter_clauses = list(LetterClause.objects.filter(letter__signer=head.leader).order_by("number"))
    section = duties.org.staff_posts[1].unit
    client.force_login(head.leader)

    # when the form opens, then it offers the letter's clauses and shows the version
    page = client.get(url("duty-update", head.pk))
    assert page.status_code == 200
    assert list(page.context["form"].fields["clauses"].queryset) == letter_clauses
    assert f'name="version" value="{head.version}"' in page.content.decode()

    # when they add the section to the units overseen and link every clause
    response = client.post(
        url("duty-update", head.pk),
        _update_data(
            head,
            oversees=[head.post.unit_id, section.pk],
            clauses=[clause.pk for clause in letter_clauses],
        ),
    )

    # then
    assert response.status_code == 302
    assignment = _fresh(head)
    assert assignment.business_areas == "分管法制工作委员会的立法工作。"
    assert set(assignment.oversees.values_list("pk", flat=True)) == {head.post.unit_id, section.pk}
    assert list(assignment.clauses.order_by("number")) == letter_clauses
    assert assignment.version == head.version + 1
    assert messages_of(response) == ["The assignment was saved. It now awaits the leader's confirmation."]


def test_an_office_change_sends_a_confirmed_assignment_back_to_the_leader(client, duties):
    head = duties.head_assignment
    duty_assignment_confirm(assignment=head, confirmed_by=head.leader, expected_version=None)
    client.force_login(duties.org.office_admin)

    response = client.post(url("duty-update", head.pk), _update_data(head))

    assert response.status_code == 302
    assert _fresh(head).status == AssignmentStatus.DRAFT


def test_a_stale_page_keeps_the_input_and_says_someone_else_changed_it(client, duties):
    # given the leader opened the form, then the office saved a change
    head = duties.head_assignment
    opened_version = head.version
    duty_assignment_update(
        assignment=head,
        data=AssignmentInput(
            business_areas="办公室改过的。", integrity_duties="办公室改过的。", oversees=[], clauses=[]
        ),
        updated_by=duties.org.office_admin,
        expected_version=None,
    )
    client.force_login(head.leader)

    # when the leader saves from the page they opened
    response = client.post(
        url("duty-update", head.pk), _update_data(head, business_areas="我的修改。", version=opened_version)
    )

    # then nothing is saved, their input is still there, and they are told why
    assert response.status_code == 400
    body = response.content.decode()
    assert "Someone else changed this assignment after you opened the page." in body
    assert "我的修改。" in body
    assert _fresh(head).business_areas == "办公室改过的。"


def test_the_business_work_cannot_be_emptied(client, duties):
    head = duties.head_assignment
    client.force_login(head.leader)

    response = client.post(url("duty-update", head.pk), _update_data(head, business_areas="  "))

    assert response.status_code == 400
    assert "Describe the business work led." in response.content.decode()
    assert _fresh(head).business_areas == head.business_areas


def test_a_clause_of_another_letter_cannot_be_linked(client, duties):
    head = duties.head_assignment
    other = LetterClause.objects.exclude(letter__signer=head.leader).first()
    client.force_login(head.leader)

    response = client.post(url("duty-update", head.pk), _update_data(head, clauses=[other.pk]))

    assert response.status_code == 400
    assert response.context["form"].errors["clauses"]
    assert other not in _fresh(head).clauses.all()


@pytest.mark.parametrize("who", ["reader of the unit", "leader once confirmed", "inspection team"])
def test_only_the_office_or_the_leader_before_confirming_may_adjust(client, duties, who):
    head = duties.head_assignment
    user = {
        "reader of the unit": duties.org.staff[1],
        "leader once confirmed": head.leader,
        "inspection team": duties.org.inspector,
    }[who]
    if who == "leader once confirmed":
        duty_assignment_confirm(assignment=head, confirmed_by=head.leader, expected_version=None)
    client.force_login(user)

    assert client.get(url("duty-update", head.pk)).status_code == 403
    assert client.post(url("duty-update", head.pk), _update_data(head)).status_code == 403
    assert _fresh(head).business_areas == head.business_areas


def test_an_assignment_the_user_cannot_see_is_not_found(client, duties):
    client.force_login(duties.org.outsider)

    assert client.get(url("duty-update", duties.head_assignment.pk)).status_code == 404


# --- Confirming -------------------------------------------------------------------------------------


def test_the_leader_confirms_their_assignment(client, duties):
    head = duties.head_assignment
    client.force_login(head.leader)

    response = client.post(url("duty-confirm", head.pk), {"version": head.version})

    assert response.status_code == 302
    assert _fresh(head).status == AssignmentStatus.CONFIRMED
    assert messages_of(response) == ["You confirmed your duty assignment for 2026."]


def test_confirming_from_a_stale_page_is_refused_with_a_message(client, duties):
    head = duties.head_assignment
    client.force_login(head.leader)

    response = client.post(url("duty-confirm", head.pk), {"version": head.version + 5})

    assert _fresh(head).status == AssignmentStatus.DRAFT
    assert "Someone else changed this assignment" in messages_of(response)[0]


def test_confirming_twice_says_it_is_already_confirmed(client, duties):
    head = duties.head_assignment
    client.force_login(head.leader)
    client.post(url("duty-confirm", head.pk), {"version": head.version})

    response = client.post(url("duty-confirm", head.pk), {"version": _fresh(head).version})

    assert messages_of(response)[-1] == "You have already confirmed this assignment."


@pytest.mark.parametrize("who", ["office", "reader of the unit"])
def test_only_the_leader_confirms(client, duties, who):
    head = duties.head_assignment
    client.force_login(duties.org.office_admin if who == "office" else duties.org.staff[1])

    response = client.post(url("duty-confirm", head.pk), {"version": head.version})

    assert response.status_code == 403
    assert _fresh(head).status == AssignmentStatus.DRAFT


# --- Adding a task ----------------------------------------------------------------------------------


def _task_data(**overrides) -> dict:
    data = {"title": "督促分管单位落实整改", "description": "", "recurrence": Recurrence.QUARTERLY}
    data.update(overrides)
    return data


def test_the_leader_adds_a_quarterly_task_linked_to_a_clause(client, duties):
    head = duties.head_assignment
    clause = head.clauses.order_by("number").first()
    client.force_login(head.leader)

    assert client.get(url("duty-task-create", head.pk)).status_code == 200
    response = client.post(url("duty-task-create", head.pk), _task_data(clause=clause.pk))

    task = DutyTask.objects.get(assignment=head, title="督促分管单位落实整改")
    assert response.status_code == 302
    assert response.url.endswith(f"#task-{task.pk}")
    assert task.clause == clause
    assert list(task.occurrences.values_list("due_date", flat=True)) == [
        datetime.date(2026, 3, 31),
        datetime.date(2026, 6, 30),
        datetime.date(2026, 9, 30),
        datetime.date(2026, 12, 31),
    ]
    assert messages_of(response) == ["Task “督促分管单位落实整改” added with 4 periods this year."]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"recurrence": Recurrence.TIMES_A_YEAR, "times_a_year": "5"},
            "times_a_year",
            "1, 2, 3, 4, 6 or 12 times",
        ),
        ({"recurrence": Recurrence.TIMES_A_YEAR}, "times_a_year", "1, 2, 3, 4, 6 or 12 times"),
        ({"recurrence": Recurrence.ONCE}, "due_date", "A task done once needs a due date."),
        (
            {"recurrence": Recurrence.ONCE, "due_date": "2027-01-15"},
            "due_date",
            "The due date must be in 2026, the year of the assignment.",
        ),
        ({"recurrence": ""}, "recurrence", "Choose how often the task recurs."),
        ({"title": ""}, "title", "Give the task a title."),
    ],
)
def test_a_task_that_makes_no_sense_is_refused_on_the_form(client, duties, fields, field, message):
    head = duties.head_assignment
    tasks_before = DutyTask.objects.count()
    client.force_login(head.leader)

    response = client.post(url("duty-task-create", head.pk), _task_data(**fields))

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert DutyTask.objects.count() == tasks_before


def test_a_clause_outside_the_assignment_cannot_be_linked_to_a_task(client, duties):
    head = duties.head_assignment
    other = LetterClause.objects.exclude(pk__in=head.clauses.values("pk")).first()
    client.force_login(head.leader)

    response = client.post(url("duty-task-create", head.pk), _task_data(clause=other.pk))

    assert response.status_code == 400
    assert not DutyTask.objects.filter(title="督促分管单位落实整改").exists()


def test_a_reader_may_not_add_a_task(client, duties):
    client.force_login(duties.org.staff[1])

    response = client.post(url("duty-task-create", duties.head_assignment.pk), _task_data())

    assert response.status_code == 403
    assert not DutyTask.objects.filter(title="督促分管单位落实整改").exists()
