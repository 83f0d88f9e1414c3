"""Every change to a year's 一岗双责 (one post, two responsibilities): assignments, tasks, records, handovers.

Each one appends its `DutyEvent` to the duty audit chain in the same transaction (duties.audit says what
each kind of event carries). Nothing here deletes: a task set by mistake is withdrawn with a reason.
"""

import datetime
import functools
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import LEADING_POST_KINDS, OrgUnit, Post
from core import clock
from core.audit import changes_payload, person_payload
from core.errors import ApplicationError
from core.locks import row_lock
from core.versions import stale_check
from responsibility.duties.audit import duty_event_record, duty_events_append
from responsibility.duties.models import (
    AssignmentStatus,
    DutyAssignment,
    DutyEvent,
    DutyEventKind,
    DutyTask,
    DutyTaskTemplate,
    PerformanceRecord,
    PostHandover,
    Recurrence,
    ReviewStatus,
    TaskOccurrence,
)
from responsibility.duties.permissions import DutyAction, duty_check_permission, occurrence_check_permission
from responsibility.duties.recurrence import periods_of
from responsibility.duties.reminder_sources import DutyTaskDueSource
from responsibility.duties.selectors import duty_leader_letter
from responsibility.evidence.models import EvidenceFile
from responsibility.evidence.rules import evidence_check_all
from responsibility.evidence.services import evidence_store
from responsibility.letters.models.letters import ClauseCategory, Letter, LetterClause
from responsibility.reminders.services import reminders_close_done

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 1000
# The clause categories whose clauses a leader's integrity duties carry out by default.
DUTY_CLAUSE_CATEGORIES = (ClauseCategory.DUAL_DUTY, ClauseCategory.PRINCIPAL)


def _ids(items) -> list[int]:
    return sorted(item.pk for item in items)


def _occurrences_create(*, task: DutyTask, year: int, responsible_id: int) -> list[TaskOccurrence]:
    periods = periods_of(
        recurrence=task.recurrence, year=year, times_a_year=task.times_a_year, due_date=task.due_date
    )
    return TaskOccurrence.objects.bulk_create(
        [
            TaskOccurrence(
                task=task,
                sequence=period.sequence,
                period_start=period.start,
                due_date=period.due,
                responsible_id=responsible_id,
            )
            for period in periods
        ]
    )


def _template_due_date(template: DutyTaskTemplate, year: int) -> datetime.date | None:
    if template.recurrence != Recurrence.ONCE:
        return None
    try:
        return datetime.date(year, template.due_month or 12, template.due_day or 31)
    except ValueError:
        return datetime.date(year, 12, 31)


@dataclass
class GenerateResult:
    created: list[DutyAssignment] = field(default_factory=list)
    skipped: list[tuple[Post, str]] = field(default_factory=list)


