"""Supervision by the discipline inspection team: plans, checkpoints, spot-check draws, inspections,
findings and their rectification, the evidence behind them, and the hash-chained inspection audit trail.
"""

import datetime
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from core import clock
from core.appendonly import AppendOnlyModel
from core.audit import CHAIN_FORMAT_MORE_COLUMNS
from core.deadlines import TrafficLight, deadline_light, deadline_q
from responsibility.letters.models.letters import ClauseCategory, LetterClause


class PlanStatus(models.TextChoices):
    OPEN = "open", _("Open")  # checks are being planned, drawn and carried out
    CLOSED = "closed", _("Closed")  # the round is over: nothing new is drawn or recorded


class InspectionPlan(models.Model):
    """A round of supervision checks (监督检查计划): which units may be checked, when, and by whom."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    period_start = models.DateField(_("checks start"))
    period_end = models.DateField(_("checks end"))
    # The population of a spot-check draw.
    scope = models.ManyToManyField(
        "accounts.OrgUnit", verbose_name=_("units in scope"), related_name="inspection_plans"
    )
    # Members of the discipline inspection team who carry out this round.
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("team members"), related_name="inspection_plans"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=PlanStatus.choices, default=PlanStatus.OPEN, editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    # Optimistic locking: every edit increments it; an edit made from an older page is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-year", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["year", "title"], name="inspectionplan_year_title_unique"),
            models.CheckConstraint(
                name="inspectionplan_status_valid", condition=Q(status__in=PlanStatus.values)
            ),
            models.CheckConstraint(
                name="inspectionplan_period_in_order", condition=Q(period_end__gte=models.F("period_start"))
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == PlanStatus.OPEN


class ProblemSourceCode(StrEnum):
    """The codes of the sources every installation has (seeded, with their names, by migration 0022); the
    office may add others. Code says what a source is; its name is only what users read."""

    DEMOCRATIC_LIFE = "democratic_life"  # 民主生活会、组织生活会查摆
    INSPECTION_TOUR = "inspection_tour"  # 巡视巡察反馈
    AUDIT = "audit"  # 审计发现
    ASSIGNED = "assigned"  # 上级督办、交办
    SELF_CHECK = "self_check"  # 自查自纠
    SUPERVISION = "supervision"  # 监督检查: the findings of inspection plans


# The sources every installation has, in their order, with the names users read (data: the office may
# rename them). Seeded by migration 0022, and after every migrate by `problem_sources_ensure`.
BUILTIN_PROBLEM_SOURCES = (
    (ProblemSourceCode.DEMOCRATIC_LIFE, "民主生活会"),
    (ProblemSourceCode.INSPECTION_TOUR, "巡视巡察"),
    (ProblemSourceCode.AUDIT, "审计"),
    (ProblemSourceCode.ASSIGNED, "上级督办"),
    (ProblemSourceCode.SELF_CHECK, "自查"),
    (ProblemSourceCode.SUPERVISION, "监督检查"),
)


class ProblemSource(models.Model):
    """Where problems come from (问题来源). Data, not code: `code` is stable, the name is what users read."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("problem source")
        verbose_name_plural = _("problem sources")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    OPEN = "open", _("Being rectified")  # its problems are being worked on
    RECONCILED = "reconciled", _("Reconciled")  # 对账销号: every problem closed or carried over


