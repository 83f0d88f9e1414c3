"""Assessment rounds (考核): a scheme version applied to units for a year, each unit's answers, the team's
approved scores (核准分), and the hash-chained events that record every entry, change and approval.

A round is opened by the office with a published scheme, the units assessed, the year and the day
self-assessment closes. The system answers the items bound to an indicator; each unit head answers
the rest (自评) with an explanation and evidence until the deadline; the assessment team sets each
approved score; the Party Group approves the round, after which nothing in it changes.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.appendonly import AppendOnlyModel
from core.audit import CHAIN_FORMAT_CURRENT
from core.sealed_reports import SealedReportDocument, sealed_report_constraints
from responsibility.assessment.models.schemes import AssessmentScheme, SchemeItem

MAX_OBJECTION_DAYS = 30


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")  # units self-assess until the deadline; the team sets the approved scores
    APPROVED = "approved", _("Results approved")  # the Party Group approved the results: published, frozen


class AssessmentRound(models.Model):
    """One assessment (一次考核): a published scheme, the units assessed, the year, the deadline."""

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="rounds"
    )
    # The year assessed: the indicators count that year's records.
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField(_("name"), max_length=100)
    # Self-assessment closes at the end of this day (the local time zone); a later entry is refused.
    deadline = models.DateField(_("self-assessment deadline"))
    # After the results are published, each unit may lodge an objection within so many days.
    objection_days = models.PositiveSmallIntegerField(
        _("days for objections"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_OBJECTION_DAYS)],
    )
    # The grades (等次), best first, each with the fewest points that earn it: [["好", "90"], …, ["差", "0"]]
    # (`assessment.rules.grade_bands_parse`); set when the round opens, never changed.
    grade_bands = models.JSONField(_("grades"), default=list, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.OPEN, editable=False
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=clock.now, editable=False)
    # When the system last answered the items bound to an indicator.
    counted_at = models.DateTimeField(_("indicators counted at"), null=True, blank=True, editable=False)
    # A count asked for and not finished (a task counts it: `assessment.services.rounds`), by whom, and how
    # far it is (per cent): the round's page follows it.
    count_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    count_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    count_progress = models.PositiveSmallIntegerField(default=0, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-year", "-opened_at"]
        permissions = [
            ("review_assessmentround", "Can set approved scores in assessment rounds"),
            ("approve_assessmentround", "Can approve the results of assessment rounds"),
        ]
        constraints = [
            models.CheckConstraint(
                name="assessmentround_status_valid", condition=Q(status__in=RoundStatus.values)
            ),
            models.CheckConstraint(
                name="assessmentround_approved_has_time",
                condition=Q(status=RoundStatus.OPEN, approved_at__isnull=True, approved_by__isnull=True)
                | Q(status=RoundStatus.APPROVED, approved_at__isnull=False, approved_by__isnull=False),
            ),
            models.CheckConstraint(
                name="assessmentround_objection_days",
                condition=Q(objection_days__gte=1, objection_days__lte=MAX_OBJECTION_DAYS),
            ),
            models.UniqueConstraint(fields=["scheme", "year"], name="assessmentround_scheme_year_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def is_counting(self) -> bool:
        """The system's items are being counted (a task runs or waits)."""
        return self.count_requested_at is not None

    def objections_until(self):
        """The last day a unit may object: the round's days for objections after its approval's day."""
        if self.approved_at is None:
            return None
        return timezone.localdate(self.approved_at) + datetime.timedelta(days=self.objection_days)

    def entries_closed(self, today=None) -> bool:
        """Self-assessment is over: the deadline's day has ended, or the round is approved."""
        return not self.is_open or (today or clock.today()) > self.deadline


class UnitAssessmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")  # no item self-assessed yet
    DRAFTING = "drafting", _("Self-assessing")  # some items answered, not submitted
    SUBMITTED = "submitted", _("Submitted for review")  # submitted by the unit head: the team reviews it
    REVIEWED = "reviewed", _("Reviewed")  # the team set every approved score