@transaction.atomic
def duty_assignments_generate(*, year: int, generated_by) -> GenerateResult:
    """The year's assignments for every held leading post, with the common tasks, in one action.

    Posts that already have an assignment for the year are passed over, so generating again only adds
    the assignments of posts filled since.
    """
    duty_check_permission(user=generated_by, action=DutyAction.GENERATE)
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("Choose a year between 2000 and 2100."), code="year")
    templates = list(DutyTaskTemplate.objects.filter(is_active=True).order_by("sort_order", "pk"))
    for template in templates:  # refuse a broken template before anything is written
        periods_of(
            recurrence=template.recurrence,
            year=year,
            times_a_year=template.times_a_year,
            due_date=_template_due_date(template, year),
        )
    posts = list(
        Post.objects.held()
        .filter(kind__in=LEADING_POST_KINDS)
        .select_related("unit", "holder")
        .prefetch_related("oversees")
        .order_by("unit__sort_order", "sort_order", "pk")
    )
    taken = set(DutyAssignment.objects.filter(year=year).values_list("post_id", flat=True))
    result = GenerateResult()
    events = []
    for post in posts:
        if post.pk in taken:
            result.skipped.append((post, _("an assignment for this year already exists")))
            continue
        overseen = list(post.oversees.all())
        with translation.override(settings.LANGUAGE_CODE):  # the record's text, in the site's language
            business_areas = _("The business work of: %(units)s.") % {
                "units": "、".join(unit.name for unit in overseen) or post.unit.name
            }
            integrity_duties = _(
                "Lead party conduct and clean-government work in the units overseen together with their "
                "business work: deploy, check and report on it, hold integrity talks, and answer for "
                "integrity risks there."
            )
        assignment = DutyAssignment.objects.create(
            year=year,
            post=post,
            leader=post.holder,
            business_areas=business_areas,
            integrity_duties=integrity_duties,
            created_by=generated_by,
        )
        assignment.oversees.set(overseen)
        letter = duty_leader_letter(post=post, holder_id=post.holder_id, year=year)
        clauses = []
        if letter is not None:
            clauses = list(letter.clauses.filter(category__in=DUTY_CLAUSE_CATEGORIES))
            assignment.clauses.set(clauses)
        tasks = []
        for template in templates:
            task = DutyTask.objects.create(
                assignment=assignment,
                title=template.title,
                description=template.description,
                recurrence=template.recurrence,
                times_a_year=template.times_a_year,
                due_date=_template_due_date(template, year),
                sort_order=template.sort_order,
            )
            _occurrences_create(task=task, year=year, responsible_id=post.holder_id)
            tasks.append(task)
        events.append(
            DutyEvent(
                assignment_id=assignment.pk,
                subject=f"assignment:{assignment.pk}",
                kind=DutyEventKind.ASSIGNMENT_GENERATED,
                actor=generated_by,
                to_status=assignment.status,
                payload={
                    "year": year,
                    "post": str(post),
                    "leader": person_payload(post.holder),
                    "oversees": _ids(overseen),
                    "clauses": _ids(clauses),
                    "tasks": [task.pk for task in tasks],
                },
            )
        )
        result.created.append(assignment)
    if not result.created:
        raise ApplicationError(
            _("No assignment was generated: every leading post has one for %(year)d already or no holder.")
            % {"year": year},
            code="nothing",
        )
    duty_events_append(events=events)
    return result


@dataclass
class AssignmentInput:
    business_areas: str
    integrity_duties: str
    oversees: list[OrgUnit]
    clauses: list[LetterClause]


@transaction.atomic
def duty_assignment_update(
    *, assignment: DutyAssignment, data: AssignmentInput, updated_by, expected_version: int | None
) -> DutyAssignment:
    """Adjust an assignment. A confirmed one goes back to the leader for confirmation."""
    locked = row_lock(DutyAssignment, pk=assignment.pk)
    duty_check_permission(user=updated_by, action=DutyAction.EDIT, assignment=locked)  # as stored now
    stale_check(record=locked, expected_version=expected_version, what=_("assignment"))
    letter = duty_leader_letter(post=locked.post, holder_id=locked.leader_id, year=locked.year)
    allowed = set(letter.clauses.values_list("pk", flat=True)) if letter else set()
    if any(clause.pk not in allowed for clause in data.clauses):
        raise ApplicationError(_("Only clauses of the leader's own letter can be linked."), code="clause")
    if not (data.business_areas or "").strip() or not (data.integrity_duties or "").strip():
        raise ApplicationError(
            _("Describe both the business work led and the integrity duties."), code="empty"
        )
    before = {
        "business_areas": locked.business_areas,
        "integrity_duties": locked.integrity_duties,
        "oversees": _ids(locked.oversees.all()),
        "clauses": _ids(locked.clauses.all()),
    }
    previous_status = locked.status
    locked.business_areas = data.business_areas.strip()
    locked.integrity_duties = data.integrity_duties.strip()
    locked.status = AssignmentStatus.DRAFT
    locked.confirmed_at = None
    locked.version += 1
    locked.save(update_fields=["business_areas", "integrity_duties", "status", "confirmed_at", "version"])
    locked.oversees.set(data.oversees)
    locked.clauses.set(data.clauses)
    after = {
        "business_areas": locked.business_areas,
        "integrity_duties": locked.integrity_duties,
        "oversees": _ids(data.oversees),
        "clauses": _ids(data.clauses),
    }
    moved = previous_status != locked.status
    duty_event_record(
        assignment_id=locked.pk,
        subject=f"assignment:{locked.pk}",
        kind=DutyEventKind.ASSIGNMENT_UPDATED,
        actor=updated_by,
        from_status=previous_status if moved else "",
        to_status=locked.status if moved else "",
        payload=changes_payload({name: (before[name], after[name]) for name in after}),
    )
    return locked