class ProblemBatch(models.Model):
    """One list of problems raised together (问题清单), such as 「市委第三巡察组反馈意见」.

    An inspection plan's findings are its batch (source `supervision`, created with the plan): every
    finding belongs to exactly one batch.
    """

    source = models.ForeignKey(
        ProblemSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="batches"
    )
    # Set for the batch of an inspection plan's findings, and only for it.
    plan = models.OneToOneField(
        InspectionPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="batch", editable=False
    )
    title = models.CharField(_("title"), max_length=100)
    raised_on = models.DateField(_("raised on"))
    # The body that raised them (市委第三巡察组, 审计局); an inspection plan's batch leaves it to the plan.
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.OPEN, editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("problem batch")
        verbose_name_plural = _("problem batches")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="problembatch_status_valid", condition=Q(status__in=BatchStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Checkpoint(models.Model):
    """One thing checked in every drawn unit (检查点), against the clauses of the categories it names."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="checkpoints")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=100)
    criterion = models.TextField(_("criterion"), max_length=2000)
    # Clause categories (ClauseCategory values) whose signed clauses this checkpoint checks.
    categories = models.JSONField(_("clause categories"), default=list)
    weight = models.PositiveSmallIntegerField(_("weight"), default=10)
    evidence_required = models.BooleanField(_("evidence required"), default=False)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="checkpoint_number_unique"),
            models.CheckConstraint(
                name="checkpoint_weight_valid", condition=Q(weight__gte=1, weight__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def category_labels(self) -> list[str]:
        return [ClauseCategory(value).label for value in self.categories if value in ClauseCategory.values]


class DrawMode(models.TextChoices):
    COUNT = "count", _("A number of units")
    RATIO = "ratio", _("A percentage of the units")


class SpotCheckDraw(AppendOnlyModel):
    """A reproducible random draw of units and inspectors (双随机). Written once; never changed.

    Everything the algorithm read is stored with it (the population and team snapshots, the
    parameters, the public value and the time), so anyone can run it again and get the same result;
    `result_hash` seals the record and is repeated in the audit chain.
    """

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="draws")
    sequence = models.PositiveSmallIntegerField(_("draw number"))  # 1 for the first draw of the plan
    algorithm = models.CharField(_("algorithm"), max_length=32)
    mode = models.CharField(_("how many"), max_length=8, choices=DrawMode.choices)
    requested = models.PositiveIntegerField(_("number or percentage requested"))
    by_unit_kind = models.BooleanField(_("at least one of each unit kind"), default=False)
    inspectors_per_unit = models.PositiveSmallIntegerField(_("inspectors per unit"), default=2)
    public_value = models.CharField(_("public value"), max_length=64)
    drawn_at = models.DateTimeField(_("drawn at"))
    seed = models.CharField(_("seed"), max_length=64)
    population = models.JSONField(_("population"))  # [{"id", "code", "name", "kind"}], by id
    team = models.JSONField(_("team"))  # [{"id", "name", "units": [unit ids held]}], by id
    excluded = models.JSONField(_("excluded units"))  # [{"id", "reason"}]
    result = models.JSONField(_("result"))  # [{"unit": id, "inspectors": [ids]}], in draw order
    result_hash = models.CharField(_("record SHA-256"), max_length=64)
    reason = models.TextField(_("reason for drawing again"), max_length=1000, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("spot-check draw")
        verbose_name_plural = _("spot-check draws")
        ordering = ["plan", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="spotcheckdraw_sequence_unique"),
            models.CheckConstraint(
                name="spotcheckdraw_redraw_has_reason", condition=Q(sequence=1) | ~Q(reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} #{self.sequence}"


class InspectionStatus(models.TextChoices):
    PENDING = "pending", _("Not started")  # drawn; no result recorded yet
    IN_PROGRESS = "in_progress", _("In progress")  # some checkpoints have a result
    COMPLETED = "completed", _("Completed")  # every checkpoint has a result; the team signed it off
    CANCELLED = "cancelled", _("Cancelled")  # its draw was replaced by a later draw


class Inspection(models.Model):
    """The check of one drawn unit by its assigned inspectors."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="inspections")
    draw = models.ForeignKey(SpotCheckDraw, on_delete=models.PROTECT, related_name="inspections")
    unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="inspections")
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="inspections_assigned"
    )
    position = models.PositiveSmallIntegerField(_("order drawn"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PENDING,
        editable=False,
    )
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["plan", "draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "unit"], name="inspection_unit_once_per_draw"),
            models.CheckConstraint(
                name="inspection_status_valid", condition=Q(status__in=InspectionStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.unit}"

    @property
    def is_completed(self) -> bool:
        return self.status == InspectionStatus.COMPLETED

    @property
    def is_cancelled(self) -> bool:
        return self.status == InspectionStatus.CANCELLED


class CheckOutcome(models.TextChoices):
    CONFORMING = "conforming", _("Conforming")  # 符合
    MOSTLY_CONFORMING = "mostly", _("Mostly conforming")  # 基本符合
    NONCONFORMING = "nonconforming", _("Nonconforming")  # 不符合
    NOT_APPLICABLE = "not_applicable", _("Not applicable")  # 不适用


class CheckResult(models.Model):
    """What the inspectors found for one checkpoint in one inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="results")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="results")
    outcome = models.CharField(_("result"), max_length=16, choices=CheckOutcome.choices)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        ordering = ["inspection", "checkpoint__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "checkpoint"], name="checkresult_once_per_checkpoint"
            ),
            models.CheckConstraint(
                name="checkresult_outcome_valid", condition=Q(outcome__in=CheckOutcome.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.checkpoint.number}: {self.get_outcome_display()}"


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")  # 一般
    MODERATE = "moderate", _("Significant")  # 较重
    SERIOUS = "serious", _("Serious")  # 严重


class Finding(models.Model):
    """A problem found (问题): in which unit, who answers for it, which signed clause it breaches."""

    # The list it was raised in; an inspection's findings are their plan's batch.
    batch = models.ForeignKey(
        ProblemBatch, verbose_name=_("problem list"), on_delete=models.PROTECT, related_name="findings"
    )
    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="findings")
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    check_result = models.ForeignKey(
        CheckResult, on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    number = models.PositiveIntegerField(_("number"))  # 1, 2, 3 … within the plan
    unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="findings"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="findings_responsible",
    )
    # The signed clause it breaches; empty only when the unit has no signed letter to breach.
    clause = models.ForeignKey(
        LetterClause,
        verbose_name=_("clause breached"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    category = models.CharField(_("clause category"), max_length=16, choices=ClauseCategory.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("details"), max_length=4000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=clock.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="finding_number_unique"),
            models.CheckConstraint(name="finding_severity_valid", condition=Q(severity__in=Severity.values)),
            models.CheckConstraint(
                name="finding_category_valid", condition=Q(category__in=ClauseCategory.values)
            ),
        ]
        indexes = [models.Index(fields=["unit", "plan"], name="finding_unit_plan_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """问题编号 such as 2026-3-007: the plan's year, the plan, and the finding's number in the plan."""
        return f"{self.plan.year}-{self.plan_id}-{self.number:03d}"


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Being rectified")  # the owner is working on it (again, after a rejection)
    SUBMITTED = "submitted", _("Submitted for verification")  # the owner reported the fix with evidence
    VERIFIED = "verified", _("Verified")  # an inspector accepted the fix
    CLOSED = "closed", _("Closed (ticked off)")  # 销号: off the ledger


# Rectifications still in the owner's or the team's hands.
UNFINISHED_RECTIFICATION_STATUSES = (RectificationStatus.OPEN, RectificationStatus.SUBMITTED)


def traffic_light(*, status: str, deadline: datetime.date, today: datetime.date) -> TrafficLight:
    """A rectification's light: it is off the clock once verified."""
    return deadline_light(
        finished=status not in UNFINISHED_RECTIFICATION_STATUSES, deadline=deadline, today=today
    )


class RectificationQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=UNFINISHED_RECTIFICATION_STATUSES)

    def overdue(self, today: datetime.date):
        return self.unfinished().filter(deadline_q("deadline", TrafficLight.RED, today=today))

    def due_soon(self, today: datetime.date):
        return self.unfinished().filter(deadline_q("deadline", TrafficLight.YELLOW, today=today))

    def on_track(self, today: datetime.date):
        return self.unfinished().filter(deadline_q("deadline", TrafficLight.GREEN, today=today))

    def with_light(self, light: str, today: datetime.date):
        return {
            TrafficLight.RED: self.overdue,
            TrafficLight.YELLOW: self.due_soon,
            TrafficLight.GREEN: self.on_track,
        }.get(light, lambda today: self.exclude(status__in=UNFINISHED_RECTIFICATION_STATUSES))(today)


class Rectification(models.Model):
    """The fix of one finding (整改): owner, measures, deadline, and its way to 销号."""

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="rectification")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    requirement = models.TextField(_("what must be rectified"), max_length=4000)
    deadline = models.DateField(_("deadline"))
    evidence_required = models.BooleanField(_("evidence required"), default=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
        editable=False,
    )
    # The owner's report: what was done (整改措施) and how it worked out.
    measures = models.TextField(_("measures taken"), max_length=4000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # The inspector's reason the last time a submission was sent back (or a 回头看 reopened it).
    rejection_reason = models.TextField(_("reason sent back"), max_length=1000, blank=True, editable=False)
    times_rejected = models.PositiveSmallIntegerField(_("times sent back"), default=0, editable=False)
    # Ticked off, then found 整改不到位 or 虚假整改 by a 回头看 and opened again: counts against the unit.
    times_reopened = models.PositiveSmallIntegerField(
        _("times reopened by a re-check"), default=0, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Verified or closed: off the owner's clock. Stored by the database from the status, so that the
    # ledger's order (unfinished first, then by deadline) is read from an index, a page at a time.
    finished = models.GeneratedField(
        expression=Case(
            When(status__in=UNFINISHED_RECTIFICATION_STATUSES, then=Value(False)),
            default=Value(True),
            output_field=models.BooleanField(),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["deadline", "pk"]
        permissions = [
            ("verify_rectification", "Can verify and close rectifications"),
        ]
        constraints = [
            models.CheckConstraint(
                name="rectification_status_valid", condition=Q(status__in=RectificationStatus.values)
            ),
            models.CheckConstraint(
                name="rectification_verified_has_time",
                condition=Q(status__in=UNFINISHED_RECTIFICATION_STATUSES) | Q(verified_at__isnull=False),
            ),
            models.CheckConstraint(
                name="rectification_closed_has_time",
                condition=~Q(status=RectificationStatus.CLOSED) | Q(closed_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="rectification_status_due_idx"),
            models.Index(fields=["owner", "status"], name="rectification_owner_idx"),
            # The inspection team's "to verify" list: submitted ones, oldest first, ties by finding.
            models.Index(fields=["status", "submitted_at", "finding"], name="rectification_submitted_idx"),
            # The ledger's order (ledger.ledger_findings_ordered).
            models.Index(fields=["finished", "deadline", "finding"], name="rectification_ledger_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.finding.reference} · {self.get_status_display()}"

    @property
    def is_sent_back(self) -> bool:
        """Open again after the inspection team sent the reported fix back, with its reason."""
        return self.status == RectificationStatus.OPEN and bool(self.rejection_reason)

    def light(self, today: datetime.date | None = None) -> TrafficLight:
        return traffic_light(status=self.status, deadline=self.deadline, today=today or clock.today())


class MeasureStatus(models.TextChoices):
    OPEN = "open", _("Being carried out")  # its owner is working on it (again, after a sending back)
    REPORTED = "reported", _("Reported done")  # its owner reported it done, with evidence when required


class Measure(models.Model):
    """One measure of a problem's rectification (整改措施): what will be done, by whom, by when.

    A problem's rectification is reported when its last open measure is; the rectification's deadline is
    its latest measure's (both kept by the services in supervision.services.rectifications).
    """

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="measures")
    number = models.PositiveSmallIntegerField(_("number"))  # 1, 2, 3 … within the problem
    action = models.TextField(_("measure"), max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="measures"
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.OPEN, editable=False
    )
    # The owner's report: what was done and how it turned out (完成情况).
    report = models.TextField(_("what was done"), max_length=2000, blank=True, editable=False)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("rectification measure")
        verbose_name_plural = _("rectification measures")
        ordering = ["finding", "number"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "number"], name="measure_number_unique"),
            models.CheckConstraint(name="measure_status_valid", condition=Q(status__in=MeasureStatus.values)),
            models.CheckConstraint(
                name="measure_reported_has_time",
                condition=Q(status=MeasureStatus.OPEN) | Q(reported_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"], name="measure_owner_idx")]

    def __str__(self) -> str:
        return f"{self.finding_id}.{self.number} {self.action[:40]}"

    @property
    def is_open(self) -> bool:
        return self.status == MeasureStatus.OPEN

    def light(self, today: datetime.date | None = None) -> TrafficLight:
        return deadline_light(finished=not self.is_open, deadline=self.deadline, today=today or clock.today())


class RecheckOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Rectified as reported")  # 整改到位
    INADEQUATE = "inadequate", _("Not rectified enough")  # 整改不到位
    FALSE = "false", _("False rectification")  # 虚假整改


# Outcomes that open the problem's rectification again and count against its unit.
RECHECK_REOPENING_OUTCOMES = (RecheckOutcome.INADEQUATE, RecheckOutcome.FALSE)


class Recheck(AppendOnlyModel):
    """A 回头看: closed problems drawn at random for re-checking, reproducibly. Written once; never changed.

    As a spot-check draw: everything the draw read is stored with it (the choice of problems, the
    closed problems it held, by id, the public value and the time), so anyone can run it again and get
    the same result; `result_hash` seals the record and is repeated in the audit chain.
    """

    number = models.PositiveIntegerField(_("number"), unique=True)  # 1 for the first 回头看
    title = models.CharField(_("title"), max_length=100)
    algorithm = models.CharField(_("algorithm"), max_length=32)
    # What was drawn from: {"batches": [problem list ids], "closed_from": ISO date or null, "closed_to": …}
    scope = models.JSONField(_("drawn from"))
    requested = models.PositiveIntegerField(_("how many"))
    public_value = models.CharField(_("public value"), max_length=64)
    drawn_at = models.DateTimeField(_("drawn at"))
    seed = models.CharField(_("seed"), max_length=64)
    population = models.JSONField(_("closed problems"))  # [{"id", "reference", "unit"}], by id
    result = models.JSONField(_("result"))  # [finding ids], in draw order
    result_hash = models.CharField(_("record SHA-256"), max_length=64)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("re-check")
        verbose_name_plural = _("re-checks")
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.title


class RecheckResult(AppendOnlyModel):
    """What the re-check of one drawn problem found. Written once; a reopening outcome says why."""

    recheck = models.ForeignKey(Recheck, on_delete=models.PROTECT, related_name="results")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="recheck_results")
    outcome = models.CharField(_("outcome"), max_length=12, choices=RecheckOutcome.choices)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("re-check result")
        verbose_name_plural = _("re-check results")
        ordering = ["recheck", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recheck", "finding"], name="recheckresult_once_per_problem"),
            models.CheckConstraint(
                name="recheckresult_outcome_valid", condition=Q(outcome__in=RecheckOutcome.values)
            ),
            models.CheckConstraint(
                name="recheckresult_reopening_has_reason",
                condition=Q(outcome=RecheckOutcome.CONFIRMED) | ~Q(reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recheck} · {self.finding_id}: {self.get_outcome_display()}"


class InspectionEventKind(models.TextChoices):
    PLAN_CREATED = "plan_created", _("Plan created")
    PLAN_UPDATED = "plan_updated", _("Plan changed")
    PLAN_CLOSED = "plan_closed", _("Plan closed")
    DRAWN = "drawn", _("Units drawn")
    REDRAWN = "redrawn", _("Units drawn again")
    RESULT_RECORDED = "result_recorded", _("Result recorded")
    INSPECTION_COMPLETED = "inspection_completed", _("Inspection completed")
    FINDING_RECORDED = "finding_recorded", _("Finding recorded")
    FINDING_UPDATED = "finding_updated", _("Finding changed")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    MEASURE_ADDED = "measure_added", _("Measure added")
    MEASURE_UPDATED = "measure_updated", _("Measure changed")
    MEASURE_REPORTED = "measure_reported", _("Measure reported done")
    RECHECK_DRAWN = "recheck_drawn", _("Closed problems drawn for a re-check")
    RECHECKED = "rechecked", _("Re-checked")
    SUBMITTED = "submitted", _("Rectification submitted")
    SENT_BACK = "sent_back", _("Sent back for more work")
    VERIFIED = "verified", _("Rectification verified")
    CLOSED = "closed", _("Ticked off the ledger")


class InspectionEvent(AppendOnlyModel):
    """Append-only, hash-chained record of every step of supervision (its own chain beside the letters')."""

    sequence = models.PositiveBigIntegerField(unique=True)
    # The plan the step was in (none for a problem list of another source), and the problem list
    # (问题清单) of a finding's step (format 3: hashed; none before format 3, and for a plan's own steps).
    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    batch = models.ForeignKey(
        ProblemBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    # What the step was about: "draw:3", "inspection:12", "finding:40" (a finding and its rectification).
    subject = models.CharField(_("about"), max_length=40)
    kind = models.CharField(_("action"), max_length=24, choices=InspectionEventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A person's own words (a reason, a summary); what the system knows goes in the payload.
    note = models.TextField(_("note"), blank=True)
    # The event's facts, by kind (supervision.audit says which and reads them out as a sentence).
    payload = models.JSONField(_("details"), default=dict, editable=False)
    # How the event hashes (core.audit): 1 for the events written before payloads, 2 since, 3 since
    # events name their problem list (`batch`).
    chain_format = models.PositiveSmallIntegerField(
        _("chain format"), default=CHAIN_FORMAT_MORE_COLUMNS, editable=False
    )
    # A fingerprint of what the step wrote (the draw's record hash, an evidence file's SHA-256).
    digest = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")
        ordering = ["sequence"]
        indexes = [models.Index(fields=["subject", "sequence"], name="inspectionevent_subject_idx")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.subject} {self.kind}"


class InspectionAuditHead(models.Model):
    """The end of the inspection audit chain, locked while an event is appended."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("inspection audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence} {self.last_hash[:12]}"
