"""一岗双责 reads: assignments, due periods, records to review and progress, filtered by who may see them."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import OrgUnit, Post
from accounts.org_tree import org_tree
from core.deadlines import TrafficLight, deadline_q
from responsibility.duties.models import (
    AssignmentStatus,
    DutyAssignment,
    DutyEvent,
    DutyReportDocument,
    DutyTask,
    PerformanceRecord,
    PostHandover,
    ReviewStatus,
    Talk,
    TalkKind,
    TalkStatus,
    TaskOccurrence,
)
from responsibility.duties.permissions import duty_reads_everything, talks_read_everything, units_of_staff
from responsibility.evidence.selectors import evidence_owner_register
from responsibility.letters.models.letters import LIVE_STATUSES, Letter, LetterClause

# --- One post, two responsibilities (一岗双责) ------------------------------------------------------


def duty_assignment_list_visible_to(*, user) -> QuerySet:
    """Assignments the user may open: all for the Party Group, the inspection team and the office; else
    their own, their unit's leaders' (read-only), and those their earlier records belong to."""
    assignments = DutyAssignment.objects.select_related("post", "post__unit", "leader")
    if not user.is_authenticated or not user.is_active:
        return assignments.none()
    if duty_reads_everything(user):
        return assignments
    units = units_of_staff(user)
    # Subqueries, not joins through the tasks, periods and records of every assignment: the user's own
    # records are found by index whatever their number (bench/supervision).
    through = DutyAssignment.oversees.through
    overseeing = through.objects.filter(orgunit_id__in=units).values("dutyassignment_id")
    recorded = PerformanceRecord.objects.filter(recorded_by=user).values("occurrence__task__assignment_id")
    return assignments.filter(
        Q(leader=user) | Q(post__unit_id__in=units) | Q(pk__in=overseeing) | Q(pk__in=recorded)
    )


def occurrence_list_due_for(*, user, until: datetime.date | None = None) -> QuerySet:
    """Open task periods the user answers for, soonest first (their to-do); with `until`, only those due
    by then (every overdue one among them). Periods of a withdrawn task are not open."""
    occurrences = (
        TaskOccurrence.objects.open()
        .filter(responsible=user, task__assignment__leader=user)
        .select_related("task", "task__assignment")
        .order_by("due_date", "pk")
    )
    return occurrences if until is None else occurrences.filter(due_date__lte=until)


def duty_assignment_list_to_confirm(*, user) -> QuerySet:
    """The user's own assignments waiting for their confirmation, latest year first.

    A leader always sees their own assignments (`duty_assignment_list_visible_to`): the user's other
    grounds of visibility are not asked for, which would cost a query of their posts."""
    if not user.is_authenticated or not user.is_active:
        return DutyAssignment.objects.none()
    return (
        DutyAssignment.objects.select_related("post", "post__unit", "leader")
        .filter(leader=user, status=AssignmentStatus.DRAFT)
        .order_by("-year", "pk")
    )


def performance_record_list_to_review(*, user) -> QuerySet:
    """Records waiting for the inspection team's review."""
    if not (user.is_authenticated and user.has_perm("responsibility.review_performancerecord")):
        return PerformanceRecord.objects.none()
    return (
        PerformanceRecord.objects.filter(review_status=ReviewStatus.PENDING)
        .select_related("occurrence__task__assignment__leader", "occurrence__task__assignment__post__unit")
        .order_by("recorded_at", "pk")
    )


def duty_leader_letter(*, post, holder_id: int, year: int) -> Letter | None:
    """The live letter the holder signs (or signed) for this post in that year's campaign, if any."""
    return (
        Letter.objects.filter(
            signer_post=post, signer_id=holder_id, campaign__year=year, status__in=LIVE_STATUSES
        )
        .order_by("-version", "-pk")
        .first()
    )


_OCCURRENCES = "tasks__occurrences"


def duty_progress_counts(*, today: datetime.date) -> dict:
    """Conditional counts over assignments' task periods to annotate with (one query, any number).

    The periods of withdrawn tasks count nowhere: they are neither work to do nor work done.
    """
    live = Q(tasks__withdrawn_at__isnull=True)
    done = live & Q(tasks__occurrences__done_at__isnull=False)
    open_ = live & Q(tasks__occurrences__done_at__isnull=True)
    due = "tasks__occurrences__due_date"
    return {
        "periods_total": Count(_OCCURRENCES, filter=live),
        "periods_done": Count(_OCCURRENCES, filter=done),
        "periods_due": Count(_OCCURRENCES, filter=live & Q(tasks__occurrences__due_date__lte=today)),
        "periods_overdue": Count(_OCCURRENCES, filter=open_ & deadline_q(due, TrafficLight.RED, today=today)),
        "periods_due_soon": Count(
            _OCCURRENCES, filter=open_ & deadline_q(due, TrafficLight.YELLOW, today=today)
        ),
    }