@transaction.atomic
def duty_assignment_confirm(*, assignment: DutyAssignment, confirmed_by, expected_version: int | None):
    """The leader confirms their assignment as it stands."""
    locked = row_lock(DutyAssignment, pk=assignment.pk)
    duty_check_permission(user=confirmed_by, action=DutyAction.CONFIRM, assignment=locked)  # as stored now
    stale_check(record=locked, expected_version=expected_version, what=_("assignment"))
    if locked.status == AssignmentStatus.CONFIRMED:
        raise ApplicationError(_("You have already confirmed this assignment."), code="confirmed")
    previous_status = locked.status
    locked.status = AssignmentStatus.CONFIRMED
    locked.confirmed_at = clock.now()
    locked.version += 1
    locked.save(update_fields=["status", "confirmed_at", "version"])
    duty_event_record(
        assignment_id=locked.pk,
        subject=f"assignment:{locked.pk}",
        kind=DutyEventKind.ASSIGNMENT_CONFIRMED,
        actor=confirmed_by,
        from_status=previous_status,
        to_status=locked.status,
    )
    return locked


@dataclass
class TaskInput:
    title: str
    description: str
    recurrence: str
    times_a_year: int | None = None
    due_date: datetime.date | None = None
    clause: LetterClause | None = None


@transaction.atomic
def duty_task_create(*, assignment: DutyAssignment, data: TaskInput, created_by) -> DutyTask:
    """Add a task to an assignment; its periods of the year are created with it."""
    locked = row_lock(DutyAssignment, pk=assignment.pk)
    duty_check_permission(user=created_by, action=DutyAction.EDIT, assignment=locked)  # as stored now
    periods_of(
        recurrence=data.recurrence, year=locked.year, times_a_year=data.times_a_year, due_date=data.due_date
    )  # refuses a recurrence that makes no sense
    if data.clause is not None and not locked.clauses.filter(pk=data.clause.pk).exists():
        raise ApplicationError(_("Link the task to one of the assignment's clauses."), code="clause")
    if not (data.title or "").strip():
        raise ApplicationError(_("Give the task a title."), code="title")
    last = locked.tasks.aggregate(last=Max("sort_order"))["last"] or 0
    task = DutyTask.objects.create(
        assignment=locked,
        title=data.title.strip(),
        description=data.description,
        recurrence=data.recurrence,
        times_a_year=data.times_a_year if data.recurrence == Recurrence.TIMES_A_YEAR else None,
        due_date=data.due_date if data.recurrence == Recurrence.ONCE else None,
        clause=data.clause,
        sort_order=last + 1,
    )
    periods = _occurrences_create(task=task, year=locked.year, responsible_id=locked.leader_id)
    duty_event_record(
        assignment_id=locked.pk,
        subject=f"task:{task.pk}",
        kind=DutyEventKind.TASK_CREATED,
        actor=created_by,
        payload={
            "title": task.title,
            "recurrence": task.recurrence,
            "times_a_year": task.times_a_year,
            "due_date": task.due_date.isoformat() if task.due_date else None,
            "clause": task.clause.number if task.clause else None,
            "periods": len(periods),
        },
    )
    return task


