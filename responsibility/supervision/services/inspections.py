"""Every change to supervision before a finding: plans, checkpoints, spot-check draws, check results."""

import datetime
from dataclasses import dataclass, field
from datetime import UTC

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, Post
from accounts.roles import Role
from core import clock
from core.audit import changes_payload
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import StaleEdit, stale_check
from responsibility.evidence.models import EvidenceFile
from responsibility.evidence.rules import evidence_check_all
from responsibility.evidence.services import evidence_store
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.audit import inspection_events_append
from responsibility.supervision.draws import (
    ALGORITHM,
    DrawParameters,
    DrawRefused,
    PopulationUnit,
    TeamMember,
    draw_record_hash,
    draw_run,
    draw_seed,
    public_value_clean,
)
from responsibility.supervision.models import (
    CheckOutcome,
    Checkpoint,
    CheckResult,
    DrawMode,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    InspectionPlan,
    InspectionStatus,
    PlanStatus,
    ProblemBatch,
    ProblemSource,
    ProblemSourceCode,
    SpotCheckDraw,
)
from responsibility.supervision.permissions import (
    InspectionAction,
    PlanAction,
    inspection_check_permission,
    plan_check_permission,
)

MAX_REASON_LENGTH = 1000


MAX_CHECKPOINTS = 100