class UnitAssessment(models.Model):
    """One unit in a round: its status and its totals (自评总分, 核准总分), kept by the services."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="units")
    unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=UnitAssessmentStatus.choices,
        default=UnitAssessmentStatus.NOT_STARTED,
        editable=False,
    )
    # The unit's points by its answers and the system's (自评总分), and by the approved scores (核准总分).
    self_points = models.DecimalField(_("self-assessed points"), max_digits=7, decimal_places=2, default=0)
    approved_points = models.DecimalField(
        _("approved points"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("unit assessment")
        verbose_name_plural = _("unit assessments")
        ordering = ["round", "unit__sort_order", "unit__code"]
        constraints = [
            models.CheckConstraint(
                name="unitassessment_status_valid", condition=Q(status__in=UnitAssessmentStatus.values)
            ),
            models.CheckConstraint(
                name="unitassessment_reviewed_has_points",
                condition=~Q(status=UnitAssessmentStatus.REVIEWED)
                | Q(approved_points__isnull=False, reviewed_at__isnull=False, reviewed_by__isnull=False),
            ),
            models.CheckConstraint(
                name="unitassessment_submitted_has_time",
                condition=Q(submitted_at__isnull=True, submitted_by__isnull=True)
                | Q(submitted_at__isnull=False, submitted_by__isnull=False),
            ),
            models.UniqueConstraint(fields=["round", "unit"], name="unitassessment_one_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.unit}"

    @property
    def is_self_assessing(self) -> bool:
        return self.status in (UnitAssessmentStatus.NOT_STARTED, UnitAssessmentStatus.DRAFTING)

    def takes_entries(self, today=None) -> bool:
        """The unit head may still answer and submit: not submitted, and before the deadline's end."""
        return self.is_self_assessing and not self.round.entries_closed(today)

    def takes_review(self, today=None) -> bool:
        """The team may set approved scores: submitted, or self-assessment closed; until the approval."""
        return self.round.is_open and (not self.is_self_assessing or self.round.entries_closed(today))

    @property
    def is_reviewed(self) -> bool:
        return self.status == UnitAssessmentStatus.REVIEWED

    def takes_objections(self, today=None) -> bool:
        """The unit may object from the day the team completed its review (its approved scores are fed
        back, 反馈) until the round's days for objections after the approval are over."""
        if not self.is_reviewed:
            return False
        until = self.round.objections_until()
        return until is None or (today or clock.today()) <= until


