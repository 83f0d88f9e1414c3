"""Every change to an inspection plan and its checkpoints."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from accounts.roles import Role
from core import clock
from core.audit import changes_payload
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import stale_check
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.audit import inspection_event, inspection_events_append
from responsibility.supervision.models import (
    Checkpoint,
    InspectionEventKind,
    InspectionPlan,
    PlanStatus,
    ProblemBatch,
    ProblemSource,
    ProblemSourceCode,
)
from responsibility.supervision.permissions import (
    PlanAction,
    plan_check_permission,
)

MAX_CHECKPOINTS = 100


# --- Plans -----------------------------------------------------------------------------------------


@dataclass
class PlanInput:
    year: int
    title: str
    description: str
    period_start: datetime.date
    period_end: datetime.date
    scope: list[OrgUnit] = field(default_factory=list)
    team: list = field(default_factory=list)


def _plan_input_check(data: PlanInput) -> None:
    if data.period_end < data.period_start:
        raise ApplicationError(_("The checks cannot end before they start."), code="period")
    if not data.scope:
        raise ApplicationError(_("Choose at least one unit in scope."), code="empty_scope")
    if not data.team:
        raise ApplicationError(_("Choose at least one team member."), code="empty_team")
    outsiders = [
        member
        for member in data.team
        if not member.is_active or not member.groups.filter(name=Role.INSPECTION_TEAM).exists()
    ]
    if outsiders:
        raise ApplicationError(
            _("Only members of the discipline inspection team can be on a plan's team: %(names)s.")
            % {"names": "、".join(str(member) for member in outsiders)},
            code="team",
        )


@transaction.atomic
def inspection_plan_create(*, data: PlanInput, created_by) -> InspectionPlan:
    """The inspection team plans a round of checks: scope, period and team."""
    plan_check_permission(user=created_by, action=PlanAction.CREATE)
    _plan_input_check(data)
    if InspectionPlan.objects.filter(year=data.year, title=data.title).exists():
        raise ApplicationError(_("A plan with this title already exists for that year."), code="duplicate")
    plan = InspectionPlan.objects.create(
        year=data.year,
        title=data.title,
        description=data.description,
        period_start=data.period_start,
        period_end=data.period_end,
        created_by=created_by,
    )
    plan.scope.set(data.scope)
    plan.team.set(data.team)
    ProblemBatch.objects.create(
        source=ProblemSource.objects.get(code=ProblemSourceCode.SUPERVISION),
        plan=plan,
        title=plan.title,
        year=plan.year,
        raised_on=clock.today(),
        created_by=created_by,
    )
    inspection_events_append(
        events=[
            inspection_event(
                plan=plan,
                subject=f"plan:{plan.pk}",
                kind=InspectionEventKind.PLAN_CREATED,
                actor=created_by,
                payload=_plan_payload(data),
                to_status=plan.status,
            )
        ]
    )
    return plan


def _plan_payload(data: PlanInput | InspectionPlan, *, scope=None, team=None) -> dict:
    """A plan's terms as an event records them (the fields of `PlanInput`; units and people by id)."""
    return {
        "year": data.year,
        "title": data.title,
        "description": data.description,
        "period_start": data.period_start.isoformat(),
        "period_end": data.period_end.isoformat(),
        "scope": sorted(unit.pk for unit in (data.scope if scope is None else scope)),
        "team": sorted(member.pk for member in (data.team if team is None else team)),
    }


def plan_lock(plan: InspectionPlan) -> InspectionPlan:
    return row_lock(InspectionPlan, pk=plan.pk)


def plan_ensure_open(plan: InspectionPlan) -> None:
    if plan.status != PlanStatus.OPEN:
        raise ApplicationError(_("This plan is closed; nothing more can be recorded in it."), code="closed")


