"""Every permission-filtered read. Views never query models without going through here."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from guardian.shortcuts import get_objects_for_user

from accounts.models import OrgUnit, Post
from accounts.selectors import org_unit_subtree_ids
from responsibility.models import (
    ArchiveExport,
    Campaign,
    Checkpoint,
    CheckResult,
    DocumentStatus,
    DutyAssignment,
    EvidenceFile,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    InspectionStatus,
    Letter,
    LetterDocument,
    LetterStatus,
    LetterTemplate,
    Notification,
    PerformanceRecord,
    PlanStatus,
    Rectification,
    RectificationStatus,
    Reminder,
    ReminderPolicy,
    ReviewStatus,
    SpotCheckDraw,
    TaskOccurrence,
    TemplateLevel,
)
from responsibility.models.inspections import DUE_SOON_DAYS
from responsibility.models.letters import LIVE_STATUSES, SIGNED_STATUSES
from responsibility.permissions import (
    ArchiveAction,
    CampaignAction,
    LetterAction,
    PlanAction,
    ReminderAction,
    archive_user_can,
    campaign_user_can,
    duty_reads_everything,
    ledger_user_can_see_all,
    letter_perm,
    plan_user_can,
    reminder_user_can,
    units_answered_for,
    units_of_staff,
)


def letter_list_visible_to(*, user) -> QuerySet[Letter]:
    """Letters the user may open: own, issued or overseen ones; all of them for the office and inspectors."""
    letters = Letter.objects.select_related("campaign", "signer", "issuer", "signer_unit", "signer_post")
    if not user.is_authenticated:
        return letters.none()
    return get_objects_for_user(
        user, letter_perm(LetterAction.VIEW), klass=letters, accept_global_perms=True, with_superuser=True
    )


def letter_list_to_sign(*, user) -> QuerySet[Letter]:
    return letter_list_visible_to(user=user).filter(signer=user, status=LetterStatus.ISSUED)


def letter_list_to_countersign(*, user) -> QuerySet[Letter]:
    return letter_list_visible_to(user=user).filter(issuer=user, status=LetterStatus.SIGNED)


def letter_list_to_revise(*, user) -> QuerySet[Letter]:
    """Returned letters the user issued that still wait for their revision."""
    return letter_list_visible_to(user=user).filter(
        issuer=user, status=LetterStatus.RETURNED, next_version__isnull=True
    )


def letter_list_ready_to_cascade(*, user) -> QuerySet[Letter]:
    """The user's own signed letters in open campaigns, from which they issue letters to their staff."""
    return (
        letter_list_visible_to(user=user)
        .filter(signer=user, status__in=SIGNED_STATUSES, campaign__status="open")
        .annotate(
            children_count=Count("children", filter=Q(children__status__in=[*SIGNED_STATUSES, "issued"]))
        )
    )


def letter_history(*, letter: Letter):
    """All versions of a letter's number, oldest first (the returned ones are kept and shown)."""
    return (
        Letter.objects.filter(campaign_id=letter.campaign_id, number=letter.number)
        .only("pk", "reference", "version", "status", "issued_at", "return_reason")
        .order_by("version")
    )


def campaign_list_visible_to(*, user) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("template")
    if campaign_user_can(user=user, action=CampaignAction.VIEW_PROGRESS):
        return campaigns
    return campaigns.filter(pk__in=letter_list_visible_to(user=user).values("campaign_id"))


@dataclass(frozen=True)
class UnitProgress:
    """Signing progress of one unit in a campaign."""

    unit_id: int
    unit_name: str
    total: int
    signed: int
    waiting: int
    overdue: int
    returned: int

    @property
    def percent(self) -> int:
        return round(100 * self.signed / self.total) if self.total else 0


