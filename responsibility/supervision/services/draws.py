"""Spot-check draws: drawing the units and inspectors of a plan, and checking a draw again."""

from dataclasses import dataclass
from datetime import UTC

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Post
from core import clock
from responsibility.supervision.audit import inspection_event, inspection_events_append
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
    CheckResult,
    DrawMode,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
    InspectionPlan,
    InspectionStatus,
    SpotCheckDraw,
)
from responsibility.supervision.permissions import (
    PlanAction,
    plan_check_permission,
)
from responsibility.supervision.services.plans import plan_ensure_open, plan_lock

MAX_REASON_LENGTH = 1000


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
    locked = plan_lock(plan)
    plan_ensure_open(locked)
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
            inspection_event(
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
