"""Inspection plans: create, update and close, who may, what is refused, and the audit trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from core.versions import StaleEdit
from responsibility.supervision.audit import inspection_chain_verify
from responsibility.supervision.models import InspectionEvent, InspectionEventKind, InspectionPlan, PlanStatus
from responsibility.supervision.services.draws import spot_check_draw
from responsibility.supervision.services.plans import (
    CheckpointInput,
    PlanInput,
    checkpoint_create,
    inspection_plan_close,
    inspection_plan_create,
    inspection_plan_update,
)
from tests.responsibility.inspections.conftest import draw_input
from tests.responsibility.inspections.services.conftest import ROLES, fresh

pytestmark = pytest.mark.django_db


def plan_input(supervision, **overrides) -> PlanInput:
    values = {
        "year": 2026,
        "title": "2026年度作风建设专项检查",
        "description": "对作风建设情况开展专项检查。",
        "period_start": datetime.date(2026, 5, 1),
        "period_end": datetime.date(2026, 6, 30),
        "scope": supervision.units[:3],
        "team": supervision.inspectors,
    }
    values.update(overrides)
    return PlanInput(**values)


def snapshot(plan: InspectionPlan) -> tuple:
    """Everything an edit may change, as stored."""
    stored = InspectionPlan.objects.get(pk=plan.pk)
    return (
        stored.year,
        stored.title,
        stored.description,
        stored.period_start,
        stored.period_end,
        stored.status,
        stored.version,
        sorted(stored.scope.values_list("pk", flat=True)),
        sorted(stored.team.values_list("pk", flat=True)),
    )


def plan_events(plan: InspectionPlan) -> list[tuple]:
    return list(
        InspectionEvent.objects.filter(subject=f"plan:{plan.pk}").values_list(
            "kind", "from_status", "to_status", "actor_id"
        )
    )


# --- Create ---------------------------------------------------------------------------------------


def test_inspection_plan_create_stores_the_plan_and_records_an_event(supervision):
    # given
    creator = supervision.inspectors[1]
    data = plan_input(supervision)

    # when
    plan = inspection_plan_create(data=data, created_by=creator)

    # then
    stored = InspectionPlan.objects.get(pk=plan.pk)
    assert (stored.year, stored.title, stored.period_start, stored.period_end) == (
        2026,
        "2026年度作风建设专项检查",
        datetime.date(2026, 5, 1),
        datetime.date(2026, 6, 30),
    )
    assert stored.status == PlanStatus.OPEN
    assert stored.version == 1
    assert stored.created_by == creator
    assert set(stored.scope.all()) == set(supervision.units[:3])
    assert set(stored.team.all()) == set(supervision.inspectors)
    assert plan_events(plan) == [(InspectionEventKind.PLAN_CREATED, "", PlanStatus.OPEN, creator.pk)]
    assert inspection_chain_verify() is None


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("team inspector", True),
        ("inspector not on the team", True),  # any member of the inspection team may plan a round
        ("office admin", False),
        ("party group", False),
        ("unit head", False),
    ],
)
def test_inspection_plan_create_is_for_the_inspection_team(supervision, role, allowed):
    user = fresh(ROLES[role](supervision))
    plans, events = InspectionPlan.objects.count(), InspectionEvent.objects.count()

    if allowed:
        plan = inspection_plan_create(data=plan_input(supervision), created_by=user)
        assert plan.created_by == user
        assert InspectionPlan.objects.count() == plans + 1
    else:
        with pytest.raises(PermissionDenied):
            inspection_plan_create(data=plan_input(supervision), created_by=user)
        assert InspectionPlan.objects.count() == plans
        assert InspectionEvent.objects.count() == events


def _deactivated(user):
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


# name → (the input's changes, made when the test runs; error code; words of the message)
BAD_INPUTS = {
    "period end before start": (
        lambda s: {"period_start": datetime.date(2026, 7, 1), "period_end": datetime.date(2026, 6, 30)},
        "period",
        "cannot end before they start",
    ),
    "empty scope": (lambda s: {"scope": []}, "empty_scope", "at least one unit"),
    "empty team": (lambda s: {"team": []}, "empty_team", "at least one team member"),
    "a non-inspector in the team": (
        lambda s: {"team": [s.inspectors[0], s.org.heads[0]]},
        "team",
        "Only members of the discipline inspection team",
    ),
    "an inactive inspector in the team": (
        lambda s: {"team": [s.inspectors[0], _deactivated(s.outside_inspector)]},
        "team",
        "Only members of the discipline inspection team",
    ),
    "duplicate title": (
        lambda s: {"title": s.plan.title, "year": s.plan.year},
        "duplicate",
        "already exists",
    ),
}


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_inspection_plan_create_refuses_bad_input_and_creates_nothing(supervision, bad):
    changes, code, words = BAD_INPUTS[bad]
    overrides = changes(supervision)
    plans, events = InspectionPlan.objects.count(), InspectionEvent.objects.count()

    with pytest.raises(ApplicationError, match=words) as refused:
        inspection_plan_create(
            data=plan_input(supervision, **overrides), created_by=supervision.inspectors[0]
        )

    assert refused.value.code == code
    assert InspectionPlan.objects.count() == plans
    assert InspectionEvent.objects.count() == events


def test_inspection_plan_create_accepts_the_same_title_in_another_year(supervision):
    plan = inspection_plan_create(
        data=plan_input(
            supervision,
            title=supervision.plan.title,
            year=2027,
            period_start=datetime.date(2027, 3, 1),
            period_end=datetime.date(2027, 3, 1),  # a one-day round is fine
        ),
        created_by=supervision.inspectors[0],
    )
    assert plan.year == 2027


# --- Update ---------------------------------------------------------------------------------------


def test_inspection_plan_update_changes_the_plan_bumps_its_version_and_records_an_event(supervision):
    # given
    plan, editor = supervision.plan, supervision.inspectors[0]
    data = plan_input(
        supervision,
        title="2026年度监督检查（调整）",
        scope=supervision.units[:2],
        team=[supervision.inspectors[0], supervision.outside_inspector],
    )

    # when
    updated = inspection_plan_update(plan=plan, data=data, updated_by=editor, expected_version=1)

    # then
    assert updated.version == 2
    assert snapshot(plan) == (
        2026,
        "2026年度监督检查（调整）",
        data.description,
        data.period_start,
        data.period_end,
        PlanStatus.OPEN,
        2,
        sorted(unit.pk for unit in supervision.units[:2]),
        sorted([supervision.inspectors[0].pk, supervision.outside_inspector.pk]),
    )
    assert plan_events(plan)[-1] == (InspectionEventKind.PLAN_UPDATED, "", "", editor.pk)
    assert inspection_chain_verify() is None


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("team inspector", True),
        ("inspector not on the team", False),
        ("office admin", False),
        ("party group", False),
        ("unit head", False),
    ],
)
def test_inspection_plan_update_is_for_the_plans_team(supervision, role, allowed):
    user = fresh(ROLES[role](supervision))
    team = [*supervision.inspectors, user] if allowed else supervision.inspectors
    before, events = snapshot(supervision.plan), InspectionEvent.objects.count()
    data = plan_input(supervision, title="改名", team=team)

    if allowed:
        inspection_plan_update(plan=supervision.plan, data=data, updated_by=user, expected_version=1)
        assert snapshot(supervision.plan)[1] == "改名"
    else:
        with pytest.raises(PermissionDenied):
            inspection_plan_update(plan=supervision.plan, data=data, updated_by=user, expected_version=1)
        assert snapshot(supervision.plan) == before
        assert InspectionEvent.objects.count() == events


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_inspection_plan_update_refuses_bad_input_and_changes_nothing(supervision, bad):
    # given a second plan, whose title the first may not take
    other = inspection_plan_create(data=plan_input(supervision), created_by=supervision.inspectors[0])
    changes, code, words = BAD_INPUTS[bad]
    overrides = changes(supervision)
    if bad == "duplicate title":
        overrides = {"title": other.title, "year": other.year}
    before, events = snapshot(supervision.plan), InspectionEvent.objects.count()

    with pytest.raises(ApplicationError, match=words) as refused:
        inspection_plan_update(
            plan=supervision.plan,
            data=plan_input(supervision, **overrides),
            updated_by=supervision.inspectors[0],
            expected_version=1,
        )

    assert refused.value.code == code
    assert snapshot(supervision.plan) == before
    assert InspectionEvent.objects.count() == events


def test_inspection_plan_update_keeps_its_own_title(supervision):
    data = plan_input(supervision, title=supervision.plan.title, year=supervision.plan.year)
    updated = inspection_plan_update(
        plan=supervision.plan, data=data, updated_by=supervision.inspectors[0], expected_version=1
    )
    assert updated.version == 2


def test_inspection_plan_update_refuses_to_take_the_editor_off_the_team(supervision):
    before = snapshot(supervision.plan)
    with pytest.raises(ApplicationError, match="cannot take yourself off") as refused:
        inspection_plan_update(
            plan=supervision.plan,
            data=plan_input(supervision, team=[supervision.inspectors[1]]),
            updated_by=supervision.inspectors[0],
            expected_version=1,
        )
    assert refused.value.code == "team_self"
    assert snapshot(supervision.plan) == before


def test_inspection_plan_update_from_a_stale_page_is_refused_and_changes_nothing(supervision):
    # given two team members opened the plan at version 1, and the first saved a change
    first, second = supervision.inspectors
    inspection_plan_update(
        plan=supervision.plan,
        data=plan_input(supervision, title="第一人的修改"),
        updated_by=first,
        expected_version=1,
    )
    after_first, events = snapshot(supervision.plan), InspectionEvent.objects.count()

    # when the second saves from the page they loaded before
    with pytest.raises(StaleEdit, match="Someone else changed this plan") as refused:
        inspection_plan_update(
            plan=supervision.plan,
            data=plan_input(supervision, title="第二人的修改"),
            updated_by=second,
            expected_version=1,
        )

    # then the first change stands and nothing else was written
    assert refused.value.code == "stale"
    assert snapshot(supervision.plan) == after_first
    assert after_first[1] == "第一人的修改"
    assert InspectionEvent.objects.count() == events


def test_inspection_plan_update_keeps_draws_already_made(supervision):
    # given a draw over the five units
    draw = spot_check_draw(
        plan=supervision.plan, data=draw_input(requested=2), drawn_by=supervision.inspectors[0]
    )
    population = list(draw.population)

    # when the scope shrinks
    inspection_plan_update(
        plan=supervision.plan,
        data=plan_input(supervision, scope=supervision.units[:1]),
        updated_by=supervision.inspectors[0],
        expected_version=1,
    )

    # then the draw keeps its snapshot
    draw.refresh_from_db()
    assert draw.population == population
    assert len(population) == 5


# --- Close ----------------------------------------------------------------------------------------


def test_inspection_plan_close_closes_the_plan_and_records_the_move(supervision):
    closer = supervision.inspectors[1]

    closed = inspection_plan_close(plan=supervision.plan, closed_by=closer)

    assert closed.status == PlanStatus.CLOSED
    assert snapshot(supervision.plan)[5:7] == (PlanStatus.CLOSED, 2)
    assert plan_events(supervision.plan)[-1] == (
        InspectionEventKind.PLAN_CLOSED,
        PlanStatus.OPEN,
        PlanStatus.CLOSED,
        closer.pk,
    )
    assert inspection_chain_verify() is None


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("team inspector", True),
        ("inspector not on the team", False),
        ("office admin", False),
        ("party group", False),
        ("unit head", False),
    ],
)
def test_inspection_plan_close_is_for_the_plans_team(supervision, role, allowed):
    user = fresh(ROLES[role](supervision))
    events = InspectionEvent.objects.count()

    if allowed:
        inspection_plan_close(plan=supervision.plan, closed_by=user)
        assert snapshot(supervision.plan)[5] == PlanStatus.CLOSED
    else:
        with pytest.raises(PermissionDenied):
            inspection_plan_close(plan=supervision.plan, closed_by=user)
        assert snapshot(supervision.plan)[5] == PlanStatus.OPEN
        assert InspectionEvent.objects.count() == events


def test_a_closed_plan_refuses_closing_editing_checkpoints_and_draws(supervision):
    # given a closed plan
    member = supervision.inspectors[0]
    inspection_plan_close(plan=supervision.plan, closed_by=member)
    before, events = snapshot(supervision.plan), InspectionEvent.objects.count()
    checkpoints = supervision.plan.checkpoints.count()

    # when anything more is asked of it, then each is refused with the same message
    attempts = [
        lambda: inspection_plan_close(plan=supervision.plan, closed_by=member),
        lambda: inspection_plan_update(
            plan=supervision.plan,
            data=plan_input(supervision, title="改名"),
            updated_by=member,
            expected_version=2,
        ),
        lambda: checkpoint_create(
            plan=supervision.plan,
            data=CheckpointInput("新检查点", "标准", ["rules"], 10, False),
            created_by=member,
        ),
        lambda: spot_check_draw(plan=supervision.plan, data=draw_input(), drawn_by=member),
    ]
    for attempt in attempts:
        with pytest.raises(ApplicationError, match="This plan is closed") as refused:
            attempt()
        assert refused.value.code == "closed"

    # and nothing changed
    assert snapshot(supervision.plan) == before
    assert supervision.plan.checkpoints.count() == checkpoints
    assert not supervision.plan.draws.exists()
    assert InspectionEvent.objects.count() == events
