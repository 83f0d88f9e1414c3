"""Assessment schemes (考核方案) as data (areas, items and the rule that scores each).

A scheme (考核方案) is imported as a draft from the office's spreadsheet, checked, and published; a
published scheme is frozen (its areas and items never change: a change is a new version, imported
again), so that every round scored with it can always be read against the rules it was scored by.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core import clock


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # imported, checked, not yet in use; replaced by a new import
    PUBLISHED = "published", _("Published")  # frozen: rounds may be scored with it


class AssessmentScheme(models.Model):
    """A version of an assessment scheme (考核方案), such as 「党风廉政建设责任制考核（2026年版）」."""

    # What the versions of one scheme share: the spreadsheet names it, a new version names it again.
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    # The points of the scored areas together (e.g. 100); bonus points come on top, up to the bonus cap.
    total_points = models.DecimalField(
        _("total points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT, editable=False
    )
    # The spreadsheet it was imported from (SHA-256), so that an export can be compared with it.
    source_sha256 = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["code", "-version"]
        constraints = [
            models.CheckConstraint(
                name="assessmentscheme_status_valid", condition=Q(status__in=SchemeStatus.values)
            ),
            models.CheckConstraint(
                name="assessmentscheme_published_has_time",
                condition=Q(status=SchemeStatus.DRAFT, published_at__isnull=True, published_by__isnull=True)
                | Q(status=SchemeStatus.PUBLISHED, published_at__isnull=False, published_by__isnull=False),
            ),
            models.CheckConstraint(name="assessmentscheme_total_positive", condition=Q(total_points__gt=0)),
            models.UniqueConstraint(fields=["code", "version"], name="assessmentscheme_version_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == SchemeStatus.PUBLISHED


class AreaKind(models.TextChoices):
    SCORED = "scored", _("Scored")  # its items' points add up to the area's points
    BONUS = "bonus", _("Bonus")  # 加分项: on top of the total, up to the area's points


class SchemeArea(models.Model):
    """One area of a scheme (考核内容, e.g. 「发挥代表作用」), or its bonus items (加分项)."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT, related_name="areas")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=AreaKind.choices, default=AreaKind.SCORED)
    # A scored area: what its items are worth together; the bonus area: the most its items add together.
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("assessment area")
        verbose_name_plural = _("assessment areas")
        ordering = ["scheme", "number"]
        constraints = [
            models.CheckConstraint(name="schemearea_kind_valid", condition=Q(kind__in=AreaKind.values)),
            models.CheckConstraint(name="schemearea_points_positive", condition=Q(points__gt=0)),
            models.UniqueConstraint(fields=["scheme", "number"], name="schemearea_number_unique"),
            # One bonus area a scheme.
            models.UniqueConstraint(
                fields=["scheme"], condition=Q(kind=AreaKind.BONUS), name="schemearea_one_bonus_area"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_bonus(self) -> bool:
        return self.kind == AreaKind.BONUS


class RuleKind(models.TextChoices):
    """How an item's answer becomes its points (`assessment.rules`)."""

    FIXED = "fixed", _("Fixed points")  # met: the item's points; not met: none
    DEDUCTION = "deduction", _("Deduction per occurrence")  # points less so much a time, not below the floor
    RATIO = "ratio", _("Share of a rate")  # the item's points times a rate between 0 and 100 %
    BONUS = "bonus", _("Bonus per occurrence")  # so much a time, up to the item's cap


class AnsweredBy(models.TextChoices):
    UNIT = "unit", _("The unit")  # self-assessed by the unit head, with an explanation and evidence
    SYSTEM = "system", _("The system")  # computed from the system's own records (an indicator)


class SchemeItem(models.Model):
    """One scoring point (评分点) of an area: what is assessed, the standard, and how it is scored."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT, related_name="items")
    area = models.ForeignKey(SchemeArea, on_delete=models.PROTECT, related_name="items")
    # As the scheme writes it (「1.3」); unique in the scheme. `order` keeps the spreadsheet's order.
    number = models.CharField(_("number"), max_length=12)
    order = models.PositiveSmallIntegerField(_("order"))
    content = models.CharField(_("what is assessed"), max_length=300)
    standard = models.TextField(_("scoring standard"), max_length=1000, blank=True)
    rule = models.CharField(_("rule"), max_length=12, choices=RuleKind.choices)
    # The item's points; for a bonus item its cap.
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    # A deduction or a bonus item: the points a time.
    per_occurrence = models.DecimalField(
        _("points per occurrence"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    # A deduction item: the lowest it goes (0 unless the scheme says otherwise).
    floor = models.DecimalField(_("floor"), max_digits=6, decimal_places=2, default=Decimal(0))
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    answered_by = models.CharField(
        _("answered by"), max_length=8, choices=AnsweredBy.choices, default=AnsweredBy.UNIT
    )
    # An item the system answers: the indicator it is bound to (`assessment.indicators`).
    indicator = models.CharField(_("indicator"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["area__number", "order"]
        constraints = [
            models.CheckConstraint(name="schemeitem_rule_valid", condition=Q(rule__in=RuleKind.values)),
            models.CheckConstraint(name="schemeitem_points_positive", condition=Q(points__gt=0)),
            models.CheckConstraint(
                name="schemeitem_per_occurrence",
                condition=Q(rule__in=[RuleKind.DEDUCTION, RuleKind.BONUS], per_occurrence__gt=0)
                | Q(rule__in=[RuleKind.FIXED, RuleKind.RATIO], per_occurrence__isnull=True),
            ),
            models.CheckConstraint(
                name="schemeitem_floor_in_points", condition=Q(floor__gte=0, floor__lt=F("points"))
            ),
            models.CheckConstraint(
                name="schemeitem_system_has_indicator",
                condition=Q(answered_by=AnsweredBy.UNIT, indicator="")
                | Q(answered_by=AnsweredBy.SYSTEM) & ~Q(indicator=""),
            ),
            models.UniqueConstraint(fields=["area", "order"], name="schemeitem_order_unique"),
            models.UniqueConstraint(fields=["scheme", "number"], name="schemeitem_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.content}"