def campaign_progress_by_unit(
    *, campaign: Campaign, letters: QuerySet[Letter], today: datetime.date
) -> list[UnitProgress]:
    """Counts per signer unit in one aggregate query, whatever the number of letters."""
    overdue = campaign.deadline < today
    rows = (
        letters.filter(campaign=campaign)
        .exclude(status=LetterStatus.VOIDED)
        .exclude(status=LetterStatus.RETURNED, next_version__isnull=False)
        .order_by()
        .values("signer_unit_id", "signer_unit__name", "signer_unit__sort_order", "signer_unit__code")
        .annotate(
            total=Count("pk"),
            signed=Count("pk", filter=Q(status__in=SIGNED_STATUSES)),
            waiting=Count("pk", filter=Q(status=LetterStatus.ISSUED)),
            returned=Count("pk", filter=Q(status=LetterStatus.RETURNED)),
        )
        .order_by("signer_unit__sort_order", "signer_unit__code")
    )
    return [
        UnitProgress(
            unit_id=row["signer_unit_id"],
            unit_name=row["signer_unit__name"],
            total=row["total"],
            signed=row["signed"],
            waiting=row["waiting"],
            overdue=row["waiting"] if overdue else 0,
            returned=row["returned"],
        )
        for row in rows
    ]


def letter_tree(*, campaign: Campaign, letters: QuerySet[Letter], root: Letter | None) -> list[Letter]:
    """Letters of the tree in depth-first order, each with `.depth` (one query).

    Without a root: the top-level letters of the campaign. With a root: that letter and all below it.
    """
    qs = letters.filter(campaign=campaign).exclude(status=LetterStatus.RETURNED, next_version__isnull=False)
    if root is None:
        nodes = list(
            qs.filter(parent__isnull=True)
            .annotate(children_count=Count("children"))
            .order_by("signer_unit__sort_order", "number", "version")
        )
        for node in nodes:
            node.depth = 0
        return nodes
    nodes = list(qs.filter(Q(pk=root.pk) | Q(root=root.root_id or root.pk)).order_by("number", "version"))
    by_parent: dict[int | None, list[Letter]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    ordered: list[Letter] = []

    def walk(node: Letter, depth: int) -> None:
        node.depth = depth
        ordered.append(node)
        for child in by_parent.get(node.pk, []):
            walk(child, depth + 1)

    start = next((node for node in nodes if node.pk == root.pk), None)
    if start is not None:
        walk(start, 0)
    return ordered


def template_list(*, level: str | None = None) -> QuerySet[LetterTemplate]:
    templates = LetterTemplate.objects.select_related("owner_unit").annotate(clause_count=Count("clauses"))
    return templates.filter(level=level) if level else templates


def template_list_for_staff_letters(*, parent: Letter) -> QuerySet[LetterTemplate]:
    """Published unit-level templates a head may use: shared ones and their own unit's."""
    return LetterTemplate.objects.filter(level=TemplateLevel.UNIT, is_published=True).filter(
        Q(owner_unit__isnull=True) | Q(owner_unit_id=parent.signer_unit_id)
    )


def post_list_staff_for(*, parent: Letter) -> QuerySet[Post]:
    """Posts in the head's unit (and the sections below it) who could receive a letter from the head."""
    units = org_unit_subtree_ids(unit_id=parent.signer_unit_id)
    return (
        Post.objects.held()
        .filter(unit_id__in=units)
        .exclude(holder_id=parent.signer_id)
        .select_related("holder", "unit")
        .order_by("unit__sort_order", "sort_order", "pk")
    )


def post_list_signers(
    *, kinds: list[str] | None = None, units: list[OrgUnit] | None = None
) -> QuerySet[Post]:
    posts = Post.objects.held().select_related("holder", "unit")
    if kinds:
        posts = posts.filter(kind__in=kinds)
    if units:
        posts = posts.filter(unit__in=units)
    return posts


def post_ids_with_letter(*, campaign: Campaign, posts: QuerySet[Post]) -> set[int]:
    """Which of these posts already hold a letter in force in the campaign."""
    return set(
        Letter.objects.live()
        .filter(campaign=campaign, signer_post__in=posts)
        .values_list("signer_post_id", flat=True)
    )


@dataclass(frozen=True)
class CampaignProgress:
    """Signing progress of one campaign over the letters the user may see."""

    total: int = 0
    signed: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.signed / self.total) if self.total else 0


