"""seed_demo on its own database: refusals, other days of the year, an existing administrator.

The tests that read what one load of the demo made are in test_seed_demo_loaded.py."""

import datetime

import pytest
from django.core.management import CommandError
from django.db.models import F, Q
from django.utils import timezone

from core.deadlines import TrafficLight
from responsibility.demo.seed import demo_data_create
from responsibility.duties.models import (
    PerformanceRecord,
    ReviewStatus,
    TaskOccurrence,
)
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import (
    LetterStatus,
)
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import (
    InspectionEvent,
    Rectification,
)
from tests.factories import OrgUnitFactory, UserFactory
from tests.responsibility.demo_helpers import (
    record_counts,
    seed_demo,
)

pytestmark = pytest.mark.django_db

# The day the demo is loaded on changes only its dates: the tests of other days are engine_independent (the
# demo's load on PostgreSQL is test_seed_demo_loaded.py's, and the pages' crawls).
other_day = pytest.mark.engine_independent


def test_seed_demo_refuses_a_database_that_holds_another_organisation():
    # given a real organisation
    OrgUnitFactory(name="某某局")
    before = record_counts()

    # when / then
    with pytest.raises(CommandError, match="already holds an organisation"):
        seed_demo()
    assert record_counts() == before


def test_seed_demo_leaves_an_existing_admin_user_alone():
    # given
    existing = UserFactory(username="admin", full_name="运维")

    # when
    output = seed_demo()

    # then
    existing.refresh_from_db()
    assert not existing.is_superuser
    assert existing.full_name == "运维"
    assert "left as it was" in output
    assert audit_chain_verify() is None


@other_day
def test_demo_data_create_works_early_in_a_year():
    # when the demo is built on 3 January, the campaign's deadline still falls in its year
    summary = demo_data_create(today=datetime.date(2027, 1, 3))

    # then
    assert [c.year for c in summary.campaigns] == [2026, 2027]
    assert summary.campaigns[1].deadline == datetime.date(2027, 1, 17)
    assert summary.letters_by_status[LetterStatus.ARCHIVED] == 11
    assert audit_chain_verify() is None


@other_day
def test_demo_supervision_follows_the_day_it_is_loaded():
    # given the demo built early in a year
    today = datetime.date(2027, 1, 3)

    # when
    summary = demo_data_create(today=today)

    # then: this year's plan covers the checks made since December, and the lights read from that day
    plan = summary.supervision.plan
    # (the plan's own events: the office's problem lists may be older than the round)
    of_plan = InspectionEvent.objects.filter(Q(plan=plan) | Q(batch__plan=plan))
    days = {timezone.localdate(event.created_at) for event in of_plan}
    assert plan.year == 2027
    assert plan.period_start <= min(days) and max(days) < today <= plan.period_end
    of_the_plan = Rectification.objects.filter(finding__plan=plan)
    assert of_the_plan.overdue(today).count() == 1
    assert of_the_plan.due_soon(today).count() == 1
    # and the 巡察 list's problem, recorded 44 days before with measures due within 35, is overdue too
    assert Rectification.objects.filter(finding__plan__isnull=True).overdue(today).count() == 1
    assert inspection_chain_verify() is None


@other_day
@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2027, 1, 3),
        datetime.date(2027, 5, 15),
        datetime.date(2027, 9, 26),
        datetime.date(2027, 12, 23),
    ],
    ids=str,
)
def test_demo_duties_leave_task_periods_in_every_state_whatever_the_day(today):
    # when
    demo_data_create(today=today)

    # then: done, overdue, due within 7 days and later, read on that day
    occurrences = list(TaskOccurrence.objects.filter(task__assignment__year=today.year))
    assert {o.light(today) for o in occurrences} == set(TrafficLight)
    assert {r.review_status for r in PerformanceRecord.objects.all()} == set(ReviewStatus.values)
    assert max(PerformanceRecord.objects.values_list("performed_on", flat=True)) <= today
    # each open period answers to the leader of its assignment
    assert not TaskOccurrence.objects.exclude(responsible=F("task__assignment__leader")).exists()


@other_day
@pytest.mark.parametrize(
    ("today", "missing"),
    [(datetime.date(2027, 1, 1), TrafficLight.RED), (datetime.date(2027, 12, 31), TrafficLight.GREEN)],
    ids=["1 January: nothing can be overdue yet", "31 December: nothing is more than 7 days away"],
)
def test_demo_duties_load_on_the_first_and_last_day_of_a_year(today, missing):
    demo_data_create(today=today)
    lights = {o.light(today) for o in TaskOccurrence.objects.all()}
    assert lights == set(TrafficLight) - {missing}
    assert {r.review_status for r in PerformanceRecord.objects.all()} == set(ReviewStatus.values)
