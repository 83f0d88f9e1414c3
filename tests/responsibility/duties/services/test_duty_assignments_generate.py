"""duty_assignments_generate: the office generates the year's 一岗双责 assignments for every held
leading post in one action, with the common tasks and their periods."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import PostKind
from core.errors import ApplicationError
from responsibility.duties.models import (
    AssignmentStatus,
    DutyAssignment,
    DutyTaskTemplate,
    Recurrence,
    TaskOccurrence,
)
from responsibility.duties.recurrence import RecurrenceRefused
from responsibility.duties.services.assignments import duty_assignments_generate
from responsibility.letters.models.letters import ClauseCategory, Letter
from tests.factories import PostFactory, UserFactory
from tests.responsibility.duties.conftest import common_task_templates

from .conftest import duty_state, fresh

pytestmark = pytest.mark.django_db

# The due dates of each common task in 2026 (see common_task_templates).
EXPECTED_DUE_DATES = {
    "听取分管单位党风廉政建设工作汇报": ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"],
    "与分管单位负责人开展廉政谈话": ["2026-06-30", "2026-12-31"],
    "开展廉政风险点排查": ["2026-12-31"],
    "专题研究党风廉政建设工作": ["2026-06-30", "2026-12-31"],
    "报送年度履责情况报告": ["2026-12-20"],
}


def test_duty_assignments_generate_makes_one_draft_per_held_leading_post(org, clock):
    # given a Party Group member, a vacant deputy post, a post whose holder left, and a staff member
    member_post = PostFactory(unit=org.secretary_post.unit, title="党组成员", kind=PostKind.PARTY_MEMBER)
    vacant = PostFactory(unit=org.head_posts[1].unit, title="副主任", kind=PostKind.DEPUTY_HEAD, holder=None)
    gone = PostFactory(
        unit=org.head_posts[1].unit,
        title="副主任",
        kind=PostKind.DEPUTY_HEAD,
        holder=UserFactory(is_active=False),
    )
    staff = PostFactory(unit=org.head_posts[0].unit, title="一级主任科员", kind=PostKind.STAFF)
    common_task_templates()

    # when
    result = duty_assignments_generate(year=2026, generated_by=org.office_admin)

    # then: the secretary, the member, both heads and the deputy; not the section chief, staff or vacancies
    expected = {org.secretary_post, member_post, *org.head_posts, org.staff_posts[0]}
    assert {assignment.post for assignment in result.created} == expected
    assert DutyAssignment.objects.count() == len(expected)
    assert not DutyAssignment.objects.filter(post__in=[vacant, gone, staff, org.staff_posts[1]]).exists()
    for assignment in result.created:
        assert assignment.year == 2026
        assert assignment.leader == assignment.post.holder
        assert assignment.status == AssignmentStatus.DRAFT
        assert assignment.created_by == org.office_admin
        assert assignment.business_areas and assignment.integrity_duties
    assert result.skipped == []


def test_duty_assignments_generate_copies_what_each_post_oversees(duties):
    # given the fixture: the first head oversees their committee, the deputy 法规处, the others nothing
    org = duties.org
    secretary = DutyAssignment.objects.get(post=org.secretary_post)

    # then
    assert list(duties.head_assignment.oversees.all()) == [org.head_posts[0].unit]
    assert list(duties.deputy_assignment.oversees.all()) == [org.staff_posts[1].unit]
    assert "法规处" in duties.deputy_assignment.business_areas
    assert not secretary.oversees.exists()
    assert org.secretary_post.unit.name in secretary.business_areas  # the post's own unit, when none


def test_duty_assignments_generate_copies_oversees_as_it_was_then(duties):
    # when the post's 分管 changes after generation
    post = duties.head_assignment.post
    post.oversees.set([duties.org.head_posts[1].unit])

    # then the assignment keeps what it was given (it is adjusted through duty_assignment_update)
    assert list(duties.head_assignment.oversees.all()) == [duties.org.head_posts[0].unit]


def test_duty_assignments_generate_links_the_principal_and_dual_duty_clauses_of_the_leaders_letter(duties):
    # given each head signed a letter in the 2026 campaign (principal, dual duty, self-discipline)
    for post in duties.org.head_posts:
        letter = Letter.objects.get(signer_post=post, campaign__year=2026)
        assignment = DutyAssignment.objects.get(post=post, year=2026)

        # then exactly that letter's principal and dual-duty clauses are linked
        expected = set(
            letter.clauses.filter(category__in=[ClauseCategory.PRINCIPAL, ClauseCategory.DUAL_DUTY])
        )
        assert set(assignment.clauses.all()) == expected
        assert len(expected) == 2
    # the secretary and the deputy signed no letter: nothing to link
    assert not DutyAssignment.objects.get(post=duties.org.secretary_post).clauses.exists()
    assert not duties.deputy_assignment.clauses.exists()


def test_duty_assignments_generate_links_no_clause_of_another_years_letter(duties):
    # when next year's assignments are generated (the heads' letters are 2026's)
    result = duty_assignments_generate(year=2027, generated_by=duties.org.office_admin)

    # then
    assert len(result.created) == len(duties.assignments)
    assert not DutyAssignment.clauses.through.objects.filter(
        dutyassignment__in=[assignment.pk for assignment in result.created]
    ).exists()


def test_duty_assignments_generate_adds_the_active_common_tasks_with_their_periods(org, clock):
    # given the common tasks and one no longer in use
    common_task_templates()
    DutyTaskTemplate.objects.create(
        title="已停用的任务", recurrence=Recurrence.QUARTERLY, is_active=False, sort_order=99
    )

    # when
    result = duty_assignments_generate(year=2026, generated_by=org.office_admin)

    # then every assignment carries the five active tasks in order, each with its periods and holder
    for assignment in result.created:
        tasks = list(assignment.tasks.order_by("sort_order"))
        assert [task.title for task in tasks] == list(EXPECTED_DUE_DATES)
        for task in tasks:
            occurrences = list(task.occurrences.order_by("sequence"))
            assert [str(o.due_date) for o in occurrences] == EXPECTED_DUE_DATES[task.title]
            assert [o.sequence for o in occurrences] == list(range(1, len(occurrences) + 1))
            assert {o.responsible_id for o in occurrences} == {assignment.leader_id}
            assert all(o.done_at is None for o in occurrences)
    assert TaskOccurrence.objects.count() == 10 * len(result.created)
    assert not TaskOccurrence.objects.filter(task__title="已停用的任务").exists()


def test_duty_assignments_generate_again_creates_nothing_and_says_so(duties):
    # given
    before = duty_state()

    # when / then
    with pytest.raises(ApplicationError, match="No assignment was generated") as refused:
        duty_assignments_generate(year=2026, generated_by=duties.org.office_admin)
    assert refused.value.code == "nothing"
    assert duty_state() == before


def test_duty_assignments_generate_gives_a_newly_filled_post_its_assignment_next_time(duties):
    # given a deputy post filled after the year's assignments were generated
    org = duties.org
    new_post = PostFactory(unit=org.head_posts[1].unit, title="副主任", kind=PostKind.DEPUTY_HEAD)
    before = {assignment.pk: assignment.version for assignment in DutyAssignment.objects.all()}

    # when
    result = duty_assignments_generate(year=2026, generated_by=org.office_admin)

    # then only the new post gets one; the others are passed over with the reason, unchanged
    assert [assignment.post for assignment in result.created] == [new_post]
    assert result.created[0].leader == new_post.holder
    assert result.created[0].tasks.count() == 5
    assert {post.pk for post, _reason in result.skipped} == {a.post_id for a in duties.assignments}
    assert {reason for _post, reason in result.skipped} == {"an assignment for this year already exists"}
    assert {a.pk: a.version for a in DutyAssignment.objects.exclude(post=new_post)} == before


@pytest.mark.parametrize(
    "who",
    [
        lambda org: org.secretary,
        lambda org: org.inspector,
        lambda org: org.heads[0],
        lambda org: org.staff[0],
        lambda org: org.outsider,
    ],
    ids=["party group", "inspection team", "unit head", "deputy head", "outsider"],
)
def test_duty_assignments_generate_is_for_the_office_only(org, clock, who):
    # given
    common_task_templates()
    before = duty_state()

    # when / then
    with pytest.raises(PermissionDenied):
        duty_assignments_generate(year=2026, generated_by=fresh(who(org)))
    assert duty_state() == before


def test_duty_assignments_generate_refuses_an_inactive_office_administrator(org, clock):
    org.office_admin.is_active = False
    org.office_admin.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        duty_assignments_generate(year=2026, generated_by=fresh(org.office_admin))
    assert not DutyAssignment.objects.exists()


@pytest.mark.parametrize(
    ("broken", "words"),
    [
        ({"recurrence": Recurrence.TIMES_A_YEAR, "times_a_year": 5}, "whole months"),
        ({"recurrence": Recurrence.TIMES_A_YEAR, "times_a_year": None}, "whole months"),
        ({"recurrence": "monthly"}, "Choose how often"),
    ],
    ids=["five times a year", "N times without N", "unknown recurrence"],
)
def test_duty_assignments_generate_refuses_a_broken_template_before_writing_anything(
    org, clock, broken, words
):
    # given good templates, and one last that makes no sense
    common_task_templates()
    DutyTaskTemplate.objects.create(title="有问题的任务", sort_order=50, **broken)
    before = duty_state()

    # when / then
    with pytest.raises(RecurrenceRefused, match=words):
        duty_assignments_generate(year=2026, generated_by=org.office_admin)
    assert duty_state() == before
    assert not DutyAssignment.objects.exists()


@pytest.mark.parametrize("year", [1999, 2101])
def test_duty_assignments_generate_refuses_a_year_out_of_range(org, clock, year):
    with pytest.raises(ApplicationError, match="between 2000 and 2100"):
        duty_assignments_generate(year=year, generated_by=org.office_admin)
    assert not DutyAssignment.objects.exists()


def test_duty_assignments_generate_puts_a_once_template_on_its_day_of_the_year(org, clock):
    # given a once-a-year task due on 30 June, and one given an impossible day (31 April)
    DutyTaskTemplate.objects.create(title="半年小结", recurrence=Recurrence.ONCE, due_month=6, due_day=30)
    DutyTaskTemplate.objects.create(title="日期有误", recurrence=Recurrence.ONCE, due_month=4, due_day=31)

    # when
    duty_assignments_generate(year=2028, generated_by=org.office_admin)

    # then the first falls on its day, the impossible one at year end
    assert set(TaskOccurrence.objects.filter(task__title="半年小结").values_list("due_date", flat=True)) == {
        datetime.date(2028, 6, 30)
    }
    assert set(TaskOccurrence.objects.filter(task__title="日期有误").values_list("due_date", flat=True)) == {
        datetime.date(2028, 12, 31)
    }