def campaign_progress_totals(
    *, campaign_ids: list[int], letters: QuerySet[Letter]
) -> dict[int, CampaignProgress]:
    """Signed and total letters for a page of campaigns in one aggregate query (same counting as by unit)."""
    rows = (
        letters.filter(campaign_id__in=campaign_ids)
        .exclude(status=LetterStatus.VOIDED)
        .exclude(status=LetterStatus.RETURNED, next_version__isnull=False)
        .order_by()
        .values("campaign_id")
        .annotate(total=Count("pk"), signed=Count("pk", filter=Q(status__in=SIGNED_STATUSES)))
    )
    return {row["campaign_id"]: CampaignProgress(total=row["total"], signed=row["signed"]) for row in rows}


# --- Letter PDFs and the archive -----------------------------------------------------------------

# The states in which a letter is in force or filed: the ones the archive shows and exports.
ARCHIVE_STATUSES = (LetterStatus.COUNTERSIGNED, LetterStatus.ARCHIVED)


def letter_document_for(*, letter: Letter) -> LetterDocument | None:
    """The letter's sealed PDF record, if one was requested (from countersigning on)."""
    return LetterDocument.objects.filter(letter_id=letter.pk).first()


def letter_document_get_visible(*, user) -> QuerySet[LetterDocument]:
    """PDF records of the letters the user may open."""
    return LetterDocument.objects.select_related("letter").filter(
        letter__in=letter_list_visible_to(user=user).values("pk")
    )


def letter_list_archived(
    *,
    user,
    year: int | None = None,
    campaign_id: int | None = None,
    unit_id: int | None = None,
    q: str = "",
    state: str = "",
) -> QuerySet[Letter]:
    """Countersigned and archived letters whose sealed PDF is ready, for those who may browse the archive.

    A unit includes the sections below it; `q` searches the signer's name and the letter number.
    """
    if not archive_user_can(user=user, action=ArchiveAction.BROWSE):
        return Letter.objects.none()
    letters = (
        letter_list_visible_to(user=user)
        .filter(status__in=ARCHIVE_STATUSES, document__status=DocumentStatus.READY)
        .select_related("document")
    )
    if year:
        letters = letters.filter(campaign__year=year)
    if campaign_id:
        letters = letters.filter(campaign_id=campaign_id)
    if unit_id:
        letters = letters.filter(signer_unit_id__in=org_unit_subtree_ids(unit_id=unit_id))
    if q:
        letters = letters.filter(Q(signer__full_name__icontains=q) | Q(reference__icontains=q))
    if state in ARCHIVE_STATUSES:
        letters = letters.filter(status=state)
    return letters.order_by("-campaign__year", "signer_unit__sort_order", "number", "version")


def archive_years(*, user) -> list[int]:
    """The campaign years the archive filter offers."""
    if not archive_user_can(user=user, action=ArchiveAction.BROWSE):
        return []
    return list(Campaign.objects.order_by("-year").values_list("year", flat=True).distinct())


def org_unit_list_for_archive() -> QuerySet[OrgUnit]:
    """Every unit, active or not: the archive keeps the letters of units that have since closed."""
    return OrgUnit.objects.order_by("sort_order", "code")


def letter_document_list_unfinished(*, user) -> QuerySet[LetterDocument]:
    """PDFs of letters in force that are not ready: failed ones first, for the office to retry."""
    if not archive_user_can(user=user, action=ArchiveAction.RETRY_DOCUMENT):
        return LetterDocument.objects.none()
    return (
        LetterDocument.objects.exclude(status=DocumentStatus.READY)
        .filter(letter__status__in=ARCHIVE_STATUSES)
        .select_related("letter", "letter__signer", "letter__signer_unit")
        .order_by("status", "requested_at", "pk")  # "failed" sorts before "pending"
    )


def archive_export_list_visible_to(*, user) -> QuerySet[ArchiveExport]:
    """Batch prints are the office's: every office administrator sees all of them."""
    if not archive_user_can(user=user, action=ArchiveAction.EXPORT):
        return ArchiveExport.objects.none()
    return ArchiveExport.objects.select_related("campaign", "requested_by")


