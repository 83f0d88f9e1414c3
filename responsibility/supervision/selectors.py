"""Supervision reads: plans, draws, inspections, findings, rectifications and evidence, filtered by who may
see them."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import OrgUnit
from accounts.roles import Role
from accounts.selectors import org_unit_list_active
from core.counting import count_of
from responsibility.evidence.selectors import evidence_owner_register
from responsibility.supervision.models import (
    Checkpoint,
    CheckResult,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    InspectionStatus,
    Measure,
    MeasureStatus,
    PlanStatus,
    ProblemBatch,
    Recheck,
    Rectification,
    RectificationReportDocument,
    RectificationStatus,
    SpotCheckDraw,
)
from responsibility.supervision.models.problems import UNFINISHED_RECTIFICATION_STATUSES
from responsibility.supervision.permissions import (
    inspection_reads_everything,
    ledger_user_can_see_all,
    problem_user_can_verify,
    units_answered_for,
)

# --- Supervision: plans, draws, inspections, findings, rectifications ----------------------------


def plan_list_visible_to(*, user) -> QuerySet:
    """Plans the user may open: all of them for the inspection team, the office and the Party Group."""
    if not inspection_reads_everything(user):
        return InspectionPlan.objects.none()
    return InspectionPlan.objects.select_related("created_by").prefetch_related("team")


def draw_list_visible_to(*, user) -> QuerySet:
    return SpotCheckDraw.objects.filter(plan__in=plan_list_visible_to(user=user)).select_related(
        "plan", "drawn_by"
    )


def inspection_list_visible_to(*, user) -> QuerySet:
    return (
        Inspection.objects.filter(plan__in=plan_list_visible_to(user=user))
        .select_related("plan", "unit", "draw")
        .prefetch_related("inspectors", "plan__team")
    )


def inspection_list_assigned_to(*, user) -> QuerySet:
    """Open inspections the user was drawn to carry out (their to-do)."""
    return inspection_list_visible_to(user=user).filter(
        inspectors=user,
        plan__status=PlanStatus.OPEN,
        status__in=[InspectionStatus.PENDING, InspectionStatus.IN_PROGRESS],
    )


def finding_list_visible_to(*, user, units: set[int] | None = None) -> QuerySet:
    """Findings the user may open: every one for readers of the whole ledger; else those they answer for.

    A unit head answers for their unit and the units below it; an owner, a measure's owner or the
    responsible person for theirs.
    `units` is `units_answered_for(user)`, passed in when the caller needs it too.
    """
    findings = Finding.objects.select_related(
        "batch",
        "batch__source",
        "plan",
        "unit",
        "responsible",
        "rectification",
        "rectification__owner",
        "clause",
        "clause__letter",
    )
    if not user.is_authenticated or not user.is_active:
        return findings.none()
    if ledger_user_can_see_all(user=user):
        return findings
    # The ids of the three kinds of findings, each read by its own index and joined by UNION: an OR of
    # the three made both databases test every finding (50 ms a query at 100,000 findings, 5 ms so).
    answered = (
        Finding.objects.filter(unit_id__in=units_answered_for(user) if units is None else units)
        .order_by()
        .values("pk")
        .union(
            Rectification.objects.filter(owner=user).order_by().values("finding_id"),
            Finding.objects.filter(responsible=user).order_by().values("pk"),
            Measure.objects.filter(owner=user).order_by().values("finding_id"),
        )
    )
    return findings.filter(pk__in=answered)


def rectifications_overdue_between(
    *, first: datetime.date, last: datetime.date
) -> list[tuple[int, datetime.date]]:
    """(problem id, deadline) of each rectification still unfinished whose deadline fell between `first`
    and `last` (both included): overdue since the day after it."""
    return list(
        Rectification.objects.filter(
            deadline__range=(first, last), status__in=UNFINISHED_RECTIFICATION_STATUSES
        )
        .order_by("deadline", "finding_id")
        .values_list("finding_id", "deadline")
    )


def rectification_list_awaiting(*, user) -> QuerySet:
    """Open rectifications the user may report: as owner, as head of the unit or a unit above it, or as
    the owner of one of its measures still open.

    Read through the user's own rectifications, their open measures and their units' findings (index
    lookups each), joined by UNION, not through every open one: all are findings
    `finding_list_visible_to` lets them read. As an
    OR, PostgreSQL read every finding (a committee head's to-do: 23 ms at 100,000) or walked every open
    rectification by deadline to find none of a head's (86 ms).
    """
    units = units_answered_for(user)
    own = (
        Rectification.objects.filter(owner=user, status=RectificationStatus.OPEN)
        .order_by()
        .values("finding_id")
    )
    of_units = Finding.objects.filter(unit_id__in=units).order_by().values("pk")
    measures = Measure.objects.filter(owner=user, status=MeasureStatus.OPEN).order_by().values("finding_id")
    return (
        finding_list_visible_to(user=user, units=units)
        .filter(pk__in=own.union(of_units, measures))
        .filter(rectification__status=RectificationStatus.OPEN)
        .order_by("rectification__deadline", "pk")
    )


def rectification_list_to_verify(*, user) -> QuerySet:
    """Submitted rectifications the user verifies (their to-do): in plans whose team they are on, and, for
    the inspection team's verifiers, the problems of lists of other sources. Oldest report first, ties by
    finding: the order of `rectification_submitted_idx`, so the first rows are read from it. Ties by
    the finding's own key made SQLite sort every submitted one (8.8 ms at 10,000; 0.3 so)."""
    plans = InspectionPlan.team.through.objects.filter(user=user).values("inspectionplan_id")
    theirs = Q(plan_id__in=plans)
    if problem_user_can_verify(user=user):
        theirs |= Q(plan__isnull=True)
    return (
        finding_list_visible_to(user=user)
        .filter(theirs, rectification__status=RectificationStatus.SUBMITTED)
        .order_by("rectification__submitted_at", "rectification__finding_id")
    )


def inspection_events_of(*, subject: str) -> QuerySet:
    return InspectionEvent.objects.filter(subject=subject).select_related("actor").order_by("sequence")


def checkpoint_list_visible_to(*, user) -> QuerySet:
    """Checkpoints of the plans the user may open."""
    return Checkpoint.objects.filter(plan__in=plan_list_visible_to(user=user)).select_related("plan")


def plan_list_with_counts(*, plans: QuerySet) -> QuerySet:
    """The plans with their units in scope, live inspections and findings counted (no extra query)."""
    return plans.annotate(
        units_count=count_of(InspectionPlan.scope.through.objects.all(), field="inspectionplan"),
        inspections_count=count_of(
            Inspection.objects.exclude(status=InspectionStatus.CANCELLED), field="plan"
        ),
        findings_count=count_of(Finding.objects.all(), field="plan"),
    )


def checkpoint_list_of_plan(*, plan: InspectionPlan) -> QuerySet:
    """The plan's checkpoints in order, each marked `in_use` once a result is recorded against it."""
    return plan.checkpoints.annotate(
        in_use=Exists(CheckResult.objects.filter(checkpoint=OuterRef("pk")))
    ).order_by("number")


def inspection_list_of_draw(*, user, draw: SpotCheckDraw) -> QuerySet:
    """The draw's inspections the user may see, in draw order, with results and findings counted."""
    return (
        inspection_list_visible_to(user=user)
        .filter(draw=draw)
        .annotate(
            results_count=count_of(CheckResult.objects.all(), field="inspection"),
            findings_count=count_of(Finding.objects.all(), field="inspection"),
        )
        .order_by("position")
    )


def _evidence_visible_in_supervision(*, user, evidence) -> bool:
    if evidence.check_result_id is not None:
        return inspection_list_visible_to(user=user).filter(pk=evidence.check_result.inspection_id).exists()
    if evidence.finding_id is not None:
        finding_id = evidence.finding_id
    elif evidence.measure_id is not None:
        finding_id = evidence.measure.finding_id
    else:
        finding_id = evidence.rectification.finding_id
    return finding_list_visible_to(user=user).filter(pk=finding_id).exists()


for _owner in ("check_result", "finding", "rectification", "measure"):
    evidence_owner_register(_owner, _evidence_visible_in_supervision)


def batch_list_visible_to(*, user) -> QuerySet:
    """Problem lists the user may open: every one for readers of the whole ledger; else those with a
    problem the user may read (whose page then lists only those)."""
    batches = ProblemBatch.objects.select_related("source", "plan", "created_by")
    if not user.is_authenticated or not user.is_active:
        return batches.none()
    if ledger_user_can_see_all(user=user):
        return batches
    return batches.filter(
        Exists(finding_list_visible_to(user=user).order_by().filter(batch_id=OuterRef("pk")))
    )


def batch_list_with_counts(*, batches: QuerySet) -> QuerySet:
    """Lists with how many problems they hold (`problem_count`) and how many are ticked off
    (`closed_count`)."""
    return batches.annotate(
        problem_count=Count("findings"),
        closed_count=Count("findings", filter=Q(findings__rectification__status=RectificationStatus.CLOSED)),
    )


def batch_list_counted(*, pks: list[int]) -> list[ProblemBatch]:
    """The lists `pks` (a page of them), in that order, with their counts (`batch_list_with_counts`): only
    the page's lists are counted."""
    counted = batch_list_with_counts(batches=ProblemBatch.objects.filter(pk__in=pks).select_related("source"))
    by_pk = {batch.pk: batch for batch in counted}
    return [by_pk[pk] for pk in pks]


def rectification_report_list_of(*, batch: ProblemBatch) -> QuerySet:
    """The sealed versions of the list's 整改情况报告, the one in force (the latest) first. The caller has
    checked `rectification_report_user_can_read`."""
    return (
        RectificationReportDocument.objects.filter(batch=batch)
        .select_related("issued_by")
        .order_by("-version")
    )


evidence_owner_register(
    "batch", lambda *, user, evidence: batch_list_visible_to(user=user).filter(pk=evidence.batch_id).exists()
)


def plan_form_choices(*, plan: InspectionPlan | None) -> dict:
    """Scope: the active units (and any already in the plan's scope); team: the candidates and the team.

    Keeping the plan's current units and members on the form means nothing is dropped without the user
    seeing it; the service refuses a member who may no longer be on a team, naming them.
    """
    units = org_unit_list_active()
    candidates = inspection_team_candidates()
    if plan is not None:
        units = OrgUnit.objects.filter(Q(is_active=True) | Q(pk__in=plan.scope.values("pk")))
        candidates = get_user_model().objects.filter(
            Q(pk__in=candidates.values("pk")) | Q(pk__in=plan.team.values("pk"))
        )
    return {
        "units": units.select_related("parent").order_by("sort_order", "code"),
        "candidates": candidates.order_by("full_name", "pk"),
    }


def plan_list_with_scope(*, plans: QuerySet) -> QuerySet:
    """The plans with their units in scope, in the tree's order (a plan's page)."""
    return plans.prefetch_related(
        Prefetch("scope", queryset=OrgUnit.objects.select_related("parent").order_by("sort_order", "code"))
    )


def inspection_team_candidates() -> QuerySet:
    """Users who may be put on a plan's team: active members of the discipline inspection team."""
    # People only: an API client's account may read as the team does, but is never drawn to inspect.
    return (
        get_user_model()
        .objects.filter(is_active=True, is_machine=False, groups__name=Role.INSPECTION_TEAM)
        .distinct()
    )


def recheck_list_visible_to(*, user) -> QuerySet:
    """回头看 are read by the readers of the whole ledger (who read every problem they drew); for everyone
    else they do not exist."""
    if not ledger_user_can_see_all(user=user):
        return Recheck.objects.none()
    return Recheck.objects.select_related("drawn_by").annotate(recorded=Count("results"))


def batch_list_with_closed_problems() -> QuerySet:
    """The problem lists a 回头看 can draw from: those with problems ticked off, counted (`closed_count`)."""
    closed = Count("findings", filter=Q(findings__rectification__status=RectificationStatus.CLOSED))
    return (
        ProblemBatch.objects.annotate(closed_count=closed)
        .filter(closed_count__gt=0)
        .order_by("-raised_on", "-pk")
    )