@transaction.atomic
def duty_task_withdraw(*, task: DutyTask, withdrawn_by, reason: str) -> DutyTask:
    """Withdraw a task set by mistake, with the reason: nothing is deleted. The task and its periods stay
    on record, greyed; its periods are no longer open work (never reminded, never overdue, not to do).

    A task for which records were kept cannot be withdrawn.
    """
    assignment = row_lock(DutyAssignment, pk=task.assignment_id)
    duty_check_permission(user=withdrawn_by, action=DutyAction.EDIT, assignment=assignment)  # as stored now
    locked = row_lock(DutyTask, pk=task.pk)
    if locked.is_withdrawn:
        raise ApplicationError(_("This task has already been withdrawn."), code="withdrawn")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason the task is withdrawn."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(
            _("The reason may be at most %(max)d characters.") % {"max": MAX_REASON_LENGTH}, code="reason"
        )
    if PerformanceRecord.objects.filter(occurrence__task=locked).exists():
        raise ApplicationError(
            _("Records were kept for this task; it can no longer be withdrawn."), code="in_use"
        )
    locked.withdrawn_at = clock.now()
    locked.withdrawn_by = withdrawn_by
    locked.withdrawal_reason = reason
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    period_reminders_close(occurrence_ids=locked.occurrences.values_list("pk", flat=True))
    duty_event_record(
        assignment_id=assignment.pk,
        subject=f"task:{locked.pk}",
        kind=DutyEventKind.TASK_WITHDRAWN,
        actor=withdrawn_by,
        note=reason,
        payload={"title": locked.title, "periods": locked.occurrences.count()},
    )
    return locked


@dataclass
class RecordInput:
    performed_on: datetime.date
    summary: str
    participants: str
    files: list = field(default_factory=list)


@transaction.atomic
def performance_record_create(
    *, occurrence: TaskOccurrence, data: RecordInput, recorded_by
) -> PerformanceRecord:
    """履责纪实: the leader records what they did for a task's period, with evidence; the period is done."""
    locked = row_lock(TaskOccurrence.objects.select_related("task__assignment"), pk=occurrence.pk)
    # Checked on the locked, stored row: a caller's copy from before a handover still names the old holder.
    occurrence_check_permission(user=recorded_by, action=DutyAction.RECORD, occurrence=locked)
    if locked.task.is_withdrawn:
        raise ApplicationError(
            _("This task was withdrawn: no record is kept for it any more."), code="withdrawn"
        )
    year = locked.task.assignment.year
    today = clock.today()
    if data.performed_on > today:
        raise ApplicationError(_("The date cannot be in the future."), code="future")
    if data.performed_on.year != year:
        raise ApplicationError(
            _("The date must be in %(year)d, the year of the assignment.") % {"year": year}, code="year"
        )
    if not (data.summary or "").strip():
        raise ApplicationError(_("Describe what was done."), code="summary")
    files = evidence_check_all(data.files)
    record = PerformanceRecord.objects.create(
        occurrence=locked,
        performed_on=data.performed_on,
        summary=data.summary.strip(),
        participants=(data.participants or "").strip(),
        recorded_by=recorded_by,
    )
    stored = evidence_store(files=files, uploaded_by=recorded_by, performance_record=record)
    if locked.done_at is None:
        locked.done_at = clock.now()
        locked.save(update_fields=["done_at"])
        period_reminders_close(occurrence_ids=[locked.pk])
    task = locked.task
    duty_events_append(
        events=[
            DutyEvent(
                assignment_id=task.assignment_id,
                subject=f"record:{record.pk}",
                kind=DutyEventKind.RECORD_CREATED,
                actor=recorded_by,
                to_status=record.review_status,
                note=record.summary,
                payload={
                    "task": task.pk,
                    "title": task.title,
                    "period": locked.sequence,
                    "performed_on": record.performed_on.isoformat(),
                    "participants": record.participants,
                    "files": len(stored),
                },
            ),
            *_evidence_events(
                assignment_id=task.assignment_id, record=record, files=stored, actor=recorded_by
            ),
        ]
    )
    return record