def archive_export_documents(
    *, campaign: Campaign, unit_ids: list[int] | None = None
) -> QuerySet[LetterDocument]:
    """The ready sealed PDFs of a campaign's letters in force, in print order (unit, then number).

    Units include the sections below them. No permission filter: the export was checked when requested.
    """
    documents = LetterDocument.objects.filter(
        status=DocumentStatus.READY, letter__campaign=campaign, letter__status__in=ARCHIVE_STATUSES
    )
    if unit_ids:
        documents = documents.filter(letter__signer_unit_id__in=_unit_subtrees(unit_ids))
    return documents.select_related("letter", "letter__signer", "letter__signer_unit").order_by(
        "letter__signer_unit__sort_order", "letter__signer_unit__code", "letter__number", "letter__version"
    )


# --- Reminders and notifications ---------------------------------------------------------------


def notification_list_for(*, user) -> QuerySet[Notification]:
    """The user's own messages, newest first (nobody sees anybody else's)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def notification_unread_count(*, user) -> int:
    """The bell's number: one query."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def reminder_list_visible_to(*, user) -> QuerySet[Reminder]:
    """The reminder log: the office administrator's; nothing for anybody else."""
    if not reminder_user_can(user=user, action=ReminderAction.VIEW):
        return Reminder.objects.none()
    return Reminder.objects.select_related("recipient", "campaign", "resent_by").order_by("-due_at", "-pk")


def reminder_findings_of(*, user, reminders) -> dict[int, Finding]:
    """The findings that rectification reminders are about, by rectification id (one query, or none)."""
    ids = {reminder.object_id for reminder in reminders if reminder.object_kind == "rectification"}
    ids.discard(None)
    if not ids:
        return {}
    findings = finding_list_visible_to(user=user).filter(rectification__pk__in=ids)
    return {finding.rectification.pk: finding for finding in findings}


def reminder_occurrences_of(*, user, reminders) -> dict[int, TaskOccurrence]:
    """The duty task periods that duty reminders are about, by occurrence id, among the assignments the
    user may open (one query, or none)."""
    ids = {reminder.object_id for reminder in reminders if reminder.object_kind == "occurrence"}
    ids.discard(None)
    if not ids:
        return {}
    occurrences = TaskOccurrence.objects.filter(
        pk__in=ids, task__assignment__in=duty_assignment_list_visible_to(user=user).values("pk")
    ).select_related("task__assignment__post__unit")
    return {occurrence.pk: occurrence for occurrence in occurrences}


def reminder_policy_for(*, campaign: Campaign) -> ReminderPolicy:
    """The campaign's reminder rules; the defaults (unsaved) if it has none of its own."""
    return ReminderPolicy.objects.filter(campaign=campaign).first() or ReminderPolicy(campaign=campaign)


def archive_export_missing_count(*, campaign: Campaign, unit_ids: list[int] | None = None) -> int:
    """Letters in force in the selection whose sealed PDF is not ready (an export leaves them out)."""
    letters = Letter.objects.filter(campaign=campaign, status__in=ARCHIVE_STATUSES).exclude(
        document__status=DocumentStatus.READY
    )
    if unit_ids:
        letters = letters.filter(signer_unit_id__in=_unit_subtrees(unit_ids))
    return letters.count()


