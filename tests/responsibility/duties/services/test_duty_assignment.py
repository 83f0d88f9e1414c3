"""Adjusting and confirming an assignment, and adding its tasks (withdrawing one: test_duty_task_withdraw)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import ApplicationError
from core.versions import StaleEdit
from responsibility.duties.models import AssignmentStatus, Recurrence
from responsibility.duties.recurrence import RecurrenceRefused
from responsibility.duties.services.assignments import (
    AssignmentInput,
    TaskInput,
    duty_assignment_confirm,
    duty_assignment_update,
    duty_task_create,
)
from responsibility.letters.models.letters import Letter

from .conftest import duty_state, fresh

pytestmark = pytest.mark.django_db


def assignment_input(assignment, **overrides) -> AssignmentInput:
    values = {
        "business_areas": "法制工作委员会的立法调研、法规审查工作。",
        "integrity_duties": "对法制工作委员会党风廉政建设负领导责任，每季度听取汇报。",
        "oversees": list(assignment.oversees.all()),
        "clauses": list(assignment.clauses.all()),
    }
    values.update(overrides)
    return AssignmentInput(**values)


def task_input(**overrides) -> TaskInput:
    values = {
        "title": "检查分管处室廉政风险防控措施落实情况",
        "description": "",
        "recurrence": Recurrence.QUARTERLY,
    }
    values.update(overrides)
    return TaskInput(**values)


def confirmed(assignment):
    return duty_assignment_confirm(
        assignment=assignment, confirmed_by=fresh(assignment.leader), expected_version=assignment.version
    )


# --- Update ---------------------------------------------------------------------------------------


def test_duty_assignment_update_by_the_office_sends_a_confirmed_assignment_back_to_draft(duties):
    # given the head confirmed their assignment
    assignment = confirmed(duties.head_assignment)
    org = duties.org
    clause = assignment.clauses.order_by("number").first()

    # when the office adjusts it
    updated = duty_assignment_update(
        assignment=assignment,
        data=assignment_input(
            assignment, oversees=[org.head_posts[0].unit, org.staff_posts[1].unit], clauses=[clause]
        ),
        updated_by=org.office_admin,
        expected_version=assignment.version,
    )

    # then
    updated.refresh_from_db()
    assert updated.status == AssignmentStatus.DRAFT
    assert updated.confirmed_at is None
    assert updated.version == assignment.version + 1
    assert updated.business_areas == "法制工作委员会的立法调研、法规审查工作。"
    assert set(updated.oversees.all()) == {org.head_posts[0].unit, org.staff_posts[1].unit}
    assert list(updated.clauses.all()) == [clause]


def test_duty_assignment_update_by_the_leader_while_draft(duties):
    # given
    assignment = duties.head_assignment

    # when the head rewrites it (surrounding spaces trimmed) and links no clause
    updated = duty_assignment_update(
        assignment=assignment,
        data=assignment_input(assignment, integrity_duties="  对分管领域廉政工作负领导责任。  ", clauses=[]),
        updated_by=fresh(assignment.leader),
        expected_version=assignment.version,
    )

    # then
    assert updated.integrity_duties == "对分管领域廉政工作负领导责任。"
    assert updated.status == AssignmentStatus.DRAFT
    assert not updated.clauses.exists()


def test_duty_assignment_update_refuses_the_leader_once_confirmed(duties):
    # given
    assignment = confirmed(duties.head_assignment)
    before = duty_state()

    # when / then
    with pytest.raises(PermissionDenied, match="before confirming"):
        duty_assignment_update(
            assignment=assignment,
            data=assignment_input(assignment),
            updated_by=fresh(assignment.leader),
            expected_version=assignment.version,
        )
    assert duty_state() == before


@pytest.mark.parametrize(
    "who",
    [
        lambda duties: duties.org.secretary,
        lambda duties: duties.org.inspector,
        lambda duties: duties.org.heads[1],
        lambda duties: duties.deputy_assignment.leader,
        lambda duties: duties.org.outsider,
    ],
    ids=["party group", "inspection team", "another head", "the deputy of the unit", "outsider"],
)
def test_duty_assignment_update_refuses_anyone_else(duties, who):
    # given
    assignment = duties.head_assignment
    before = duty_state()

    # when / then
    with pytest.raises(PermissionDenied):
        duty_assignment_update(
            assignment=assignment,
            data=assignment_input(assignment),
            updated_by=fresh(who(duties)),
            expected_version=assignment.version,
        )
    assert duty_state() == before


def test_duty_assignment_update_refuses_a_clause_of_another_letter(duties):
    # given a clause of the other head's letter
    assignment = duties.head_assignment
    other = Letter.objects.get(signer_post=duties.org.head_posts[1]).clauses.first()
    before = duty_state()

    # when / then
    with pytest.raises(ApplicationError, match="clauses of the leader's own letter"):
        duty_assignment_update(
            assignment=assignment,
            data=assignment_input(assignment, clauses=[*assignment.clauses.all(), other]),
            updated_by=duties.org.office_admin,
            expected_version=assignment.version,
        )
    assert duty_state() == before


def test_duty_assignment_update_refuses_any_clause_for_a_leader_without_a_letter(duties):
    # given the deputy signed no letter; a clause of their head's letter
    head_clause = duties.head_assignment.clauses.first()
    assignment = duties.deputy_assignment
    before = duty_state()

    # when / then
    with pytest.raises(ApplicationError, match="clauses of the leader's own letter"):
        duty_assignment_update(
            assignment=assignment,
            data=assignment_input(assignment, clauses=[head_clause]),
            updated_by=duties.org.office_admin,
            expected_version=assignment.version,
        )
    assert duty_state() == before


@pytest.mark.parametrize("field", ["business_areas", "integrity_duties"])
def test_duty_assignment_update_refuses_an_empty_description(duties, field):
    assignment = duties.head_assignment
    before = duty_state()
    with pytest.raises(ApplicationError, match="Describe both"):
        duty_assignment_update(
            assignment=assignment,
            data=assignment_input(assignment, **{field: "   "}),
            updated_by=duties.org.office_admin,
            expected_version=assignment.version,
        )
    assert duty_state() == before


def test_duty_assignment_update_refuses_a_stale_version(duties):
    # given the leader confirmed after the office opened the page
    assignment = duties.head_assignment
    opened = assignment.version
    confirmed(assignment)
    before = duty_state()

    # when / then
    with pytest.raises(StaleEdit, match="Someone else changed this assignment"):
        duty_assignment_update(
            assignment=assignment,
            data=assignment_input(assignment),
            updated_by=duties.org.office_admin,
            expected_version=opened,
        )
    assert duty_state() == before


# --- Confirm --------------------------------------------------------------------------------------


def test_duty_assignment_confirm_by_the_leader(duties):
    # when
    assignment = confirmed(duties.head_assignment)

    # then
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFIRMED
    assert assignment.confirmed_at == timezone.now()
    assert assignment.version == duties.head_assignment.version + 1


@pytest.mark.parametrize(
    "who",
    [
        lambda duties: duties.org.office_admin,
        lambda duties: duties.org.secretary,
        lambda duties: duties.org.inspector,
        lambda duties: duties.org.heads[1],
    ],
    ids=["office", "party group", "inspection team", "another head"],
)
def test_duty_assignment_confirm_refuses_anyone_but_the_leader(duties, who):
    before = duty_state()
    with pytest.raises(PermissionDenied, match="Only the leader named on the assignment"):
        duty_assignment_confirm(
            assignment=duties.head_assignment,
            confirmed_by=fresh(who(duties)),
            expected_version=duties.head_assignment.version,
        )
    assert duty_state() == before


def test_duty_assignment_confirm_twice_is_refused(duties):
    # given
    assignment = confirmed(duties.head_assignment)
    before = duty_state()

    # when / then
    with pytest.raises(ApplicationError, match="already confirmed"):
        duty_assignment_confirm(
            assignment=assignment, confirmed_by=fresh(assignment.leader), expected_version=assignment.version
        )
    assert duty_state() == before


def test_duty_assignment_confirm_refuses_a_stale_version(duties):
    # given the office changed the assignment after the leader opened it
    assignment = duties.head_assignment
    opened = assignment.version
    duty_assignment_update(
        assignment=assignment,
        data=assignment_input(assignment),
        updated_by=duties.org.office_admin,
        expected_version=opened,
    )
    before = duty_state()

    # when / then
    with pytest.raises(StaleEdit):
        duty_assignment_confirm(
            assignment=assignment, confirmed_by=fresh(assignment.leader), expected_version=opened
        )
    assert duty_state() == before


# --- Tasks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recurrence", "extra", "due_dates"),
    [
        (Recurrence.ONCE, {"due_date": datetime.date(2026, 9, 15)}, ["2026-09-15"]),
        (Recurrence.QUARTERLY, {}, ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"]),
        (Recurrence.HALF_YEARLY, {}, ["2026-06-30", "2026-12-31"]),
        (Recurrence.YEARLY, {}, ["2026-12-31"]),
        (Recurrence.TIMES_A_YEAR, {"times_a_year": 1}, ["2026-12-31"]),
        (Recurrence.TIMES_A_YEAR, {"times_a_year": 3}, ["2026-04-30", "2026-08-31", "2026-12-31"]),
        (
            Recurrence.TIMES_A_YEAR,
            {"times_a_year": 6},
            ["2026-02-28", "2026-04-30", "2026-06-30", "2026-08-31", "2026-10-31", "2026-12-31"],
        ),
    ],
)
def test_duty_task_create_creates_the_periods_of_the_year(duties, recurrence, extra, due_dates):
    # given
    assignment = duties.deputy_assignment

    # when
    task = duty_task_create(
        assignment=assignment,
        data=task_input(recurrence=recurrence, **extra),
        created_by=fresh(assignment.leader),
    )

    # then
    occurrences = list(task.occurrences.order_by("sequence"))
    assert [str(o.due_date) for o in occurrences] == due_dates
    assert {o.responsible_id for o in occurrences} == {assignment.leader_id}
    others = assignment.tasks.exclude(pk=task.pk)
    assert task.sort_order == max(other.sort_order for other in others) + 1  # listed last
    assert task.recurrence == recurrence


def test_duty_task_create_by_the_office_keeps_only_what_the_recurrence_uses(duties):
    # when a quarterly task is sent with a stray count and date
    task = duty_task_create(
        assignment=duties.head_assignment,
        data=task_input(times_a_year=5, due_date=datetime.date(2030, 1, 1)),
        created_by=duties.org.office_admin,
    )

    # then
    task.refresh_from_db()
    assert task.times_a_year is None and task.due_date is None
    assert task.occurrences.count() == 4


def test_duty_task_create_links_a_clause_of_the_assignment(duties):
    clause = duties.head_assignment.clauses.first()
    task = duty_task_create(
        assignment=duties.head_assignment, data=task_input(clause=clause), created_by=duties.org.office_admin
    )
    assert task.clause == clause


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"recurrence": Recurrence.TIMES_A_YEAR, "times_a_year": 5}, "whole months"),
        ({"recurrence": Recurrence.TIMES_A_YEAR, "times_a_year": 0}, "whole months"),
        ({"recurrence": Recurrence.TIMES_A_YEAR}, "whole months"),
        ({"recurrence": Recurrence.ONCE}, "needs a due date"),
        ({"recurrence": Recurrence.ONCE, "due_date": datetime.date(2027, 3, 1)}, "must be in 2026"),
        ({"recurrence": "weekly"}, "Choose how often"),
    ],
    ids=["five times", "zero times", "no count", "once without date", "once next year", "weekly"],
)
def test_duty_task_create_refuses_a_recurrence_that_makes_no_sense(duties, data, words):
    before = duty_state()
    with pytest.raises(RecurrenceRefused, match=words):
        duty_task_create(
            assignment=duties.head_assignment, data=task_input(**data), created_by=duties.org.office_admin
        )
    assert duty_state() == before


def test_duty_task_create_refuses_a_clause_not_of_the_assignment(duties):
    other = Letter.objects.get(signer_post=duties.org.head_posts[1]).clauses.first()
    before = duty_state()
    with pytest.raises(ApplicationError, match="one of the assignment's clauses"):
        duty_task_create(
            assignment=duties.head_assignment,
            data=task_input(clause=other),
            created_by=duties.org.office_admin,
        )
    assert duty_state() == before


def test_duty_task_create_refuses_an_empty_title(duties):
    before = duty_state()
    with pytest.raises(ApplicationError, match="Give the task a title"):
        duty_task_create(
            assignment=duties.head_assignment, data=task_input(title="  "), created_by=duties.org.office_admin
        )
    assert duty_state() == before


def test_duty_task_create_refuses_the_leader_once_confirmed_and_others(duties):
    assignment = confirmed(duties.head_assignment)
    before = duty_state()
    for user in (assignment.leader, duties.org.inspector, duties.org.heads[1]):
        with pytest.raises(PermissionDenied):
            duty_task_create(assignment=assignment, data=task_input(), created_by=fresh(user))
    assert duty_state() == before