def period_reminders_close(*, occurrence_ids) -> None:
    """Periods done, withdrawn or handed over: what reminded their leader of them is closed, by the
    reminders' own rule (DutyTaskDueSource)."""
    reminders_close_done(object_keys=[DutyTaskDueSource.object_key(pk) for pk in occurrence_ids])


def _evidence_events(
    *, assignment_id: int, record: PerformanceRecord, files: list[EvidenceFile], actor
) -> list[DutyEvent]:
    return [
        DutyEvent(
            assignment_id=assignment_id,
            subject=f"record:{record.pk}",
            kind=DutyEventKind.EVIDENCE_ADDED,
            actor=actor,
            payload={"evidence": stored.pk, "file": stored.original_name},
            digest=stored.sha256,
        )
        for stored in files
    ]


@transaction.atomic
def performance_record_review(
    *, record: PerformanceRecord, reviewed_by, accept: bool, reason: str = "", expected_version: int | None
) -> PerformanceRecord:
    """The inspection team accepts a record, or returns it with a reason (the period is open again
    unless another record of it stands)."""
    occurrence_check_permission(user=reviewed_by, action=DutyAction.REVIEW, occurrence=record.occurrence)
    locked = row_lock(PerformanceRecord.objects.select_related("occurrence__task"), pk=record.pk)
    stale_check(record=locked, expected_version=expected_version, what=_("record"))
    if locked.review_status != ReviewStatus.PENDING:
        raise ApplicationError(
            _("This record has already been reviewed: %(status)s.")
            % {"status": locked.get_review_status_display()},
            code="reviewed",
        )
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ApplicationError(_("Give the reason the record is returned."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(
            _("The reason may be at most %(max)d characters.") % {"max": MAX_REASON_LENGTH}
        )
    previous_status = locked.review_status
    locked.review_status = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
    locked.review_reason = "" if accept else reason
    locked.reviewed_by = reviewed_by
    locked.reviewed_at = clock.now()
    locked.version += 1
    locked.save(update_fields=["review_status", "review_reason", "reviewed_by", "reviewed_at", "version"])
    reopened = False
    if not accept:
        occurrence = row_lock(TaskOccurrence, pk=locked.occurrence_id)
        standing = occurrence.records.exclude(review_status=ReviewStatus.RETURNED).exists()
        if not standing and occurrence.done_at is not None:
            occurrence.done_at = None
            occurrence.save(update_fields=["done_at"])
            reopened = True
    task = locked.occurrence.task
    duty_event_record(
        assignment_id=task.assignment_id,
        subject=f"record:{locked.pk}",
        kind=DutyEventKind.RECORD_ACCEPTED if accept else DutyEventKind.RECORD_RETURNED,
        actor=reviewed_by,
        from_status=previous_status,
        to_status=locked.review_status,
        note=locked.review_reason,
        payload={
            "task": task.pk,
            "title": task.title,
            "period": locked.occurrence.sequence,
            "reopened": reopened,
        },
    )
    return locked


@transaction.atomic
def post_handover(*, post: Post, new_holder, handed_over_on: datetime.date, handed_over_by) -> PostHandover:
    """A post changes holder mid-year: the new holder takes over its open task periods and receives a
    new letter to sign; the previous holder's records, and the periods they completed, stay theirs."""
    duty_check_permission(user=handed_over_by, action=DutyAction.HANDOVER)
    locked = row_lock(Post, pk=post.pk)
    if locked.holder_id is None:
        raise ApplicationError(_("The post has no holder to hand over from."), code="no_holder")
    if new_holder is None or not new_holder.is_active or new_holder.is_machine:
        raise ApplicationError(_("Choose an active user to take over the post."), code="new_holder")
    if new_holder.pk == locked.holder_id:
        raise ApplicationError(
            _("%(name)s already holds this post.") % {"name": new_holder.get_full_name()}, code="same_holder"
        )
    today = clock.today()
    if handed_over_on > today + datetime.timedelta(days=31) or handed_over_on < today - datetime.timedelta(
        days=366
    ):
        raise ApplicationError(
            _("The handover date must be within the last year or the coming month."), code="date"
        )
    previous = get_user_model().objects.get(pk=locked.holder_id)
    locked.holder = new_holder
    locked.term_start = handed_over_on
    locked.save(update_fields=["holder", "term_start"])
    assignments = DutyAssignment.objects.select_for_update().filter(
        post=locked, year__gte=handed_over_on.year
    )
    statuses_before = dict(assignments.order_by("pk").values_list("pk", "status"))
    moving = TaskOccurrence.objects.open().filter(task__assignment__in=assignments, responsible=previous)
    moving_ids = list(moving.values_list("pk", flat=True))
    moved = TaskOccurrence.objects.filter(pk__in=moving_ids).update(responsible=new_holder)
    period_reminders_close(occurrence_ids=moving_ids)  # the previous holder's; the new holder is reminded
    # The version steps too: a page opened before the handover can no longer confirm or edit it.
    assignments.update(
        leader=new_holder, status=AssignmentStatus.DRAFT, confirmed_at=None, version=F("version") + 1
    )
    new_letter = _letter_for_new_holder(
        post=locked, previous=previous, year=handed_over_on.year, issued_by=handed_over_by
    )
    if new_letter is not None:
        _clauses_relink(assignments=list(assignments), letter=new_letter)
    handover = PostHandover.objects.create(
        post=locked,
        previous_holder=previous,
        new_holder=new_holder,
        handed_over_on=handed_over_on,
        handed_over_by=handed_over_by,
        occurrences_moved=moved,
        new_letter=new_letter,
    )
    payload = {
        "post": str(locked),
        "from": person_payload(previous),
        "to": person_payload(new_holder),
        "on": handed_over_on.isoformat(),
        "periods_moved": moved,
        "letter": new_letter.reference if new_letter is not None else "",
    }
    event = functools.partial(
        DutyEvent,
        subject=f"handover:{handover.pk}",
        kind=DutyEventKind.HANDED_OVER,
        actor=handed_over_by,
        payload=payload,
    )
    duty_events_append(
        events=[
            event(
                assignment_id=pk,
                from_status=status if status != AssignmentStatus.DRAFT else "",
                to_status=AssignmentStatus.DRAFT if status != AssignmentStatus.DRAFT else "",
            )
            for pk, status in statuses_before.items()
        ]
        or [event(assignment_id=None)]
    )
    return handover


def _clauses_relink(*, assignments: list[DutyAssignment], letter: Letter) -> None:
    """Point the assignments and their tasks at the same-numbered clauses of the new holder's letter."""
    by_number = {clause.number: clause for clause in letter.clauses.all()}
    for assignment in assignments:
        assignment.clauses.set(
            [
                by_number[number]
                for number in assignment.clauses.values_list("number", flat=True)
                if number in by_number
            ]
        )
        for task in assignment.tasks.filter(clause__isnull=False).select_related("clause"):
            task.clause = by_number.get(task.clause.number)
            task.save(update_fields=["clause"])


def _letter_for_new_holder(*, post: Post, previous, year: int, issued_by) -> Letter | None:
    """The letter the new holder signs: the previous holder's letter, issued again to them."""
    from responsibility.letters.services.issuing import letter_issue_for_new_holder

    old = duty_leader_letter(post=post, holder_id=previous.pk, year=year)
    if old is None or not old.campaign.is_open:
        return None
    return letter_issue_for_new_holder(previous=old, issued_by=issued_by)