class ItemScore(models.Model):
    """One scoring point for one unit: its answer (the unit's, or the system's from an indicator) with the
    points the rule gives, and the approved score (核准分) the team set, with its reason."""

    unit_assessment = models.ForeignKey(UnitAssessment, on_delete=models.PROTECT, related_name="scores")
    item = models.ForeignKey(SchemeItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    # The answer (`assessment.rules`: 1/0, how many times, or a rate) and its points; empty: unanswered.
    self_answer = models.DecimalField(_("self-assessed answer"), max_digits=8, decimal_places=2, null=True)
    self_points = models.DecimalField(_("self-assessed points"), max_digits=6, decimal_places=2, null=True)
    explanation = models.TextField(_("explanation"), max_length=2000, blank=True)
    # Who answered (the unit head) and when; a system item: empty, and when it was counted.
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    self_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # A system item: the indicator's figures for the unit ({"done", "due"} or {"count"}).
    counted = models.JSONField(_("counted"), default=dict, blank=True)
    approved_answer = models.DecimalField(_("approved answer"), max_digits=8, decimal_places=2, null=True)
    approved_points = models.DecimalField(_("approved points"), max_digits=6, decimal_places=2, null=True)
    # Why the approved score differs from the self-assessed one (required when it does).
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["unit_assessment", "item__area__number", "item__order"]
        constraints = [
            models.CheckConstraint(
                name="itemscore_answer_has_points",
                condition=Q(self_answer__isnull=True, self_points__isnull=True)
                | Q(self_answer__isnull=False, self_points__isnull=False),
            ),
            models.CheckConstraint(
                name="itemscore_review_has_time",
                condition=Q(reviewed_at__isnull=True, reviewed_by__isnull=True, approved_points__isnull=True)
                | Q(reviewed_at__isnull=False, reviewed_by__isnull=False, approved_points__isnull=False),
            ),
            models.UniqueConstraint(fields=["unit_assessment", "item"], name="itemscore_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_assessment} · {self.item.number}"

    @property
    def is_answered(self) -> bool:
        return self.self_answer is not None


class AssessmentEventKind(models.TextChoices):
    ROUND_OPENED = "round_opened", _("Assessment opened")
    INDICATORS_COUNTED = "indicators_counted", _("Indicators counted")
    ITEM_SELF_ASSESSED = "item_self_assessed", _("Item self-assessed")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    SELF_ASSESSMENT_SUBMITTED = "submitted", _("Self-assessment submitted")
    ITEM_REVIEWED = "item_reviewed", _("Approved score set")
    REVIEW_COMPLETED = "review_completed", _("Review completed")
    ROUND_APPROVED = "round_approved", _("Results approved")
    OBJECTION_LODGED = "objection_lodged", _("Objection lodged")
    OBJECTION_ANSWERED = "objection_answered", _("Objection answered")
    RESULT_ISSUED = "result_issued", _("Sealed result issued")
    ROUND_RESULT_ISSUED = "round_result_issued", _("Sealed results of the round issued")


class AssessmentEvent(AppendOnlyModel):
    """Append-only, hash-chained record of every step of assessment rounds (its own chain)."""

    sequence = models.PositiveBigIntegerField(unique=True)
    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="events")
    # What the step was about: "round:3", "unit:12" (a UnitAssessment), "score:507" (an ItemScore).
    subject = models.CharField(_("about"), max_length=40)
    kind = models.CharField(_("action"), max_length=24, choices=AssessmentEventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A person's own words (an explanation, a reason); what the system knows goes in the payload.
    note = models.TextField(_("note"), blank=True)
    payload = models.JSONField(_("details"), default=dict, editable=False)
    chain_format = models.PositiveSmallIntegerField(
        _("chain format"), default=CHAIN_FORMAT_CURRENT, editable=False
    )
    # A fingerprint of what the step wrote (an evidence file's SHA-256; the counted figures' SHA-256).
    digest = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["round", "sequence"], name="assessmentevent_round_idx"),
            models.Index(fields=["subject", "sequence"], name="assessmentevent_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.subject} {self.kind}"


class AssessmentAuditHead(models.Model):
    """The end of the assessment audit chain, locked while an event is appended."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("assessment audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_sequence} {self.last_hash[:12]}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting an answer")  # lodged by the unit head; the team answers it
    UPHELD = "upheld", _("Upheld")  # the approved score is corrected as the objection asked
    REJECTED = "rejected", _("Not upheld")  # the approved score stands


class Objection(models.Model):
    """A unit's objection (异议) to the approved score of one item of a published result, lodged by its
    head within the round's days for objections, and the team's answer. One per item; an answer is
    final. An upheld objection is the recorded re-assessment of that item: the published scores stay as
    they were approved, and the unit's result after objections counts the corrected score instead."""

    score = models.OneToOneField(ItemScore, on_delete=models.PROTECT, related_name="objection")
    unit_assessment = models.ForeignKey(UnitAssessment, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("objection"), max_length=2000)
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lodged_at = models.DateTimeField(_("lodged at"), default=clock.now, editable=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.PENDING,
        editable=False,
    )
    reply = models.TextField(_("answer"), max_length=2000, blank=True)
    corrected_answer = models.DecimalField(_("corrected answer"), max_digits=8, decimal_places=2, null=True)
    corrected_points = models.DecimalField(_("corrected points"), max_digits=6, decimal_places=2, null=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["unit_assessment", "lodged_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="objection_status_valid", condition=Q(status__in=ObjectionStatus.values)
            ),
            models.CheckConstraint(
                name="objection_answer_matches_status",
                condition=Q(
                    status=ObjectionStatus.PENDING,
                    answered_at__isnull=True,
                    answered_by__isnull=True,
                    corrected_points__isnull=True,
                )
                | Q(
                    status=ObjectionStatus.UPHELD,
                    answered_at__isnull=False,
                    answered_by__isnull=False,
                    corrected_points__isnull=False,
                )
                | Q(
                    status=ObjectionStatus.REJECTED,
                    answered_at__isnull=False,
                    answered_by__isnull=False,
                    corrected_points__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == ObjectionStatus.PENDING


def assessment_result_reference(*, year: int, unit_assessment_id: int) -> str:
    """考核〔2026〕12号: a unit's result's number, the same for every version of it."""
    return f"考核〔{year}〕{unit_assessment_id}号"


class AssessmentResultDocument(SealedReportDocument):
    """A unit's sealed 考核结果 (the published result of one round, in the official layout): rendered
    once, sealed, stored with its SHA-256 and the verification code printed on it, never changed or
    deleted (core.sealed_reports). Issuing it again after an objection was upheld adds the next version,
    which supersedes the earlier ones. Its issuing is the `result_issued` event of the assessment chain."""

    unit_assessment = models.ForeignKey(
        UnitAssessment,
        verbose_name=_("unit assessment"),
        on_delete=models.PROTECT,
        related_name="result_documents",
    )
    file = models.FileField(_("PDF file"), upload_to="assessment-results/%Y/", editable=False)

    class Meta:
        verbose_name = _("sealed assessment result")
        verbose_name_plural = _("sealed assessment results")
        ordering = ["unit_assessment", "-version"]
        constraints = sealed_report_constraints("assessmentresultdocument", "unit_assessment")

    def __str__(self) -> str:
        return f"{self.unit_assessment} · v{self.version} · {self.verification_code}"

    @property
    def reference(self) -> str:
        return assessment_result_reference(
            year=self.unit_assessment.round.year, unit_assessment_id=self.unit_assessment_id
        )


def round_result_reference(*, year: int, round_id: int) -> str:
    """考核通报〔2026〕3号: a round's published results' number, the same for every version."""
    return f"考核通报〔{year}〕{round_id}号"


class AssessmentRoundResultDocument(SealedReportDocument):
    """A round's sealed 考核结果通报: every unit's rank, points and grade as published, one version after
    another (core.sealed_reports); its issuing is the `round_result_issued` event of the chain."""

    round = models.ForeignKey(
        AssessmentRound,
        verbose_name=_("assessment round"),
        on_delete=models.PROTECT,
        related_name="result_documents",
    )
    file = models.FileField(_("PDF file"), upload_to="assessment-round-results/%Y/", editable=False)

    class Meta:
        verbose_name = _("sealed results of a round")
        verbose_name_plural = _("sealed results of rounds")
        ordering = ["round", "-version"]
        constraints = sealed_report_constraints("assessmentroundresultdocument", "round")

    def __str__(self) -> str:
        return f"{self.round} · v{self.version} · {self.verification_code}"

    @property
    def reference(self) -> str:
        return round_result_reference(year=self.round.year, round_id=self.round_id)