def _unit_subtrees(unit_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for unit_id in unit_ids:
        found |= org_unit_subtree_ids(unit_id=unit_id)
    return found


# --- Supervision: plans, draws, inspections, findings, rectifications ----------------------------


def plan_list_visible_to(*, user) -> QuerySet:
    """Plans the user may open: all of them for the inspection team, the office and the Party Group."""
    if not plan_user_can(user=user, action=PlanAction.VIEW):
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


def finding_list_visible_to(*, user) -> QuerySet:
    """Findings the user may open: every one for readers of the whole ledger; else those they answer for.

    A unit head answers for their unit and the units below it; an owner or responsible person for theirs.
    """
    findings = Finding.objects.select_related(
        "plan", "unit", "responsible", "rectification", "rectification__owner", "clause", "clause__letter"
    )
    if not user.is_authenticated or not user.is_active:
        return findings.none()
    if ledger_user_can_see_all(user=user):
        return findings
    # Each term on a column of the finding (the owner through a subquery, not the join): SQLite then
    # reads the user's rows by index instead of scanning every finding (PostgreSQL still scans them;
    # README, Speed).
    owned = Rectification.objects.filter(owner=user).values("finding_id")
    return findings.filter(Q(unit_id__in=units_answered_for(user)) | Q(pk__in=owned) | Q(responsible=user))


def rectification_list_awaiting(*, user) -> QuerySet:
    """Open rectifications the user may report: as owner, or as head of the unit or a unit above it."""
    return (
        finding_list_visible_to(user=user)
        .filter(rectification__status=RectificationStatus.OPEN)
        .filter(Q(rectification__owner=user) | Q(unit_id__in=units_answered_for(user)))
        .order_by("rectification__deadline", "pk")
    )


def rectification_list_to_verify(*, user) -> QuerySet:
    """Submitted rectifications in plans whose team the user is on (their to-do)."""
    return (
        finding_list_visible_to(user=user)
        .filter(rectification__status=RectificationStatus.SUBMITTED, plan__team=user)
        .order_by("rectification__submitted_at", "pk")
    )


def inspection_events_of(*, subject: str) -> QuerySet:
    return InspectionEvent.objects.filter(subject=subject).select_related("actor").order_by("sequence")


def evidence_get_visible(*, user, pk: int):
    """An evidence file the user may download (they may see the record it belongs to), or None."""
    evidence = (
        EvidenceFile.objects.select_related("check_result__inspection", "finding", "rectification__finding")
        .filter(pk=pk)
        .first()
    )
    if evidence is None:
        return None
    if evidence.performance_record_id is not None:
        visible = duty_assignment_list_visible_to(user=user).filter(
            tasks__occurrences__records=evidence.performance_record_id
        )
    elif evidence.check_result_id is not None:
        visible = inspection_list_visible_to(user=user).filter(pk=evidence.check_result.inspection_id)
    else:
        finding_id = evidence.finding_id or evidence.rectification.finding_id
        visible = finding_list_visible_to(user=user).filter(pk=finding_id)
    return evidence if visible.exists() else None


def checkpoint_list_visible_to(*, user) -> QuerySet:
    """Checkpoints of the plans the user may open."""
    return Checkpoint.objects.filter(plan__in=plan_list_visible_to(user=user)).select_related("plan")


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


def occurrence_list_due_for(*, user) -> QuerySet:
    """Open task periods the user answers for, soonest first (their to-do)."""
    return (
        TaskOccurrence.objects.open()
        .filter(responsible=user, task__assignment__leader=user)
        .select_related("task", "task__assignment")
        .order_by("due_date", "pk")
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
    """Conditional counts over assignments' task periods to annotate with (one query, any number)."""
    done = Q(tasks__occurrences__done_at__isnull=False)
    open_ = Q(tasks__occurrences__done_at__isnull=True)
    return {
        "periods_total": Count(_OCCURRENCES),
        "periods_done": Count(_OCCURRENCES, filter=done),
        "periods_due": Count(_OCCURRENCES, filter=Q(tasks__occurrences__due_date__lte=today)),
        "periods_overdue": Count(_OCCURRENCES, filter=open_ & Q(tasks__occurrences__due_date__lt=today)),
        "periods_due_soon": Count(
            _OCCURRENCES,
            filter=open_
            & Q(
                tasks__occurrences__due_date__gte=today,
                tasks__occurrences__due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
            ),
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


def duty_progress_by_unit(*, assignments: QuerySet, today: datetime.date) -> list[dict]:
    """Per unit of the leaders' posts: leaders, periods done, overdue and in all (one query)."""
    counts = duty_progress_counts(today=today)
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


def _count_of(queryset, *, field: str):
    """A correlated COUNT(*) of `queryset` rows whose `field` is the outer row (0 when none)."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def plan_list_with_counts(*, plans: QuerySet) -> QuerySet:
    """The plans with their units in scope, live inspections and findings counted (no extra query)."""
    return plans.annotate(
        units_count=_count_of(InspectionPlan.scope.through.objects.all(), field="inspectionplan"),
        inspections_count=_count_of(
            Inspection.objects.exclude(status=InspectionStatus.CANCELLED), field="plan"
        ),
        findings_count=_count_of(Finding.objects.all(), field="plan"),
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
            results_count=_count_of(CheckResult.objects.all(), field="inspection"),
            findings_count=_count_of(Finding.objects.all(), field="inspection"),
        )
        .order_by("position")
    )