@transaction.atomic
def inspection_plan_update(
    *, plan: InspectionPlan, data: PlanInput, updated_by, expected_version: int | None
) -> InspectionPlan:
    """Change a plan's text, period, scope or team. Draws already made keep their own snapshots."""
    plan_check_permission(user=updated_by, action=PlanAction.MANAGE, plan=plan)
    locked = plan_lock(plan)
    stale_check(record=locked, expected_version=expected_version, what=_("plan"))
    plan_ensure_open(locked)
    _plan_input_check(data)
    if InspectionPlan.objects.filter(year=data.year, title=data.title).exclude(pk=locked.pk).exists():
        raise ApplicationError(_("A plan with this title already exists for that year."), code="duplicate")
    if updated_by.pk not in {member.pk for member in data.team}:
        raise ApplicationError(_("You cannot take yourself off the plan's team."), code="team_self")
    before = _plan_payload(locked, scope=locked.scope.all(), team=locked.team.all())
    for name in ("year", "title", "description", "period_start", "period_end"):
        setattr(locked, name, getattr(data, name))
    locked.version += 1
    locked.save(update_fields=["year", "title", "description", "period_start", "period_end", "version"])
    if (before["title"], before["year"]) != (data.title, data.year):  # the plan's list is named by them
        ProblemBatch.objects.filter(plan=locked).update(
            title=data.title, year=data.year, version=F("version") + 1
        )
    locked.scope.set(data.scope)
    locked.team.set(data.team)
    after = _plan_payload(data)
    inspection_events_append(
        events=[
            inspection_event(
                plan=locked,
                subject=f"plan:{locked.pk}",
                kind=InspectionEventKind.PLAN_UPDATED,
                actor=updated_by,
                payload=changes_payload({name: (before[name], after[name]) for name in after}),
            )
        ]
    )
    return locked


@transaction.atomic
def inspection_plan_close(*, plan: InspectionPlan, closed_by) -> InspectionPlan:
    """End the round: nothing new is drawn or recorded. Open rectifications go on to 销号."""
    plan_check_permission(user=closed_by, action=PlanAction.MANAGE, plan=plan)
    locked = plan_lock(plan)
    plan_ensure_open(locked)
    locked.status = PlanStatus.CLOSED
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    inspection_events_append(
        events=[
            inspection_event(
                plan=locked,
                subject=f"plan:{locked.pk}",
                kind=InspectionEventKind.PLAN_CLOSED,
                actor=closed_by,
                from_status=PlanStatus.OPEN,
                to_status=PlanStatus.CLOSED,
            )
        ]
    )
    return locked


# --- Checkpoints -----------------------------------------------------------------------------------


@dataclass
class CheckpointInput:
    title: str
    criterion: str
    categories: list[str]
    weight: int
    evidence_required: bool


def _checkpoint_input_check(data: CheckpointInput) -> None:
    if not data.categories:
        raise ApplicationError(
            _("Choose at least one clause category for the checkpoint."), code="categories"
        )
    unknown = [value for value in data.categories if value not in ClauseCategory.values]
    if unknown:
        raise ApplicationError(
            _("Unknown clause category: %(value)s.") % {"value": unknown[0]}, code="category"
        )
    if not 1 <= data.weight <= 100:
        raise ApplicationError(_("The weight must be between 1 and 100."), code="weight")


@transaction.atomic
def checkpoint_create(*, plan: InspectionPlan, data: CheckpointInput, created_by) -> Checkpoint:
    plan_check_permission(user=created_by, action=PlanAction.MANAGE, plan=plan)
    locked = plan_lock(plan)
    plan_ensure_open(locked)
    _checkpoint_input_check(data)
    last = locked.checkpoints.aggregate(last=Max("number"))["last"] or 0
    if last >= MAX_CHECKPOINTS:
        raise ApplicationError(
            _("A plan has at most %(max)d checkpoints.") % {"max": MAX_CHECKPOINTS}, code="too_many"
        )
    return Checkpoint.objects.create(
        plan=locked,
        number=last + 1,
        title=data.title,
        criterion=data.criterion,
        categories=sorted(set(data.categories), key=ClauseCategory.values.index),
        weight=data.weight,
        evidence_required=data.evidence_required,
    )


def checkpoint_change_refusal(*, checkpoint: Checkpoint) -> str:
    """Why the checkpoint can no longer be changed, or "" while it can: it is fixed once a result is
    recorded against it. The edit page shows this instead of a form that cannot succeed."""
    if checkpoint.results.exists():
        return _("Results have been recorded against this checkpoint; it can no longer be changed.")
    return ""


@transaction.atomic
def checkpoint_update(*, checkpoint: Checkpoint, data: CheckpointInput, updated_by) -> Checkpoint:
    """Change a checkpoint until the first result is recorded against it; after that it is fixed."""
    plan_check_permission(user=updated_by, action=PlanAction.MANAGE, plan=checkpoint.plan)
    plan_ensure_open(plan_lock(checkpoint.plan))  # the stored status, not the caller's copy
    _checkpoint_input_check(data)
    refusal = checkpoint_change_refusal(checkpoint=checkpoint)
    if refusal:
        raise ApplicationError(refusal, code="in_use")
    checkpoint.title = data.title
    checkpoint.criterion = data.criterion
    checkpoint.categories = sorted(set(data.categories), key=ClauseCategory.values.index)
    checkpoint.weight = data.weight
    checkpoint.evidence_required = data.evidence_required
    checkpoint.save(update_fields=["title", "criterion", "categories", "weight", "evidence_required"])
    return checkpoint