def duty_units_of(*, assignments: QuerySet) -> list[OrgUnit]:
    """The units the assignments' posts are in or that they oversee (the list page's unit filter)."""
    ids = assignments.values("pk")
    return list(
        OrgUnit.objects.filter(Q(posts__duty_assignments__in=ids) | Q(duty_assignments__in=ids))
        .distinct()
        .order_by("sort_order", "code")
    )


def duty_assignment_list_of_unit(*, assignments: QuerySet, unit: OrgUnit) -> QuerySet:
    """The assignments whose post is in the unit or that oversee it."""
    # A subquery, not a join: a join through `oversees` would multiply the progress counts.
    return assignments.filter(
        pk__in=DutyAssignment.objects.filter(Q(post__unit=unit) | Q(oversees=unit)).values("pk")
    )


def duty_unit_list_of_posts(*, assignments: QuerySet) -> QuerySet:
    """The units of the assignments' posts, in the organisation's order (the per-unit summary's rows)."""
    return (
        assignments.order_by()
        .values("post__unit_id", "post__unit__name", "post__unit__sort_order")
        .distinct()
        .order_by("post__unit__sort_order", "post__unit__name", "post__unit_id")
    )


def duty_progress_by_unit(*, assignments: QuerySet, today: datetime.date, unit_ids=None) -> list[dict]:
    """Per unit of the leaders' posts: leaders, periods done, overdue and in all (one query); with
    `unit_ids`, only those units' (a page of the summary: its cost is that page's rows)."""
    counts = duty_progress_counts(today=today)
    if unit_ids is not None:
        assignments = assignments.filter(post__unit_id__in=unit_ids)
    return list(
        assignments.order_by()
        .values("post__unit_id", "post__unit__name", "post__unit__sort_order")
        .annotate(
            leaders=Count("leader", distinct=True),
            periods_total=counts["periods_total"],
            periods_done=counts["periods_done"],
            periods_overdue=counts["periods_overdue"],
        )
        .order_by("post__unit__sort_order", "post__unit__name")
    )


def _evidence_visible_in_duties(*, user, evidence) -> bool:
    return (
        duty_assignment_list_visible_to(user=user)
        .filter(tasks__occurrences__records=evidence.performance_record_id)
        .exists()
    )


evidence_owner_register("performance_record", _evidence_visible_in_duties)


def duty_assignment_list_with_records(
    *, assignments: QuerySet, done_since: datetime.date | None = None
) -> QuerySet:
    """The assignments with everything an assignment's page and its year-end report show (the units it
    oversees, its clauses, tasks, periods, records and their evidence): a fixed number of queries.

    With `done_since`, a task's done periods due before that day are left out (its open periods and the
    recent ones stay) and counted on the task as `earlier_done`: the page then costs the periods it shows.
    """
    tasks = DutyTask.objects.select_related("clause__letter", "withdrawn_by").order_by("sort_order", "pk")
    occurrences = TaskOccurrence.objects.select_related("responsible").order_by("sequence")
    if done_since is not None:
        earlier = Q(occurrences__done_at__isnull=False, occurrences__due_date__lt=done_since)
        tasks = tasks.annotate(earlier_done=Count("occurrences", filter=earlier))
        occurrences = occurrences.filter(Q(done_at__isnull=True) | Q(due_date__gte=done_since))
    return assignments.prefetch_related(
        "oversees",
        Prefetch(
            "clauses", queryset=LetterClause.objects.select_related("letter").order_by("letter", "number")
        ),
        Prefetch("tasks", queryset=tasks),
        Prefetch("tasks__occurrences", queryset=occurrences),
        Prefetch(
            "tasks__occurrences__records",
            queryset=PerformanceRecord.objects.select_related("recorded_by", "reviewed_by").order_by(
                "performed_on", "pk"
            ),
        ),
        "tasks__occurrences__records__evidence",
    )


def duty_task_list_visible_to(*, user) -> QuerySet[DutyTask]:
    """The tasks of the assignments the user may see."""
    visible = duty_assignment_list_visible_to(user=user).values("pk")
    return DutyTask.objects.select_related("assignment").filter(assignment__in=visible)


def occurrence_list_visible_to(*, user) -> QuerySet[TaskOccurrence]:
    """The task periods of the assignments the user may see, with what a record's page shows."""
    visible = duty_assignment_list_visible_to(user=user).values("pk")
    return TaskOccurrence.objects.select_related(
        "task__clause__letter", "task__assignment__post__unit", "task__assignment__leader", "responsible"
    ).filter(task__assignment__in=visible)


