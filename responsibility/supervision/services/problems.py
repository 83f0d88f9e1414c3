"""Problems of every source (ADR 0015): the sources every installation has, the problem lists (问题清单) of
sources other than inspections, and the problems recorded in them with their measures (任务清单).

An inspection plan's list is made with the plan and its problems are recorded through its inspections
(`rectifications.finding_record`); every other list is opened here, by the office or the inspection
team, and its problems are recorded here. Once recorded, a problem of any source is rectified, verified,
sent back, ticked off and re-checked by the same services.
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import OrgUnit
from core import clock
from core.audit import changes_payload, person_payload
from core.dates import date_text
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import stale_check
from responsibility.evidence.rules import evidence_check_all
from responsibility.evidence.services import evidence_store
from responsibility.supervision.audit import evidence_added_events, inspection_event, inspection_events_append
from responsibility.supervision.models import (
    BUILTIN_PROBLEM_SOURCES,
    BatchStatus,
    Finding,
    InspectionEventKind,
    Measure,
    MeasureStatus,
    ProblemBatch,
    ProblemSource,
    ProblemSourceCode,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.permissions import problem_list_check_permission
from responsibility.supervision.services.measures import MAX_MEASURES, MeasureInput, _measure_input_check
from responsibility.supervision.services.rectifications import (
    MAX_REASON_LENGTH,
    FindingInput,
    _finding_event,
    _finding_evidence_events,
    _finding_input_check,
    _finding_lock,
    _finding_recorded,
    _notify,
    people_ids_of_unit,
    rectification_deadline_check,
)

# A list is for a year from this one to the next (a list drawn up in December for the coming year).
FIRST_YEAR = 2000
# The problems a refused reconciliation names; the rest are counted.
RECONCILE_PENDING_SHOWN = 10
_DUPLICATE_TITLE = gettext_lazy("A problem list with this title already exists for that source and year.")


def problem_sources_ensure(**kwargs) -> None:
    """Create the built-in sources that are missing (after migrate, and after a test database's flush);
    a source the office renamed keeps its name."""
    for order, (code, name) in enumerate(BUILTIN_PROBLEM_SOURCES, start=1):
        ProblemSource.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})


# --- Problem lists ---------------------------------------------------------------------------------


@dataclass
class BatchInput:
    source: ProblemSource | None
    title: str
    year: int | None
    raised_on: datetime.date | None
    raised_by: str
    files: list = field(default_factory=list)


def _batch_input_check(data: BatchInput, *, today: datetime.date, batch: ProblemBatch | None = None) -> str:
    """A list of another source than inspections, named, for a year, raised on a day gone by; returns the
    title, trimmed. A title is used once per source and year."""
    if data.source is None:
        raise ApplicationError(_("Choose where the problems come from."), code="source")
    if data.source.code == ProblemSourceCode.SUPERVISION:
        raise ApplicationError(
            _("Problems found by inspections are recorded in their inspection plan."), code="source_plan"
        )
    title = (data.title or "").strip()
    if not title:
        raise ApplicationError(_("Give the problem list a title."), code="title")
    if data.year is None or not FIRST_YEAR <= data.year <= today.year + 1:
        raise ApplicationError(
            _("The year must be between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": today.year + 1},
            code="year",
        )
    if data.raised_on is None:
        raise ApplicationError(_("Give the day the problems were raised."), code="raised_on")
    if data.raised_on > today:
        raise ApplicationError(
            _("The day the problems were raised cannot be in the future."), code="raised_on"
        )
    duplicates = ProblemBatch.objects.filter(source=data.source, year=data.year, title=title)
    if batch is not None:
        duplicates = duplicates.exclude(pk=batch.pk)
    if duplicates.exists():
        raise ApplicationError(str(_DUPLICATE_TITLE), code="duplicate")
    return title


def _batch_payload(batch: ProblemBatch) -> dict:
    """A list's terms as an event records them."""
    return {
        "source": {"code": batch.source.code, "name": batch.source.name},
        "year": batch.year,
        "title": batch.title,
        "raised_on": batch.raised_on.isoformat(),
        "raised_by": batch.raised_by,
    }


def _batch_event(batch: ProblemBatch, **facts):
    """An unsaved event about the list itself (subject ``batch:ID``)."""
    return inspection_event(plan=batch.plan, batch_id=batch.pk, subject=f"batch:{batch.pk}", **facts)


@transaction.atomic
def problem_batch_open(*, data: BatchInput, opened_by) -> ProblemBatch:
    """The office or the inspection team opens a list of problems raised together (民主生活会查摆问题,
    巡察反馈意见 …), with its documents; its problems are then recorded in it."""
    problem_list_check_permission(user=opened_by)
    title = _batch_input_check(data, today=clock.today())
    files = evidence_check_all(data.files)
    try:
        with transaction.atomic():  # two submits at once: the second finds the first's title taken
            batch = ProblemBatch.objects.create(
                source=data.source,
                title=title,
                year=data.year,
                raised_on=data.raised_on,
                raised_by=(data.raised_by or "").strip(),
                created_by=opened_by,
            )
    except IntegrityError:
        raise ApplicationError(str(_DUPLICATE_TITLE), code="duplicate") from None
    stored = evidence_store(files=files, uploaded_by=opened_by, batch=batch)
    inspection_events_append(
        events=[
            _batch_event(
                batch,
                kind=InspectionEventKind.BATCH_OPENED,
                actor=opened_by,
                payload=_batch_payload(batch),
                to_status=batch.status,
            ),
            *evidence_added_events(
                plan=None, batch_id=batch.pk, subject=f"batch:{batch.pk}", files=stored, actor=opened_by
            ),
        ]
    )
    return batch


def _batch_lock_open(batch: ProblemBatch) -> ProblemBatch:
    """The list, locked, while its problems are still being rectified; an inspection plan's list is the
    plan's to change."""
    locked = row_lock(ProblemBatch.objects.select_related("source"), pk=batch.pk)
    if locked.plan_id is not None:
        raise ApplicationError(
            _("This is an inspection plan's list: its problems are recorded through the plan's inspections."),
            code="plan_batch",
        )
    if not locked.is_open:
        raise ApplicationError(
            _("This problem list is reconciled; nothing more can be recorded in it."), code="reconciled"
        )
    return locked


@transaction.atomic
def problem_batch_update(
    *, batch: ProblemBatch, data: BatchInput, updated_by, expected_version: int | None
) -> ProblemBatch:
    """Correct a list's source, title, year, day or who raised it (its documents are added, never
    replaced); a stale page is refused."""
    problem_list_check_permission(user=updated_by)
    locked = _batch_lock_open(batch)
    stale_check(record=locked, expected_version=expected_version, what=_("problem list"))
    title = _batch_input_check(data, today=clock.today(), batch=locked)
    files = evidence_check_all(data.files)
    before = _batch_payload(locked)
    locked.source, locked.title, locked.year = data.source, title, data.year
    locked.raised_on, locked.raised_by = data.raised_on, (data.raised_by or "").strip()
    after = _batch_payload(locked)
    changes = {name: (before[name], after[name]) for name in after if before[name] != after[name]}
    if not changes and not files:
        raise ApplicationError(_("Nothing was changed."), code="unchanged")
    events = []
    if changes:
        locked.version += 1
        locked.save(update_fields=["source", "title", "year", "raised_on", "raised_by", "version"])
        events.append(
            _batch_event(
                locked,
                kind=InspectionEventKind.BATCH_UPDATED,
                actor=updated_by,
                payload=changes_payload(changes),
            )
        )
    stored = evidence_store(files=files, uploaded_by=updated_by, batch=locked)
    events += evidence_added_events(
        plan=None, batch_id=locked.pk, subject=f"batch:{locked.pk}", files=stored, actor=updated_by
    )
    inspection_events_append(events=events)
    return locked


# --- Problems of a list ----------------------------------------------------------------------------


@dataclass
class ProblemInput:
    """One problem of a list (问题清单), its rectification's aim and its measures (任务清单, 责任清单)."""

    unit: OrgUnit | None
    title: str
    description: str
    category: str
    severity: str
    responsible: object  # the leader who answers for it (责任领导)
    owner: object  # who sees its rectification through (整改责任人)
    requirement: str  # what the rectification must achieve (整改目标)
    measures: list[MeasureInput]
    evidence_required: bool = True
    files: list = field(default_factory=list)


def _problem_input_check(data: ProblemInput, *, today: datetime.date) -> tuple[str, list[str]]:
    """Check a problem and its measures against its unit; returns its category and the measures' words."""
    if data.unit is None or not data.unit.is_active:
        raise ApplicationError(_("Choose the unit the problem is in."), code="unit")
    if not data.measures:
        raise ApplicationError(_("Give the problem at least one measure."), code="measures_none")
    if len(data.measures) > MAX_MEASURES:
        raise ApplicationError(
            _("A rectification may have at most %(max)d measures.") % {"max": MAX_MEASURES}, code="too_many"
        )
    people = people_ids_of_unit(unit_id=data.unit.pk)  # read once for every person the problem names
    actions = [
        _measure_input_check(data=measure, unit_id=data.unit.pk, today=today, people=people)
        for measure in data.measures
    ]
    category = _finding_input_check(
        data=FindingInput(
            title=data.title,
            description=data.description,
            severity=data.severity,
            clause=None,
            category=data.category,
            responsible=data.responsible,
            owner=data.owner,
            requirement=data.requirement,
            deadline=max(measure.deadline for measure in data.measures),
        ),
        unit_id=data.unit.pk,
        today=today,
        clause_required=False,
        people=people,
    )
    return category, actions


@transaction.atomic
def problem_record(*, batch: ProblemBatch, data: ProblemInput, recorded_by) -> Finding:
    """Record one problem of a list with its measures: its rectification starts open, due on its latest
    measure's deadline, and each measure's owner has it to do."""
    problem_list_check_permission(user=recorded_by)
    locked = _batch_lock_open(batch)  # also numbers the list's problems without gaps
    category, actions = _problem_input_check(data, today=clock.today())
    if locked.findings.filter(title=data.title.strip()).exists():  # also a second click of the same form
        raise ApplicationError(_("A problem with this title is already in this list."), code="title_taken")
    files = evidence_check_all(data.files)
    deadline = max(measure.deadline for measure in data.measures)
    finding = Finding.objects.create(
        batch=locked,
        number=(locked.findings.aggregate(last=Max("number"))["last"] or 0) + 1,
        unit=data.unit,
        responsible=data.responsible,
        category=category,
        severity=data.severity,
        title=data.title,
        description=data.description,
        created_by=recorded_by,
    )
    finding.batch = locked
    rectification = Rectification.objects.create(
        finding=finding,
        owner=data.owner,
        requirement=data.requirement,
        deadline=deadline,
        evidence_required=data.evidence_required,
    )
    measures = Measure.objects.bulk_create(
        Measure(
            finding=finding,
            number=number,
            action=action,
            owner=measure.owner,
            deadline=measure.deadline,
            created_by=recorded_by,
        )
        for number, (action, measure) in enumerate(zip(actions, data.measures, strict=True), start=1)
    )
    stored = evidence_store(files=files, uploaded_by=recorded_by, finding=finding)
    _finding_recorded(
        finding,
        rectification=rectification,
        recorded_by=recorded_by,
        unit_name=data.unit.name,
        events=[
            *(
                _finding_event(
                    finding,
                    kind=InspectionEventKind.MEASURE_ADDED,
                    actor=recorded_by,
                    payload={
                        "measure": measure.number,
                        "action": measure.action,
                        "owner": person_payload(measure.owner),
                        "deadline": measure.deadline.isoformat(),
                    },
                )
                for measure in measures
            ),
            *_finding_evidence_events(finding, files=stored, actor=recorded_by),
        ],
        recipients={data.owner.pk, data.responsible.pk, *(measure.owner.pk for measure in measures)},
    )
    return finding


# --- 对账销号: carrying over and reconciling a list -----------------------------------------------------


MAX_PROBLEMS_AT_ONCE = 500  # problems of one list opened at once (the API's; a workbook has its own limit)


class ProblemListRefused(ApplicationError):
    """Problems of a list that could not be recorded, by their place in it (0 first), and why; nothing
    was recorded, the list included."""

    def __init__(self, refused: dict[int, str]):
        super().__init__(
            ngettext(
                "%(count)d problem could not be recorded; nothing was recorded.",
                "%(count)d problems could not be recorded; nothing was recorded.",
                len(refused),
            )
            % {"count": len(refused)},
            code="problems",
        )
        self.refused = refused


@transaction.atomic
def problem_batch_open_with_problems(
    *, data: BatchInput, problems: list[ProblemInput], opened_by
) -> ProblemBatch:
    """Open a list with all its problems and their measures, or nothing (another system's problem list,
    through the API): each problem is checked as if recorded on its page, and every refusal is reported."""
    if not problems:
        raise ApplicationError(_("Give the list at least one problem."), code="problems_none")
    if len(problems) > MAX_PROBLEMS_AT_ONCE:
        raise ApplicationError(
            _("A list may be opened with at most %(max)d problems at once.") % {"max": MAX_PROBLEMS_AT_ONCE},
            code="problems_too_many",
        )
    batch = problem_batch_open(data=data, opened_by=opened_by)
    refused = {}
    for index, problem in enumerate(problems):
        try:
            problem_record(batch=batch, data=problem, recorded_by=opened_by)
        except ApplicationError as error:
            refused[index] = str(error)
    if refused:
        raise ProblemListRefused(refused)  # the list and every problem recorded above are rolled back
    return batch


@transaction.atomic
def problem_carry_over(
    *, finding: Finding, reason: str, deadline: datetime.date | None, carried_by, expected_version: int | None
) -> Rectification:
    """结转: a problem of a list still being rectified is carried on past the list's reconciliation, with the
    reason and its new deadline; every measure still open is due then too. It stays in the ledger,
    reminded, until it is verified and ticked off as any other."""
    problem_list_check_permission(user=carried_by)
    if finding.plan_id is not None:
        raise ApplicationError(
            _("An inspection's findings are not reconciled in a list; they are ticked off as they are."),
            code="plan_batch",
        )
    _batch_lock_open(finding.batch)  # the list first (core.locks' order), then the problem
    locked, rectification = _finding_lock(finding)
    stale_check(record=rectification, expected_version=expected_version, what=_("rectification"))
    if rectification.carried_over_at is not None:
        raise ApplicationError(_("This problem is already carried over."), code="carried_over")
    if rectification.status != RectificationStatus.OPEN:
        raise ApplicationError(
            _("Only a problem still being rectified is carried over; this one is %(status)s.")
            % {"status": rectification.get_status_display()},
            code="not_open",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason the problem is carried over."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(
            _("The reason may be at most %(max)d characters.") % {"max": MAX_REASON_LENGTH}, code="reason"
        )
    if deadline is None:
        raise ApplicationError(_("Give the new deadline."), code="deadline")
    rectification_deadline_check(deadline, today=clock.today())
    measures = list(locked.measures.filter(status=MeasureStatus.OPEN))
    for measure in measures:
        measure.deadline = deadline
        measure.version += 1
        measure.save(update_fields=["deadline", "version"])
    before = rectification.deadline
    rectification.deadline = max(locked.measures.values_list("deadline", flat=True))
    rectification.carried_over_at = clock.now()
    rectification.carried_over_reason = reason
    rectification.version += 1
    rectification.save(update_fields=["deadline", "carried_over_at", "carried_over_reason", "version"])
    inspection_events_append(
        events=[
            _finding_event(
                locked,
                kind=InspectionEventKind.CARRIED_OVER,
                actor=carried_by,
                note=reason,
                payload={
                    "deadline": {"from": before.isoformat(), "to": rectification.deadline.isoformat()},
                    "measures": [measure.number for measure in measures],
                },
            )
        ]
    )
    _notify(
        recipients={rectification.owner_id, *(measure.owner_id for measure in measures)},
        title=_("Problem %(reference)s carried over: rectify by %(deadline)s")
        % {"reference": locked.reference, "deadline": date_text(rectification.deadline)},
        body=reason,
        finding=locked,
        rectification=rectification,
    )
    return rectification


def batch_reconcile_refusal(*, batch: ProblemBatch) -> str:
    """Why the list cannot be reconciled now ("" when it can): every problem ticked off or carried over."""
    problems = list(batch.findings.select_related("batch", "rectification").order_by("number"))
    if not problems:
        return _("The list has no problem: there is nothing to reconcile.")
    pending = [
        problem.reference
        for problem in problems
        if problem.rectification.status != RectificationStatus.CLOSED
        and problem.rectification.carried_over_at is None
    ]
    if not pending:
        return ""
    shown = "、".join(pending[:RECONCILE_PENDING_SHOWN]) + (
        "…" if len(pending) > RECONCILE_PENDING_SHOWN else ""
    )
    return ngettext(
        "%(count)d problem is neither ticked off nor carried over: %(references)s.",
        "%(count)d problems are neither ticked off nor carried over: %(references)s.",
        len(pending),
    ) % {"count": len(pending), "references": shown}


@transaction.atomic
def problem_batch_reconcile(
    *, batch: ProblemBatch, reconciled_by, expected_version: int | None
) -> ProblemBatch:
    """对账销号: the office marks the list reconciled once every problem is ticked off or carried over.
    Nothing more is recorded in it after; its carried-over problems go on to be ticked off."""
    problem_list_check_permission(user=reconciled_by)
    locked = _batch_lock_open(batch)
    stale_check(record=locked, expected_version=expected_version, what=_("problem list"))
    refusal = batch_reconcile_refusal(batch=locked)
    if refusal:
        raise ApplicationError(refusal, code="pending")
    problems = list(locked.findings.select_related("rectification").order_by("number"))
    previous = locked.status
    locked.status = BatchStatus.RECONCILED
    locked.reconciled_at, locked.reconciled_by = clock.now(), reconciled_by
    locked.version += 1
    locked.save(update_fields=["status", "reconciled_at", "reconciled_by", "version"])
    inspection_events_append(
        events=[
            _batch_event(
                locked,
                kind=InspectionEventKind.BATCH_RECONCILED,
                actor=reconciled_by,
                from_status=previous,
                to_status=locked.status,
                payload={
                    "closed": sum(p.rectification.status == RectificationStatus.CLOSED for p in problems),
                    "carried_over": [
                        p.reference for p in problems if p.rectification.status != RectificationStatus.CLOSED
                    ],
                },
            )
        ]
    )
    return locked
