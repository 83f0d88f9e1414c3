"""Supervision rounds: plans, checkpoints, spot-check draws, inspections and their checkpoint results."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.appendonly import AppendOnlyModel
from responsibility.letters.models.letters import ClauseCategory


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
