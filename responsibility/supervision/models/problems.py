"""Problems (问题) of every source: sources, problem lists, findings, their rectification and measures, and
the re-checks (回头看) of closed ones."""

import datetime
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from core import clock
from core.appendonly import AppendOnlyModel
from core.deadlines import TrafficLight, deadline_light, deadline_q
from core.sealed_reports import SealedReportDocument, sealed_report_constraints
from responsibility.letters.models.letters import ClauseCategory, LetterClause
from responsibility.supervision.models.inspections import CheckResult, Inspection, InspectionPlan


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
    # The year the list is for (年度): a plan's year; the year of the meeting, visit or audit otherwise.
    year = models.PositiveSmallIntegerField(_("year"))
    raised_on = models.DateField(_("raised on"))
    # The body that raised them (市委第三巡察组, 审计局); an inspection plan's batch leaves it to the plan.
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.OPEN, editable=False
    )
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True, editable=False)
    reconciled_by = models.ForeignKey(
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
        verbose_name = _("problem batch")
        verbose_name_plural = _("problem batches")
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="problembatch_status_valid", condition=Q(status__in=BatchStatus.values)
            ),
            models.CheckConstraint(
                name="problembatch_reconciled_has_time",
                condition=~Q(status=BatchStatus.RECONCILED) | Q(reconciled_at__isnull=False),
            ),
            # One list by a title for a source and year (a second submit of the same form opens nothing).
            models.UniqueConstraint(fields=["source", "year", "title"], name="problembatch_title_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == BatchStatus.OPEN


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")  # 一般
    MODERATE = "moderate", _("Significant")  # 较重
    SERIOUS = "serious", _("Serious")  # 严重


class Finding(models.Model):
    """A problem (问题) of any source: in which unit, who answers for it, what it concerns.

    Every problem is in one list (`batch`); a problem an inspection found also names its plan and
    inspection (and the checkpoint result, when one showed it), and the signed clause it breaches.
    """

    # The list it was raised in; an inspection's findings are their plan's batch.
    batch = models.ForeignKey(
        ProblemBatch, verbose_name=_("problem list"), on_delete=models.PROTECT, related_name="findings"
    )
    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    check_result = models.ForeignKey(
        CheckResult, on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    number = models.PositiveIntegerField(_("number"))  # 1, 2, 3 … within the list (a plan's: the plan)
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
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="finding_number_in_batch_unique"),
            # Found by an inspection (plan and inspection), or raised in a list of another source (neither).
            models.CheckConstraint(
                name="finding_inspection_with_plan",
                condition=Q(plan__isnull=True, inspection__isnull=True, check_result__isnull=True)
                | Q(plan__isnull=False, inspection__isnull=False),
            ),
            models.CheckConstraint(name="finding_severity_valid", condition=Q(severity__in=Severity.values)),
            models.CheckConstraint(
                name="finding_category_valid", condition=Q(category__in=ClauseCategory.values)
            ),
        ]
        indexes = [models.Index(fields=["unit", "batch"], name="finding_unit_batch_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """问题编号: 2026-3-007 for an inspection's (the plan's year, the plan, the number in it),
        2026-清5-007 for a list of another source (the list's year, 清 and the list, the number in it):
        no Latin letter on a Chinese page."""
        return problem_reference(
            year=self.plan.year if self.plan_id else self.batch.year,
            plan_id=self.plan_id,
            batch_id=self.batch_id,
            number=self.number,
        )

    @property
    def is_from_inspection(self) -> bool:
        return self.plan_id is not None


def problem_reference(*, year: int, plan_id: int | None, batch_id: int, number: int) -> str:
    """A problem's number as people quote it (`Finding.reference`); the plan's form stays as it was."""
    if plan_id is not None:
        return f"{year}-{plan_id}-{number:03d}"
    return f"{year}-清{batch_id}-{number:03d}"


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
    # 结转: when its list was reconciled while it was still being rectified, it was carried on past the list,
    # with the reason and a new deadline (its measures' too); it is rectified and ticked off as before.
    carried_over_at = models.DateTimeField(_("carried over at"), null=True, blank=True, editable=False)
    carried_over_reason = models.TextField(
        _("reason carried over"), max_length=1000, blank=True, editable=False
    )
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


class RectificationReportDocument(SealedReportDocument):
    """A problem list's sealed 整改情况报告, for the Party Group: rendered once, sealed, stored with its
    SHA-256 and the verification code printed on it, and never changed or deleted (core.sealed_reports).

    Issued once the list is reconciled; issuing it again (a carried-over problem ticked off since) adds
    the next version, which supersedes the earlier ones. Its issue is the list's `report_issued` event.
    """

    batch = models.ForeignKey(
        ProblemBatch, verbose_name=_("problem list"), on_delete=models.PROTECT, related_name="reports"
    )
    file = models.FileField(_("PDF file"), upload_to="rectification-reports/%Y/", editable=False)

    class Meta:
        verbose_name = _("sealed rectification report")
        verbose_name_plural = _("sealed rectification reports")
        ordering = ["batch", "-version"]
        constraints = sealed_report_constraints("rectificationreport", "batch")

    def __str__(self) -> str:
        return f"{self.batch} · v{self.version} · {self.verification_code}"

    @property
    def reference(self) -> str:
        """整改〔2026〕5号: the report's number, the same for every version of one list's report."""
        return rectification_report_reference(year=self.batch.year, batch_id=self.batch_id)


def rectification_report_reference(*, year: int, batch_id: int) -> str:
    return f"整改〔{year}〕{batch_id}号"


def rectification_report_title(batch_title: str) -> str:
    """关于2026年度党组民主生活会查摆问题整改情况的报告: as printed, and on the verification page."""
    return f"关于{batch_title}整改情况的报告"