def _event(
    *,
    plan,
    subject: str,
    batch_id: int | None = None,
    kind,
    actor,
    payload: dict | None = None,
    note: str = "",
    digest: str = "",
    from_status="",
    to_status="",
):
    """An unsaved event: its facts in `payload` (see supervision.audit), a person's own words in `note`;
    `batch_id` is the problem list of the finding it is about."""
    return InspectionEvent(
        plan=plan,
        batch_id=batch_id,
        subject=subject,
        kind=kind,
        actor=actor,
        payload=payload or {},
        note=note,
        digest=digest,
        from_status=from_status,
        to_status=to_status,
    )


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
            _event(
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


def _plan_lock(plan: InspectionPlan) -> InspectionPlan:
    return row_lock(InspectionPlan, pk=plan.pk)


def _plan_ensure_open(plan: InspectionPlan) -> None:
    if plan.status != PlanStatus.OPEN:
        raise ApplicationError(_("This plan is closed; nothing more can be recorded in it."), code="closed")


@transaction.atomic
def inspection_plan_update(
    *, plan: InspectionPlan, data: PlanInput, updated_by, expected_version: int | None
) -> InspectionPlan:
    """Change a plan's text, period, scope or team. Draws already made keep their own snapshots."""
    plan_check_permission(user=updated_by, action=PlanAction.MANAGE, plan=plan)
    locked = _plan_lock(plan)
    stale_check(record=locked, expected_version=expected_version, what=_("plan"))
    _plan_ensure_open(locked)
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
            _event(
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
    locked = _plan_lock(plan)
    _plan_ensure_open(locked)
    locked.status = PlanStatus.CLOSED
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    inspection_events_append(
        events=[
            _event(
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
    locked = _plan_lock(plan)
    _plan_ensure_open(locked)
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
    _plan_ensure_open(_plan_lock(checkpoint.plan))  # the stored status, not the caller's copy
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


# --- Spot-check draws ------------------------------------------------------------------------------


@dataclass
class DrawInput:
    mode: str
    requested: int
    by_unit_kind: bool
    inspectors_per_unit: int
    public_value: str
    reason: str = ""
    # The number of the draw the user's page showed as current (0: none yet). When given, a draw made
    # in the meantime (a double submit, or a colleague) refuses this one instead of replacing that draw.
    expected_previous: int | None = None


def _population_snapshot(plan: InspectionPlan) -> list[PopulationUnit]:
    units = plan.scope.filter(is_active=True).order_by("pk").values_list("pk", "code", "name", "kind")
    return [PopulationUnit(pk, code, name, kind) for pk, code, name, kind in units]


def _team_snapshot(plan: InspectionPlan) -> list[TeamMember]:
    members = list(plan.team.filter(is_active=True).order_by("pk"))
    held: dict[int, set[int]] = {}
    for holder_id, unit_id in Post.objects.filter(holder__in=members).values_list("holder_id", "unit_id"):
        held.setdefault(holder_id, set()).add(unit_id)
    return [
        TeamMember(member.pk, member.get_full_name(), tuple(sorted(held.get(member.pk, ()))))
        for member in members
    ]


def draw_replace_refusal(*, draw: SpotCheckDraw | None) -> str:
    """Why the plan's current draw can no longer be replaced by drawing again, or "" while it can: once
    a result of its checks is recorded, it stands. The draw page shows this instead of its form."""
    if draw is not None and CheckResult.objects.filter(inspection__draw=draw).exists():
        return _("Checks of the current draw have started (results are recorded); it cannot be replaced.")
    return ""


@transaction.atomic
def spot_check_draw(*, plan: InspectionPlan, data: DrawInput, drawn_by) -> SpotCheckDraw:
    """Draw the units to check and their inspectors, reproducibly; record it in the audit chain.

    A second draw replaces the first only with a recorded reason, and only before any result was
    recorded; the first draw and its inspections stay on record (cancelled).
    """
    plan_check_permission(user=drawn_by, action=PlanAction.DRAW, plan=plan)
    locked = _plan_lock(plan)
    _plan_ensure_open(locked)
    public_value = public_value_clean(data.public_value)
    if data.mode not in DrawMode.values:
        raise DrawRefused(_("Choose how many units to draw."))
    previous = locked.draws.order_by("-sequence").first()
    sequence = 1 if previous is None else previous.sequence + 1
    if data.expected_previous is not None and data.expected_previous != sequence - 1:
        raise DrawRefused(
            _(
                "This plan was drawn (draw %(number)d) after you opened this page. Nothing more was drawn: "
                "look at that draw first; to replace it, reload the page and give a reason."
            )
            % {"number": sequence - 1},
            code="drawn_meanwhile",
        )
    reason = (data.reason or "").strip()
    if previous is not None:
        refusal = draw_replace_refusal(draw=previous)
        if refusal:
            raise DrawRefused(refusal, code="started")
        if not reason:
            raise DrawRefused(
                _("This plan has been drawn already. Drawing again needs a reason, which is recorded."),
                code="reason",
            )
        if len(reason) > MAX_REASON_LENGTH:
            raise DrawRefused(_("The reason may be at most %(max)d characters.") % {"max": MAX_REASON_LENGTH})

    population = _population_snapshot(locked)
    team = _team_snapshot(locked)
    parameters = DrawParameters(
        mode=data.mode,
        requested=data.requested,
        by_unit_kind=data.by_unit_kind,
        inspectors_per_unit=data.inspectors_per_unit,
    )
    drawn_at = clock.now()
    drawn_at_iso = drawn_at.astimezone(UTC).isoformat(timespec="microseconds")
    seed = draw_seed(
        plan_id=locked.pk, sequence=sequence, public_value=public_value, drawn_at_iso=drawn_at_iso
    )
    outcome = draw_run(seed=seed, population=population, team=team, parameters=parameters)
    population_json = [unit.as_json() for unit in population]
    team_json = [member.as_json() for member in team]
    record_hash = draw_record_hash(
        plan_id=locked.pk,
        sequence=sequence,
        algorithm=ALGORITHM,
        public_value=public_value,
        drawn_at_iso=drawn_at_iso,
        seed=seed,
        parameters=parameters,
        population=population_json,
        team=team_json,
        excluded=outcome.excluded,
        result=outcome.result,
    )
    try:
        with transaction.atomic():
            draw = SpotCheckDraw.objects.create(
                plan=locked,
                sequence=sequence,
                algorithm=ALGORITHM,
                mode=data.mode,
                requested=data.requested,
                by_unit_kind=data.by_unit_kind,
                inspectors_per_unit=data.inspectors_per_unit,
                public_value=public_value,
                drawn_at=drawn_at,
                seed=seed,
                population=population_json,
                team=team_json,
                excluded=outcome.excluded,
                result=outcome.result,
                result_hash=record_hash,
                reason=reason,
                drawn_by=drawn_by,
            )
    except IntegrityError as error:  # a concurrent draw of the same plan took this number
        raise DrawRefused(
            _("Another draw of this plan was made at the same moment; reload the page.")
        ) from error

    if previous is not None:
        Inspection.objects.filter(draw=previous).update(status=InspectionStatus.CANCELLED)
    inspectors_through = Inspection.inspectors.through
    links = []
    for position, row in enumerate(outcome.result, start=1):
        inspection = Inspection.objects.create(plan=locked, draw=draw, unit_id=row["unit"], position=position)
        links.extend(
            inspectors_through(inspection_id=inspection.pk, user_id=user_id) for user_id in row["inspectors"]
        )
    inspectors_through.objects.bulk_create(links)

    inspection_events_append(
        events=[
            _event(
                plan=locked,
                subject=f"draw:{draw.pk}",
                kind=InspectionEventKind.DRAWN if previous is None else InspectionEventKind.REDRAWN,
                actor=drawn_by,
                payload={"draw": sequence, "public_value": public_value, "units": len(outcome.result)},
                note=reason,
                digest=record_hash,
            )
        ]
    )
    return draw


@dataclass(frozen=True)
class DrawVerification:
    """The draw run again on its stored inputs, compared with what is stored."""

    seed_matches: bool
    result_matches: bool
    record_hash_matches: bool
    chain_matches: bool
    recomputed_result: list[dict]
    problem: str = ""

    @property
    def is_valid(self) -> bool:
        return self.seed_matches and self.result_matches and self.record_hash_matches and self.chain_matches


def draw_verify(*, draw: SpotCheckDraw) -> DrawVerification:
    """Re-run the draw from its stored population, team, parameters, public value and time."""
    drawn_at_iso = draw.drawn_at.astimezone(UTC).isoformat(timespec="microseconds")
    seed = draw_seed(
        plan_id=draw.plan_id,
        sequence=draw.sequence,
        public_value=draw.public_value,
        drawn_at_iso=drawn_at_iso,
    )
    parameters = DrawParameters(
        mode=draw.mode,
        requested=draw.requested,
        by_unit_kind=draw.by_unit_kind,
        inspectors_per_unit=draw.inspectors_per_unit,
    )
    problem = ""
    recomputed: list[dict] = []
    excluded: list[dict] = []
    try:
        population = [
            PopulationUnit(int(row["id"]), str(row["code"]), str(row["name"]), str(row["kind"]))
            for row in draw.population
        ]
        team = [
            TeamMember(int(row["id"]), str(row["name"]), tuple(int(unit) for unit in row["units"]))
            for row in draw.team
        ]
        outcome = draw_run(seed=seed, population=population, team=team, parameters=parameters)
        recomputed, excluded = outcome.result, outcome.excluded
    except (DrawRefused, KeyError, TypeError, ValueError) as error:
        problem = str(error)
    record_hash = draw_record_hash(
        plan_id=draw.plan_id,
        sequence=draw.sequence,
        algorithm=draw.algorithm,
        public_value=draw.public_value,
        drawn_at_iso=drawn_at_iso,
        seed=draw.seed,
        parameters=parameters,
        population=draw.population,
        team=draw.team,
        excluded=draw.excluded,
        result=draw.result,
    )
    chained = InspectionEvent.objects.filter(
        subject=f"draw:{draw.pk}",
        kind__in=[InspectionEventKind.DRAWN, InspectionEventKind.REDRAWN],
    ).values_list("digest", flat=True)
    return DrawVerification(
        seed_matches=seed == draw.seed,
        result_matches=not problem and recomputed == draw.result and excluded == draw.excluded,
        record_hash_matches=record_hash == draw.result_hash,
        chain_matches=list(chained) == [draw.result_hash],
        recomputed_result=recomputed,
        problem=problem,
    )


# --- Check results ---------------------------------------------------------------------------------


@dataclass
class ResultInput:
    outcome: str
    notes: str
    files: list = field(default_factory=list)  # uploaded files, checked here


def _inspection_ensure_recordable(inspection: Inspection) -> None:
    _plan_ensure_open(inspection.plan)
    if inspection.status == InspectionStatus.CANCELLED:
        raise ApplicationError(
            _("This inspection was cancelled when the plan was drawn again."), code="cancelled"
        )
    if inspection.status == InspectionStatus.COMPLETED:
        raise ApplicationError(
            _("This inspection is completed; its results can no longer change."), code="completed"
        )


@transaction.atomic
def check_result_record(
    *,
    inspection: Inspection,
    checkpoint: Checkpoint,
    data: ResultInput,
    recorded_by,
    expected_version: int | None = None,
) -> CheckResult:
    """An assigned inspector records (or corrects) the result of one checkpoint, with evidence."""
    inspection_check_permission(user=recorded_by, action=InspectionAction.RECORD, inspection=inspection)
    locked = row_lock(Inspection.objects.select_related("plan"), pk=inspection.pk)
    _inspection_ensure_recordable(locked)
    if checkpoint.plan_id != locked.plan_id:
        raise ApplicationError(_("This checkpoint is not part of the inspection's plan."), code="checkpoint")
    if data.outcome not in CheckOutcome.values:
        raise ApplicationError(_("Choose a result."), code="outcome")
    files = evidence_check_all(data.files)
    result = CheckResult.objects.select_for_update().filter(inspection=locked, checkpoint=checkpoint).first()
    if result is None and expected_version:
        raise StaleEdit(
            _("This result was removed after you opened the page. Nothing was saved: reload the page."),
            code="stale",
        )
    if result is not None:
        stale_check(record=result, expected_version=expected_version, what=_("result"))
    has_evidence = bool(files) or (result is not None and result.evidence.exists())
    if checkpoint.evidence_required and data.outcome != CheckOutcome.NOT_APPLICABLE and not has_evidence:
        raise ApplicationError(
            _("Checkpoint %(number)d needs evidence: attach at least one file.")
            % {"number": checkpoint.number},
            code="evidence_required",
        )
    now = clock.now()
    if result is None:
        result = CheckResult.objects.create(
            inspection=locked,
            checkpoint=checkpoint,
            outcome=data.outcome,
            notes=data.notes,
            recorded_by=recorded_by,
            recorded_at=now,
        )
    else:
        result.outcome, result.notes = data.outcome, data.notes
        result.recorded_by, result.recorded_at = recorded_by, now
        result.version += 1
        result.save(update_fields=["outcome", "notes", "recorded_by", "recorded_at", "version"])
    stored = evidence_store(files=files, uploaded_by=recorded_by, check_result=result)
    if locked.status == InspectionStatus.PENDING:
        locked.status = InspectionStatus.IN_PROGRESS
        locked.save(update_fields=["status"])
    inspection_events_append(
        events=[
            _event(
                plan=locked.plan,
                subject=f"inspection:{locked.pk}",
                kind=InspectionEventKind.RESULT_RECORDED,
                actor=recorded_by,
                payload={"checkpoint": checkpoint.number, "outcome": data.outcome, "version": result.version},
            ),
            *_evidence_events(
                plan=locked.plan, subject=f"inspection:{locked.pk}", files=stored, actor=recorded_by
            ),
        ]
    )
    return result


def _evidence_events(
    *, plan, subject: str, files: list[EvidenceFile], actor, batch_id: int | None = None
) -> list[InspectionEvent]:
    return [
        _event(
            plan=plan,
            batch_id=batch_id,
            subject=subject,
            kind=InspectionEventKind.EVIDENCE_ADDED,
            actor=actor,
            payload={"evidence": stored.pk, "file": stored.original_name},
            digest=stored.sha256,
        )
        for stored in files
    ]


def inspection_complete_refusal(*, inspection: Inspection) -> str:
    """Why the check cannot be signed off yet, or "" once it can: every checkpoint needs a result. The
    checklist page shows this instead of the form."""
    missing = inspection.plan.checkpoints.exclude(results__inspection=inspection).order_by("number")
    numbers = list(missing.values_list("number", flat=True))
    if numbers:
        return _("Record a result for every checkpoint first; missing: %(numbers)s.") % {
            "numbers": "、".join(str(number) for number in numbers)
        }
    return ""


@transaction.atomic
def inspection_complete(*, inspection: Inspection, completed_by, summary: str) -> Inspection:
    """The inspectors sign the check off once every checkpoint has a result."""
    inspection_check_permission(user=completed_by, action=InspectionAction.RECORD, inspection=inspection)
    locked = row_lock(Inspection.objects.select_related("plan"), pk=inspection.pk)
    _inspection_ensure_recordable(locked)
    refusal = inspection_complete_refusal(inspection=locked)
    if refusal:
        raise ApplicationError(refusal, code="incomplete")
    previous = locked.status
    locked.status = InspectionStatus.COMPLETED
    locked.summary = summary
    locked.completed_at = clock.now()
    locked.save(update_fields=["status", "summary", "completed_at"])
    inspection_events_append(
        events=[
            _event(
                plan=locked.plan,
                subject=f"inspection:{locked.pk}",
                kind=InspectionEventKind.INSPECTION_COMPLETED,
                actor=completed_by,
                from_status=previous,
                to_status=locked.status,
                note=summary[:500],
            )
        ]
    )
    return locked
