"""回头看: closed problems drawn at random and re-checked; paper rectification (虚假整改) reopens them."""

import datetime
from dataclasses import dataclass
from datetime import UTC

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import clock
from core.dates import date_text
from core.errors import ApplicationError, TransitionNotAllowed
from responsibility.supervision.audit import inspection_event, inspection_events_append
from responsibility.supervision.draws import (
    ALGORITHM,
    DrawRefused,
    public_value_clean,
    recheck_record_hash,
    recheck_run,
    recheck_seed,
)
from responsibility.supervision.models import (
    RECHECK_REOPENING_OUTCOMES,
    Finding,
    InspectionEvent,
    InspectionEventKind,
    MeasureStatus,
    ProblemBatch,
    Recheck,
    RecheckOutcome,
    RecheckResult,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.permissions import recheck_check_permission
from responsibility.supervision.services.rectifications import (
    MAX_REASON_LENGTH,
    _finding_event,
    _finding_lock,
    _notify,
    rectification_deadline_check,
)
from responsibility.supervision.workflow import RectificationStep, rectification_ensure_step_allowed

MAX_TITLE_LENGTH = 100


@dataclass
class RecheckInput:
    title: str
    batches: list[ProblemBatch]
    closed_from: datetime.date | None
    closed_to: datetime.date | None
    requested: int
    public_value: str
    # The number of the latest re-check when the page was opened: a double submit draws once.
    expected_last: int | None = None


def recheck_population(
    *, batches, closed_from: datetime.date | None = None, closed_to: datetime.date | None = None
):
    """The problems a 回头看 draws from: ticked off (销号) in these lists, between these days (the days
    included), by id."""
    findings = Finding.objects.filter(batch__in=batches, rectification__status=RectificationStatus.CLOSED)
    if closed_from is not None:
        findings = findings.filter(rectification__closed_at__date__gte=closed_from)
    if closed_to is not None:
        findings = findings.filter(rectification__closed_at__date__lte=closed_to)
    return findings.order_by("pk")


@transaction.atomic
def recheck_draw(*, data: RecheckInput, drawn_by) -> Recheck:
    """Draw closed problems for a 回头看, reproducibly (the spot checks' sha256-rank), and record the draw
    in the audit chain with everything it read."""
    recheck_check_permission(user=drawn_by)
    title = (data.title or "").strip()
    if not title:
        raise DrawRefused(_("Give the re-check a title."), code="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise DrawRefused(_("The title may be at most %(max)d characters.") % {"max": MAX_TITLE_LENGTH})
    batches = sorted({batch.pk for batch in data.batches})
    if not batches:
        raise DrawRefused(_("Choose the problem lists to draw from."), code="batches")
    if data.closed_from and data.closed_to and data.closed_from > data.closed_to:
        raise DrawRefused(_("The first day must not be after the last."), code="dates")
    public_value = public_value_clean(data.public_value)
    population = list(
        recheck_population(batches=batches, closed_from=data.closed_from, closed_to=data.closed_to)
        .select_related("plan")
        .only("pk", "number", "unit_id", "plan__id", "plan__year")
    )
    population_json = [
        {"id": finding.pk, "reference": finding.reference, "unit": finding.unit_id} for finding in population
    ]
    last = Recheck.objects.aggregate(last=Max("number"))["last"] or 0
    if data.expected_last is not None and data.expected_last != last:
        raise DrawRefused(
            _(
                "Re-check %(number)d was drawn after you opened this page. Nothing more was drawn: look at "
                "it first."
            )
            % {"number": last},
            code="drawn_meanwhile",
        )
    number = last + 1
    drawn_at = clock.now()
    drawn_at_iso = drawn_at.astimezone(UTC).isoformat(timespec="microseconds")
    seed = recheck_seed(number=number, public_value=public_value, drawn_at_iso=drawn_at_iso)
    result = recheck_run(
        seed=seed, population=[finding.pk for finding in population], requested=data.requested
    )
    scope = {
        "batches": batches,
        "closed_from": data.closed_from.isoformat() if data.closed_from else None,
        "closed_to": data.closed_to.isoformat() if data.closed_to else None,
    }
    record_hash = recheck_record_hash(
        number=number,
        public_value=public_value,
        drawn_at_iso=drawn_at_iso,
        seed=seed,
        scope=scope,
        population=population_json,
        result=result,
    )
    try:
        with transaction.atomic():
            recheck = Recheck.objects.create(
                number=number,
                title=title,
                algorithm=ALGORITHM,
                scope=scope,
                requested=data.requested,
                public_value=public_value,
                drawn_at=drawn_at,
                seed=seed,
                population=population_json,
                result=result,
                result_hash=record_hash,
                drawn_by=drawn_by,
            )
    except IntegrityError as error:  # another re-check took this number at the same moment
        raise DrawRefused(_("Another re-check was drawn at the same moment; reload the page.")) from error
    inspection_events_append(
        events=[
            inspection_event(
                plan=None,
                subject=f"recheck:{recheck.pk}",
                kind=InspectionEventKind.RECHECK_DRAWN,
                actor=drawn_by,
                payload={
                    "recheck": number,
                    "title": title,
                    "public_value": public_value,
                    "closed": len(population_json),
                    "drawn": len(result),
                },
                digest=record_hash,
            )
        ]
    )
    return recheck


@dataclass(frozen=True)
class RecheckVerification:
    """The re-check's draw run again on its stored inputs, compared with what is stored."""

    seed_matches: bool
    result_matches: bool
    record_hash_matches: bool
    chain_matches: bool
    recomputed_result: list[int]
    problem: str = ""

    @property
    def is_valid(self) -> bool:
        return self.seed_matches and self.result_matches and self.record_hash_matches and self.chain_matches


def recheck_verify(recheck: Recheck) -> RecheckVerification:
    """Run the draw again from its stored closed problems, public value and time: the same seed, the same
    problems, a record hash that matches the record, and the audit chain holding that hash once."""
    drawn_at_iso = recheck.drawn_at.astimezone(UTC).isoformat(timespec="microseconds")
    seed = recheck_seed(number=recheck.number, public_value=recheck.public_value, drawn_at_iso=drawn_at_iso)
    problem, recomputed = "", []
    try:
        recomputed = recheck_run(
            seed=seed, population=[int(row["id"]) for row in recheck.population], requested=recheck.requested
        )
    except (DrawRefused, KeyError, TypeError, ValueError) as error:
        problem = str(error)
    record_hash = recheck_record_hash(
        number=recheck.number,
        public_value=recheck.public_value,
        drawn_at_iso=drawn_at_iso,
        seed=recheck.seed,
        scope=recheck.scope,
        population=recheck.population,
        result=recheck.result,
    )
    chained = InspectionEvent.objects.filter(
        subject=f"recheck:{recheck.pk}", kind=InspectionEventKind.RECHECK_DRAWN, digest=recheck.result_hash
    ).count()
    return RecheckVerification(
        seed_matches=seed == recheck.seed,
        result_matches=not problem and recomputed == recheck.result,
        record_hash_matches=record_hash == recheck.result_hash,
        chain_matches=chained == 1,
        recomputed_result=recomputed,
        problem=problem,
    )


@dataclass
class RecheckFinding:
    outcome: str
    reason: str
    # The new deadline of a rectification the re-check opens again.
    deadline: datetime.date | None = None


@transaction.atomic
def recheck_result_record(
    *, recheck: Recheck, finding: Finding, data: RecheckFinding, recorded_by
) -> RecheckResult:
    """What the re-check of one drawn problem found. 整改不到位 or 虚假整改 opens its rectification again,
    every measure with it, by a new deadline and with the reason for the owner; it counts against the
    unit (`Rectification.times_reopened`)."""
    recheck_check_permission(user=recorded_by)
    if finding.pk not in recheck.result:
        raise ApplicationError(_("That problem was not drawn in this re-check."), code="not_drawn")
    if data.outcome not in RecheckOutcome.values:
        raise ApplicationError(_("Choose what the re-check found."), code="outcome")
    reason = (data.reason or "").strip()
    reopening = data.outcome in RECHECK_REOPENING_OUTCOMES
    if reopening and not reason:
        raise ApplicationError(_("Say what the re-check found wanting: the owner reads it."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(
            _("The reason may be at most %(max)d characters.") % {"max": MAX_REASON_LENGTH}, code="reason"
        )
    locked, rectification = _finding_lock(finding)
    if RecheckResult.objects.filter(recheck=recheck, finding=locked).exists():
        raise TransitionNotAllowed(_("This problem's re-check is already recorded."), code="recorded")
    if rectification.status != RectificationStatus.CLOSED:
        raise TransitionNotAllowed(
            _("This problem is no longer ticked off: it was opened again since the draw (it is %(status)s).")
            % {"status": rectification.get_status_display()},
            code="not_closed",
        )
    if reopening:
        target = rectification_ensure_step_allowed(
            current=rectification.status, step=RectificationStep.REOPEN
        )
        if data.deadline is None:
            raise ApplicationError(_("Give the rectification a new deadline."), code="deadline")
        rectification_deadline_check(data.deadline, today=clock.today())
        _reopen(locked, rectification, target=target, reason=reason, deadline=data.deadline)
    result = RecheckResult.objects.create(
        recheck=recheck,
        finding=locked,
        outcome=data.outcome,
        reason=reason,
        recorded_by=recorded_by,
        recorded_at=clock.now(),
    )
    inspection_events_append(
        events=[
            _finding_event(
                locked,
                kind=InspectionEventKind.RECHECKED,
                actor=recorded_by,
                from_status=RectificationStatus.CLOSED if reopening else "",
                to_status=RectificationStatus.OPEN if reopening else "",
                payload={
                    "recheck": recheck.number,
                    "outcome": data.outcome,
                    **({"deadline": data.deadline.isoformat()} if reopening else {}),
                },
                note=reason,
            )
        ]
    )
    if reopening:
        _notify(
            recipients={rectification.owner_id, locked.responsible_id},
            title=_("%(reference)s reopened by a re-check: rectify by %(deadline)s")
            % {"reference": locked.reference, "deadline": date_text(data.deadline)},
            body=reason,
            finding=locked,
            rectification=rectification,
        )
    return result


def _reopen(finding: Finding, rectification: Rectification, *, target, reason: str, deadline) -> None:
    """Open a ticked-off rectification again, and every one of its measures, by the new deadline."""
    rectification.status = target
    rectification.rejection_reason = reason
    rectification.times_reopened += 1
    rectification.deadline = deadline
    rectification.version += 1
    rectification.save(update_fields=["status", "rejection_reason", "times_reopened", "deadline", "version"])
    for measure in finding.measures.select_for_update():
        measure.status, measure.deadline = MeasureStatus.OPEN, deadline
        measure.version += 1
        measure.save(update_fields=["status", "deadline", "version"])