def performance_record_list_visible_to(*, user) -> QuerySet[PerformanceRecord]:
    """The performance records of the assignments the user may see."""
    visible = duty_assignment_list_visible_to(user=user).values("pk")
    return PerformanceRecord.objects.select_related("occurrence__task__assignment").filter(
        occurrence__task__assignment__in=visible
    )


def post_handover_list_of(*, assignment: DutyAssignment) -> QuerySet[PostHandover]:
    """The handovers of the assignment's post in its year, in order."""
    return (
        PostHandover.objects.filter(post_id=assignment.post_id, handed_over_on__year=assignment.year)
        .select_related("previous_holder", "new_holder", "handed_over_by", "new_letter")
        .order_by("handed_over_on", "pk")
    )


def duty_event_list_of(*, assignment: DutyAssignment) -> QuerySet[DutyEvent]:
    """The assignment's audit events (its history), oldest first, with who did each (one query)."""
    return DutyEvent.objects.filter(assignment=assignment).select_related("actor").order_by("sequence")


def letter_clause_list_of(*, letter: Letter | None) -> QuerySet[LetterClause]:
    """A leader's letter's clauses in order, which an assignment may cite (none without a letter)."""
    return letter.clauses.order_by("number") if letter else LetterClause.objects.none()


def duty_report_document_list_of(*, assignment: DutyAssignment) -> QuerySet:
    """The sealed versions of the assignment's year-end report, the one in force (the latest) first.

    The caller has found the assignment through `duty_assignment_list_visible_to`: whoever sees an
    assignment sees its issued reports."""
    return (
        DutyReportDocument.objects.filter(assignment=assignment)
        .select_related("issued_by")
        .order_by("-version")
    )


# --- Integrity talks (廉政谈话) --------------------------------------------------------------------------


def talk_list_visible_to(*, user) -> QuerySet[Talk]:
    """Talks the user may open: every talk for the inspection team and the Party Group; else the talks
    they held or were talked to in. For everyone else a talk does not exist."""
    talks = Talk.objects.select_related("kind", "talker", "talked_to", "occurrence__task")
    if not user.is_authenticated or not user.is_active:
        return talks.none()
    if talks_read_everything(user):
        return talks
    return talks.filter(Q(talker=user) | Q(talked_to=user))


def talk_list_to_answer(*, user) -> QuerySet[Talk]:
    """Records of talks held with the user that wait for their confirmation, oldest first (their to-do)."""
    if not user.is_authenticated or not user.is_active:
        return Talk.objects.none()
    return (
        Talk.objects.filter(talked_to=user, status=TalkStatus.RECORDED)
        .select_related("kind", "talker")
        .order_by("recorded_at", "pk")
    )


def talk_list_to_hold(*, user) -> QuerySet[Talk]:
    """The user's planned talks and those whose record met a disagreement, soonest first (their to-do)."""
    if not user.is_authenticated or not user.is_active:
        return Talk.objects.none()
    return (
        Talk.objects.filter(talker=user, status__in=[TalkStatus.PLANNED, TalkStatus.DISPUTED])
        .select_related("kind", "talked_to")
        .order_by("planned_on", "pk")
    )


def talk_kind_list_active() -> QuerySet[TalkKind]:
    return TalkKind.objects.filter(is_active=True).order_by("sort_order", "pk")


def talk_partner_list_for(*, talker) -> QuerySet:
    """Whom `talker` may hold a talk with: for the inspection team and the Party Group, anyone who holds a
    post; for a leader, the holders of posts in the units they oversee or work in, and the units below
    them. Never the talker themself."""
    users = get_user_model().objects.filter(is_active=True, is_machine=False).exclude(pk=talker.pk)
    holders = Post.objects.filter(holder__isnull=False)
    if not talker.has_perm("responsibility.add_talk"):
        own = Post.objects.filter(holder=talker)
        units = set(own.values_list("unit_id", flat=True)) | set(
            own.filter(oversees__isnull=False).values_list("oversees", flat=True)
        )
        holders = holders.filter(unit_id__in=org_tree().subtree(*units))
    return users.filter(pk__in=holders.values("holder_id")).order_by("full_name", "username")


def talk_period_list_for(*, talker) -> QuerySet[TaskOccurrence]:
    """The open duty task periods a talk by `talker` may carry out: their own, of tasks not withdrawn,
    soonest first."""
    return (
        TaskOccurrence.objects.open()
        .filter(responsible=talker, task__assignment__leader=talker)
        .select_related("task__assignment")
        .order_by("due_date", "pk")
    )


def talk_event_list_of(*, talk: Talk) -> QuerySet[DutyEvent]:
    """The talk's history in the duty audit chain, oldest first (one query)."""
    return DutyEvent.objects.filter(subject=f"talk:{talk.pk}").select_related("actor").order_by("sequence")
