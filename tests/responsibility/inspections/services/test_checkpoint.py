"""Checkpoints (检查点): created and changed by the plan's team until a result is recorded against them."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.models import CheckOutcome, Checkpoint
from responsibility.supervision.services.inspections import ResultInput, check_result_record
from responsibility.supervision.services.plans import (
    CheckpointInput,
    checkpoint_create,
    checkpoint_update,
    inspection_plan_close,
)
from tests.responsibility.inspections.conftest import inspector_of
from tests.responsibility.inspections.services.conftest import ROLES, fresh

pytestmark = pytest.mark.django_db


def checkpoint_input(**overrides) -> CheckpointInput:
    values = {
        "title": "制度建设",
        "criterion": "建立健全廉政风险防控制度，并有效执行。",
        "categories": [ClauseCategory.RULES],
        "weight": 20,
        "evidence_required": True,
    }
    values.update(overrides)
    return CheckpointInput(**values)


def stored(checkpoint: Checkpoint) -> tuple:
    row = Checkpoint.objects.get(pk=checkpoint.pk)
    return (row.number, row.title, row.criterion, row.categories, row.weight, row.evidence_required)


# --- Create ---------------------------------------------------------------------------------------


def test_checkpoint_create_numbers_it_after_the_plans_checkpoints(supervision):
    # given the plan has checkpoints 1 and 2

    # when
    checkpoint = checkpoint_create(
        plan=supervision.plan,
        data=checkpoint_input(
            # given out of order and twice: stored once each, in the categories' own order
            categories=[ClauseCategory.SELF_DISCIPLINE, ClauseCategory.POLITICAL, ClauseCategory.POLITICAL],
        ),
        created_by=supervision.inspectors[1],
    )

    # then
    assert stored(checkpoint) == (
        3,
        "制度建设",
        "建立健全廉政风险防控制度，并有效执行。",
        [ClauseCategory.POLITICAL, ClauseCategory.SELF_DISCIPLINE],
        20,
        True,
    )
    assert checkpoint.plan == supervision.plan
    assert checkpoint.category_labels == [
        ClauseCategory.POLITICAL.label,
        ClauseCategory.SELF_DISCIPLINE.label,
    ]


@pytest.mark.parametrize("weight", [1, 100])
def test_checkpoint_create_accepts_the_weights_at_the_limits(supervision, weight):
    checkpoint = checkpoint_create(
        plan=supervision.plan, data=checkpoint_input(weight=weight), created_by=supervision.inspectors[0]
    )
    assert stored(checkpoint)[4] == weight


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
def test_checkpoint_create_is_for_the_plans_team(supervision, role, allowed):
    user = fresh(ROLES[role](supervision))
    count = supervision.plan.checkpoints.count()

    if allowed:
        checkpoint_create(plan=supervision.plan, data=checkpoint_input(), created_by=user)
        assert supervision.plan.checkpoints.count() == count + 1
    else:
        with pytest.raises(PermissionDenied):
            checkpoint_create(plan=supervision.plan, data=checkpoint_input(), created_by=user)
        assert supervision.plan.checkpoints.count() == count


BAD_INPUTS = {
    "unknown category": ({"categories": [ClauseCategory.RULES, "bribery"]}, "category", "Unknown clause"),
    "no category": ({"categories": []}, "categories", "at least one clause category"),
    "weight 0": ({"weight": 0}, "weight", "between 1 and 100"),
    "weight 101": ({"weight": 101}, "weight", "between 1 and 100"),
    "negative weight": ({"weight": -5}, "weight", "between 1 and 100"),
}


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_checkpoint_create_refuses_bad_input_and_creates_nothing(supervision, bad):
    overrides, code, words = BAD_INPUTS[bad]
    count = Checkpoint.objects.count()

    with pytest.raises(ApplicationError, match=words) as refused:
        checkpoint_create(
            plan=supervision.plan, data=checkpoint_input(**overrides), created_by=supervision.inspectors[0]
        )

    assert refused.value.code == code
    assert Checkpoint.objects.count() == count


# --- Update ---------------------------------------------------------------------------------------


@pytest.fixture
def checkpoint(supervision) -> Checkpoint:
    return supervision.plan.checkpoints.get(number=2)


def test_checkpoint_update_changes_it_before_any_result(supervision, checkpoint):
    checkpoint_update(
        checkpoint=checkpoint,
        data=checkpoint_input(
            title="作风建设（修订）",
            criterion="严格落实中央八项规定及其实施细则精神。",
            categories=[ClauseCategory.WORK_STYLE],
            weight=35,
            evidence_required=True,
        ),
        updated_by=supervision.inspectors[0],
    )

    assert stored(checkpoint) == (
        2,  # the number stays
        "作风建设（修订）",
        "严格落实中央八项规定及其实施细则精神。",
        [ClauseCategory.WORK_STYLE],
        35,
        True,
    )


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
def test_checkpoint_update_is_for_the_plans_team(supervision, checkpoint, role, allowed):
    user = fresh(ROLES[role](supervision))
    before = stored(checkpoint)

    if allowed:
        checkpoint_update(checkpoint=checkpoint, data=checkpoint_input(), updated_by=user)
        assert stored(checkpoint)[1] == "制度建设"
    else:
        with pytest.raises(PermissionDenied):
            checkpoint_update(checkpoint=checkpoint, data=checkpoint_input(), updated_by=user)
        assert stored(checkpoint) == before


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_checkpoint_update_refuses_bad_input_and_changes_nothing(supervision, checkpoint, bad):
    overrides, code, words = BAD_INPUTS[bad]
    before = stored(checkpoint)

    with pytest.raises(ApplicationError, match=words) as refused:
        checkpoint_update(
            checkpoint=checkpoint, data=checkpoint_input(**overrides), updated_by=supervision.inspectors[0]
        )

    assert refused.value.code == code
    assert stored(checkpoint) == before


def test_checkpoint_update_is_refused_once_a_result_is_recorded_against_it(checkpoint, committee_inspection):
    # given an inspector recorded a result for the checkpoint
    check_result_record(
        inspection=committee_inspection,
        checkpoint=checkpoint,
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes="符合。"),
        recorded_by=inspector_of(committee_inspection),
    )
    before = stored(checkpoint)

    # when its criterion is changed afterwards
    with pytest.raises(ApplicationError, match="can no longer be changed") as refused:
        checkpoint_update(
            checkpoint=checkpoint,
            data=checkpoint_input(criterion="另一个标准"),
            updated_by=inspector_of(committee_inspection),
        )

    # then it is refused and the checkpoint is what the result was recorded against
    assert refused.value.code == "in_use"
    assert stored(checkpoint) == before


def test_checkpoint_update_of_another_checkpoint_is_still_possible_after_a_result(
    supervision, checkpoint, committee_inspection
):
    check_result_record(
        inspection=committee_inspection,
        checkpoint=checkpoint,
        data=ResultInput(outcome=CheckOutcome.CONFORMING, notes=""),
        recorded_by=inspector_of(committee_inspection),
    )
    first = supervision.plan.checkpoints.get(number=1)

    checkpoint_update(
        checkpoint=first, data=checkpoint_input(weight=55), updated_by=supervision.inspectors[0]
    )

    assert stored(first)[4] == 55


def test_checkpoint_update_is_refused_once_the_plan_is_closed_even_from_a_page_loaded_before(
    supervision, checkpoint
):
    # given the checkpoint (and its plan) loaded before a team member closed the plan
    loaded = Checkpoint.objects.select_related("plan").get(pk=checkpoint.pk)
    inspection_plan_close(plan=supervision.plan, closed_by=supervision.inspectors[1])
    before = stored(checkpoint)

    # when it is changed from that page
    with pytest.raises(ApplicationError, match="This plan is closed") as refused:
        checkpoint_update(checkpoint=loaded, data=checkpoint_input(), updated_by=supervision.inspectors[0])

    # then the stored state of the plan decides
    assert refused.value.code == "closed"
    assert stored(checkpoint) == before
