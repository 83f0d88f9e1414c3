"""One post, two responsibilities (一岗双责): each leader's duties for a year, broken into tasks that
recur by period, the performance records (履责纪实) that show they were carried out, the integrity talks
(廉政谈话) leaders hold and the people talked to confirm, and the hash-chained duty audit trail of every
change to them.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.appendonly import AppendOnlyModel
from core.audit import CHAIN_FORMAT_CURRENT, event_digest
from core.deadlines import TrafficLight, deadline_light, deadline_q
from core.sealed_reports import SealedReportDocument, sealed_report_constraints
from responsibility.letters.models.letters import LetterClause


class AssignmentStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting the leader's confirmation")  # generated or adjusted by the office
    CONFIRMED = "confirmed", _("Confirmed by the leader")


class DutyAssignment(models.Model):
    """A leading post's double duty for one year (一岗双责分工): what it leads, and the integrity duties."""

    year = models.PositiveSmallIntegerField(_("year"))
    post = models.ForeignKey(
        "accounts.Post", verbose_name=_("post"), on_delete=models.PROTECT, related_name="duty_assignments"
    )
    # The post's holder now; changed by a handover (the earlier holder's records stay theirs).
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="duty_assignments",
    )
    # 分管: the units whose business and integrity work the leader leads (from the post, adjustable).
    oversees = models.ManyToManyField(
        "accounts.OrgUnit", verbose_name=_("units overseen"), blank=True, related_name="duty_assignments"
    )
    business_areas = models.TextField(_("business work led"), max_length=2000, blank=True)
    integrity_duties = models.TextField(_("integrity duties"), max_length=4000, blank=True)
    # The clauses of the leader's letter these duties carry out.
    clauses = models.ManyToManyField(
        LetterClause, verbose_name=_("letter clauses"), blank=True, related_name="duty_assignments"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.DRAFT,
        editable=False,
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty assignments")
        ordering = ["-year", "post__unit__sort_order", "post__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "year"], name="dutyassignment_one_per_post_year"),
            models.CheckConstraint(
                name="dutyassignment_status_valid", condition=Q(status__in=AssignmentStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.post} {self.leader}"


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once")
    QUARTERLY = "quarterly", _("Every quarter")
    HALF_YEARLY = "half_yearly", _("Every half year")
    YEARLY = "yearly", _("Once a year, by year end")
    TIMES_A_YEAR = "times_a_year", _("N times a year")


class DutyTaskTemplate(models.Model):
    """A common task added to every leader's assignment when the year's assignments are generated."""

    title = models.CharField(_("title"), max_length=100, unique=True)
    description = models.TextField(_("what is to be done"), max_length=2000, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=16, choices=Recurrence.choices)
    times_a_year = models.PositiveSmallIntegerField(_("times a year"), null=True, blank=True)
    # For "once": the day of the year it is due, as month and day.
    due_month = models.PositiveSmallIntegerField(_("due month"), null=True, blank=True)
    due_day = models.PositiveSmallIntegerField(_("due day"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("common duty task")
        verbose_name_plural = _("common duty tasks")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.title


class DutyTask(models.Model):
    """A concrete task of an assignment (履责任务), recurring by period; one occurrence per period.

    A task is never deleted: one set by mistake is withdrawn with a reason (while no record is kept for
    it), stays on the assignment's page greyed, and its periods are no longer open work.
    """

    assignment = models.ForeignKey(DutyAssignment, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("what is to be done"), max_length=2000, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=16, choices=Recurrence.choices)
    times_a_year = models.PositiveSmallIntegerField(_("times a year"), null=True, blank=True)
    due_date = models.DateField(_("due date (once)"), null=True, blank=True)
    clause = models.ForeignKey(
        LetterClause,
        verbose_name=_("letter clause"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_tasks",
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    # Set together by duty_task_withdraw: when, by whom and why the task was withdrawn.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    withdrawal_reason = models.TextField(_("reason withdrawn"), max_length=1000, blank=True, editable=False)

    class Meta:
        verbose_name = _("duty task")
        verbose_name_plural = _("duty tasks")
        ordering = ["assignment", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="dutytask_recurrence_valid", condition=Q(recurrence__in=Recurrence.values)
            ),
            models.CheckConstraint(
                name="dutytask_once_has_date",
                condition=~Q(recurrence=Recurrence.ONCE) | Q(due_date__isnull=False),
            ),
            models.CheckConstraint(
                name="dutytask_times_given",
                condition=~Q(recurrence=Recurrence.TIMES_A_YEAR) | Q(times_a_year__isnull=False),
            ),
            models.CheckConstraint(
                name="dutytask_withdrawal_complete",
                condition=Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawal_reason="")
                | (Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False) & ~Q(withdrawal_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class OccurrenceQuerySet(models.QuerySet):
    def open(self):
        """Open work: not done, and of a task that was not withdrawn."""
        return self.filter(done_at__isnull=True, task__withdrawn_at__isnull=True)

    def overdue(self, today: datetime.date):
        return self.open().filter(deadline_q("due_date", TrafficLight.RED, today=today))

    def due_soon(self, today: datetime.date):
        return self.open().filter(deadline_q("due_date", TrafficLight.YELLOW, today=today))


class TaskOccurrence(models.Model):
    """One period of a task (e.g. the second quarter), due on a date, done once a record is kept.

    The periods of a withdrawn task stay, but are withdrawn with it: never open, reminded or overdue.
    """

    task = models.ForeignKey(DutyTask, on_delete=models.CASCADE, related_name="occurrences")
    sequence = models.PositiveSmallIntegerField(_("period"))  # 1, 2, 3 … within the year
    period_start = models.DateField(_("period start"))
    due_date = models.DateField(_("due date"))
    # Who answers for it: the post's holder; moves to the new holder at a handover while it is open.
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        related_name="task_occurrences",
    )
    # Set when a performance record is kept for it (cleared if every record is returned).
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("task occurrence")
        verbose_name_plural = _("task occurrences")
        ordering = ["due_date", "task", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["task", "sequence"], name="taskoccurrence_one_per_period"),
        ]
        indexes = [
            models.Index(fields=["responsible", "due_date"], name="occurrence_responsible_idx"),
            models.Index(
                fields=["due_date"], condition=Q(done_at__isnull=True), name="occurrence_open_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.sequence} ({self.due_date})"

    def light(self, today: datetime.date | None = None) -> TrafficLight:
        """The same lights as rectifications: done, red past due, yellow within 7 days, green."""
        return deadline_light(
            finished=self.done_at is not None, deadline=self.due_date, today=today or clock.today()
        )


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")  # the inspection team asks for more; the reason is recorded


class PerformanceRecord(models.Model):
    """What the leader did for a task's period (履责纪实): when, what, with whom, and the evidence."""

    occurrence = models.ForeignKey(TaskOccurrence, on_delete=models.PROTECT, related_name="records")
    performed_on = models.DateField(_("date"))
    summary = models.TextField(_("what was done"), max_length=4000)
    participants = models.CharField(_("participants"), max_length=500, blank=True)
    # The records stay with whoever kept them, whoever holds the post later.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="performance_records"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)
    review_status = models.CharField(
        _("review"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.PENDING, editable=False
    )
    review_reason = models.TextField(_("reason returned"), max_length=1000, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Kept by the system when the person talked to confirmed a talk planned for this period: the talk is
    # the record's evidence (its points stay on the talk, which only its parties and readers see).
    talk = models.OneToOneField(
        "Talk",
        verbose_name=_("integrity talk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="performance_record",
        editable=False,
    )

    class Meta:
        verbose_name = _("performance record")
        verbose_name_plural = _("performance records")
        ordering = ["performed_on", "pk"]
        permissions = [("review_performancerecord", "Can review performance records")]
        indexes = [
            # The inspection team's "to review" list: pending records, oldest first.
            models.Index(fields=["review_status", "recorded_at"], name="record_review_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="performancerecord_review_valid", condition=Q(review_status__in=ReviewStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurrence} · {self.performed_on}"

    @property
    def is_returned(self) -> bool:
        return self.review_status == ReviewStatus.RETURNED


class PostHandover(models.Model):
    """A post changed holder mid-year: the open tasks moved to the new holder on that day."""

    post = models.ForeignKey("accounts.Post", on_delete=models.PROTECT, related_name="handovers")
    previous_holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    new_holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handed_over_on = models.DateField(_("handover date"))
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurrences_moved = models.PositiveIntegerField(_("open task periods moved"), default=0)
    new_letter = models.ForeignKey(
        "responsibility.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-handed_over_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.post}: {self.previous_holder} → {self.new_holder} ({self.handed_over_on})"


class DutyEventKind(models.TextChoices):
    ASSIGNMENT_GENERATED = "assignment_generated", _("Assignment generated")
    ASSIGNMENT_UPDATED = "assignment_updated", _("Assignment changed")
    ASSIGNMENT_CONFIRMED = "assignment_confirmed", _("Assignment confirmed")
    TASK_CREATED = "task_created", _("Task added")
    TASK_WITHDRAWN = "task_withdrawn", _("Task withdrawn")
    RECORD_CREATED = "record_created", _("Performance record kept")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    RECORD_ACCEPTED = "record_accepted", _("Performance record accepted")
    RECORD_RETURNED = "record_returned", _("Performance record returned")
    HANDED_OVER = "handed_over", _("Post handed over")
    REPORT_ISSUED = "report_issued", _("Year-end report issued")
    TALK_PLANNED = "talk_planned", _("Talk planned")
    TALK_RECORDED = "talk_recorded", _("Talk recorded")
    TALK_CONFIRMED = "talk_confirmed", _("Talk record confirmed")
    TALK_DISPUTED = "talk_disputed", _("Disagreement with a talk record")
    TALK_CANCELLED = "talk_cancelled", _("Talk cancelled")


class DutyEvent(AppendOnlyModel):
    """Append-only, hash-chained record of every change to 一岗双责 (its own chain beside the others)."""

    sequence = models.PositiveBigIntegerField(unique=True)
    # Empty for a talk (its history is on its own page, which fewer people read) and for a handover of a
    # post that has no assignment in or after the handover's year.
    assignment = models.ForeignKey(
        DutyAssignment, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    # What the step was about: "assignment:3", "task:12", "record:7", "handover:2", "talk:5".
    subject = models.CharField(_("about"), max_length=40)
    kind = models.CharField(_("action"), max_length=24, choices=DutyEventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A person's own words (a reason, what was done); what the system knows goes in the payload.
    note = models.TextField(_("note"), blank=True)
    # The event's facts, by kind (duties.audit says which and reads them out as a sentence).
    payload = models.JSONField(_("details"), default=dict, editable=False)
    # How the event hashes (core.audit): always the current format, payloads included.
    chain_format = models.PositiveSmallIntegerField(
        _("chain format"), default=CHAIN_FORMAT_CURRENT, editable=False
    )
    # A fingerprint of what the step wrote (an evidence file's SHA-256).
    digest = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("duty event")
        verbose_name_plural = _("duty events")
        ordering = ["sequence"]
        indexes = [
            # An assignment's history, in order.
            models.Index(fields=["assignment", "sequence"], name="dutyevent_assignment_idx"),
            # A talk's history (events about "talk:<id>"), in order.
            models.Index(fields=["subject", "sequence"], name="dutyevent_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.subject} {self.kind}"


class DutyAuditHead(models.Model):
    """The end of the duty audit chain, locked while an event is appended."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("duty audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence} {self.last_hash[:12]}"


class DutyReportDocument(SealedReportDocument):
    """A sealed year-end report (年度履职报告) of one assignment: rendered once, sealed, stored with its
    SHA-256 and the verification code printed on it, and never changed or deleted (core.sealed_reports).

    Issuing the report again adds the next version (1, 2, …): the latest version is the one in force, each
    earlier one is superseded by it. Its issuing is the `report_issued` event in the duty audit chain.
    """

    assignment = models.ForeignKey(
        DutyAssignment,
        verbose_name=_("assignment"),
        on_delete=models.PROTECT,
        related_name="report_documents",
    )
    file = models.FileField(_("PDF file"), upload_to="duty-reports/%Y/", editable=False)

    class Meta:
        verbose_name = _("sealed year-end report")
        verbose_name_plural = _("sealed year-end reports")
        ordering = ["assignment", "-version"]
        constraints = sealed_report_constraints("dutyreportdocument", "assignment")

    def __str__(self) -> str:
        return f"{self.assignment} · v{self.version} · {self.verification_code}"

    @property
    def reference(self) -> str:
        """履责〔2026〕12号: the report's number, the same for every version of one assignment's report."""
        return duty_report_reference(year=self.assignment.year, assignment_id=self.assignment_id)


def duty_report_reference(*, year: int, assignment_id: int) -> str:
    return f"履责〔{year}〕{assignment_id}号"


def duty_report_title(year: int) -> str:
    """The report's title, as printed on it and shown on the verification page (Chinese: a document's)."""
    return f"{year}年度履行党风廉政建设“一岗双责”情况报告"


# --- Integrity talks (廉政谈话) --------------------------------------------------------------------------


class TalkKind(models.Model):
    """A kind of integrity talk, kept as data (任职廉政谈话, 日常廉政谈话, 提醒谈话, 约谈): the office adds or
    retires kinds; a retired kind stays on the talks that used it."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("kind of talk")
        verbose_name_plural = _("kinds of talk")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class TalkStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RECORDED = "recorded", _("Awaiting confirmation")  # the talker wrote the record; the other confirms
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disagreement recorded")  # the talker may write the record again
    CANCELLED = "cancelled", _("Cancelled")  # a planned talk that will not be held; the reason is recorded


class Talk(models.Model):
    """An integrity talk (廉政谈话): planned by the leader who holds it (谈话人), from a duty task's period or
    on its own, then recorded (when, where, the points raised, the commitments made) and confirmed online
    by the person talked to (谈话对象) with the same re-authentication as signing, or answered with a
    disagreement, after which the talker may write the record again.

    Only the two parties, the inspection team and the Party Group read it (duties.permissions). Every step
    is an event of the duty audit chain about "talk:<id>", whose digest is the SHA-256 of the record as it
    stood (`record_digest`): a record changed outside the services shows there.
    """

    kind = models.ForeignKey(TalkKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="talks")
    talker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("talker"),
        on_delete=models.PROTECT,
        related_name="talks_held",
    )
    talked_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person talked to"),
        on_delete=models.PROTECT,
        related_name="talks_received",
    )
    # The duty task's period the talk carries out (its confirmation keeps the period's record), if any.
    occurrence = models.ForeignKey(
        TaskOccurrence,
        verbose_name=_("duty task period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="talks",
    )
    planned_on = models.DateField(_("planned date"))
    purpose = models.CharField(_("purpose"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TalkStatus.choices, default=TalkStatus.PLANNED, editable=False
    )
    # The record, written by the talker (empty while planned).
    held_on = models.DateField(_("date held"), null=True, blank=True, editable=False)
    place = models.CharField(_("place"), max_length=100, blank=True, editable=False)
    points = models.TextField(_("points raised"), max_length=4000, blank=True, editable=False)
    commitments = models.TextField(_("commitments made"), max_length=4000, blank=True, editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True, editable=False)
    # The day the person talked to is asked to answer by (reminded until then, and after).
    answer_due = models.DateField(_("answer due"), null=True, blank=True, editable=False)
    # The answer of the person talked to: confirmed, or a disagreement in their words, with how they proved
    # it was them (as a signature does).
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    disagreement = models.TextField(_("disagreement"), max_length=2000, blank=True, editable=False)
    reauthenticated_at = models.DateTimeField(
        _("identity confirmed at"), null=True, blank=True, editable=False
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True, editable=False)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True, editable=False)
    cancel_reason = models.CharField(_("reason cancelled"), max_length=500, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("integrity talk")
        verbose_name_plural = _("integrity talks")
        ordering = ["-planned_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="talk_status_valid", condition=Q(status__in=TalkStatus.values)),
            models.CheckConstraint(name="talk_not_with_oneself", condition=~Q(talker=models.F("talked_to"))),
            models.CheckConstraint(
                name="talk_recorded_has_record",
                condition=Q(status__in=[TalkStatus.PLANNED, TalkStatus.CANCELLED])
                | (Q(held_on__isnull=False, recorded_at__isnull=False) & ~Q(points="")),
            ),
            models.CheckConstraint(
                name="talk_answered_has_answer",
                condition=~Q(status__in=[TalkStatus.CONFIRMED, TalkStatus.DISPUTED])
                | Q(answered_at__isnull=False, reauthenticated_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["talker", "-planned_on"], name="talk_talker_idx"),
            models.Index(fields=["talked_to", "status"], name="talk_talked_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.talker} → {self.talked_to} ({self.planned_on})"

    def record_digest(self) -> str:
        """SHA-256 of the record as it stands (what both parties read): kind, parties, date, place, points
        and commitments, as canonical JSON. The events of recording and answering carry it."""
        record = {
            "kind": self.kind.name,
            "talker": self.talker_id,
            "talked_to": self.talked_to_id,
            "held_on": self.held_on.isoformat() if self.held_on else None,
            "place": self.place,
            "points": self.points,
            "commitments": self.commitments,
        }
        return event_digest(record)

    @property
    def is_open(self) -> bool:
        """Still to be held, recorded or answered."""
        return self.status in (TalkStatus.PLANNED, TalkStatus.RECORDED, TalkStatus.DISPUTED)
