"""The rectification ledger (整改台账): its permission-filtered reads and their aggregates.

Everything starts from `selectors.finding_list_visible_to(user=...)`: the inspection team, the office
and the Party Group read every finding; a unit head reads the findings of the units they answer for
(and an owner or responsible person theirs). Filters only narrow that set.

Each aggregate is one query whatever the number of findings: conditional `Count`s, grouped by unit or
by plan where asked. The traffic lights are computed here with the same rules as
`models.inspections.traffic_light` and `RectificationQuerySet`, never stored.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields

from django.db.models import Case, CharField, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import OrgUnit
from core.deadlines import TrafficLight, deadline_q
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.models import (
    UNFINISHED_RECTIFICATION_STATUSES,
    Finding,
    InspectionPlan,
    Rectification,
    RectificationStatus,
    Severity,
)
from responsibility.supervision.selectors import finding_list_visible_to

# Red first (the most urgent), then yellow, green, and the finished ones last.
LIGHT_ORDER = (TrafficLight.RED, TrafficLight.YELLOW, TrafficLight.GREEN, TrafficLight.DONE)
TREND_WEEKS = 12


@dataclass(frozen=True)
class LedgerFilters:
    """What the ledger is narrowed to. Empty values mean "all"."""

    plan_id: int | None = None
    unit_id: int | None = None
    state: str = ""  # a RectificationStatus value
    light: str = ""  # a TrafficLight value
    severity: str = ""  # a Severity value
    category: str = ""  # a ClauseCategory value
    q: str = ""  # words in the problem's title

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, item.name) for item in fields(self))


def ledger_findings(*, user, filters: LedgerFilters | None = None, today: datetime.date) -> QuerySet[Finding]:
    """The findings of the ledger the user may read, narrowed by the filters (unordered)."""
    return ledger_filter(findings=finding_list_visible_to(user=user), filters=filters, today=today)


def ledger_filter(
    *, findings: QuerySet[Finding], filters: LedgerFilters | None, today: datetime.date
) -> QuerySet[Finding]:
    """Narrow findings already filtered by permission (`finding_list_visible_to`)."""
    filters = filters or LedgerFilters()
    if filters.plan_id:
        findings = findings.filter(plan_id=filters.plan_id)
    if filters.unit_id:
        findings = findings.filter(unit_id=filters.unit_id)
    if filters.state in RectificationStatus.values:
        findings = findings.filter(rectification__status=filters.state)
    if filters.light in TrafficLight.values:
        findings = findings.filter(rectification__in=Rectification.objects.with_light(filters.light, today))
    if filters.severity in Severity.values:
        findings = findings.filter(severity=filters.severity)
    if filters.category in ClauseCategory.values:
        findings = findings.filter(category=filters.category)
    if filters.q:
        findings = findings.filter(title__icontains=filters.q)
    return findings


def _unfinished() -> Q:
    return Q(rectification__status__in=UNFINISHED_RECTIFICATION_STATUSES)


def _overdue(today: datetime.date) -> Q:
    return _unfinished() & deadline_q("rectification__deadline", TrafficLight.RED, today=today)


def _due_soon(today: datetime.date) -> Q:
    return _unfinished() & deadline_q("rectification__deadline", TrafficLight.YELLOW, today=today)


def ledger_findings_ordered(*, findings: QuerySet[Finding], today: datetime.date) -> QuerySet[Finding]:
    """Red first, then yellow, green and done; within a light by deadline. Each finding has `ledger_light`."""
    light = Case(
        When(_overdue(today), then=Value(TrafficLight.RED.value)),
        When(_due_soon(today), then=Value(TrafficLight.YELLOW.value)),
        When(_unfinished(), then=Value(TrafficLight.GREEN.value)),
        default=Value(TrafficLight.DONE.value),
        output_field=CharField(),
    )
    rank = Case(
        *(When(ledger_light=value.value, then=Value(position)) for position, value in enumerate(LIGHT_ORDER)),
        output_field=IntegerField(),
    )
    return (
        findings.annotate(ledger_light=light)
        .annotate(ledger_rank=rank)
        .order_by("ledger_rank", "rectification__deadline", "plan_id", "number")
    )


@dataclass(frozen=True)
class LedgerRow:
    """One finding as the ledger shows it (with plan, unit, people and rectification) and its light."""

    finding: Finding
    light: TrafficLight


def ledger_rows(findings: Iterable[Finding]) -> Iterator[LedgerRow]:
    """Rows of findings from `ledger_findings_ordered` (the light was computed by the database)."""
    for finding in findings:
        yield LedgerRow(finding=finding, light=TrafficLight(finding.ledger_light))


# --- Counts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerCounts:
    total: int = 0
    open: int = 0
    submitted: int = 0
    verified: int = 0
    closed: int = 0
    overdue: int = 0  # unfinished and past the deadline
    due_soon: int = 0  # unfinished and due within DUE_SOON_DAYS days

    @property
    def unfinished(self) -> int:
        return self.open + self.submitted

    @property
    def closure_rate(self) -> float | None:
        """销号率: closed of all, in per cent (one decimal); None without findings."""
        return _percent(self.closed, self.total)

    @property
    def done_rate(self) -> float | None:
        """Verified or closed of all, in per cent (one decimal); None without findings."""
        return _percent(self.verified + self.closed, self.total)


def _percent(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return round(100 * part / whole, 1)


_COUNT_NAMES = tuple(item.name for item in fields(LedgerCounts))


def _count_aggregates(today: datetime.date) -> dict:
    aggregates = {"total": Count("pk")}
    for state in RectificationStatus:
        aggregates[state.value] = Count("pk", filter=Q(rectification__status=state))
    aggregates["overdue"] = Count("pk", filter=_overdue(today))
    aggregates["due_soon"] = Count("pk", filter=_due_soon(today))
    return aggregates


def _counts(values: dict) -> LedgerCounts:
    return LedgerCounts(**{name: values.get(name) or 0 for name in _COUNT_NAMES})


def ledger_summary(*, findings: QuerySet[Finding], today: datetime.date) -> LedgerCounts:
    """Totals of the findings (one query)."""
    return _counts(findings.order_by().aggregate(**_count_aggregates(today)))


@dataclass(frozen=True)
class LedgerGroup:
    """The counts of one unit or one plan."""

    pk: int
    name: str
    counts: LedgerCounts


def ledger_by_unit(*, findings: QuerySet[Finding], today: datetime.date) -> list[LedgerGroup]:
    """Counts per unit, in organisation order (one query)."""
    rows = (
        findings.order_by()
        .values("unit_id", "unit__name", "unit__code", "unit__sort_order")
        .annotate(**_count_aggregates(today))
        .order_by("unit__sort_order", "unit__code")
    )
    return [LedgerGroup(pk=row["unit_id"], name=row["unit__name"], counts=_counts(row)) for row in rows]


def ledger_by_plan(*, findings: QuerySet[Finding], today: datetime.date) -> list[LedgerGroup]:
    """Counts per inspection plan, newest year first (one query)."""
    rows = (
        findings.order_by()
        .values("plan_id", "plan__year", "plan__title")
        .annotate(**_count_aggregates(today))
        .order_by("-plan__year", "plan__title", "plan_id")
    )
    return [LedgerGroup(pk=row["plan_id"], name=row["plan__title"], counts=_counts(row)) for row in rows]


@dataclass(frozen=True)
class CategoryCount:
    category: ClauseCategory
    count: int


def ledger_by_category(*, findings: QuerySet[Finding]) -> list[CategoryCount]:
    """Findings per clause category, every category listed (one query)."""
    counts = dict(findings.order_by().values_list("category").annotate(count=Count("pk")).order_by())
    return [
        CategoryCount(category=category, count=counts.get(category.value, 0)) for category in ClauseCategory
    ]


@dataclass(frozen=True)
class TrendPoint:
    day: datetime.date  # the last day of the week (today for the week in progress)
    overdue: int


def trend_days(*, today: datetime.date, weeks: int = TREND_WEEKS) -> list[datetime.date]:
    """The last day of each of the last `weeks` weeks (Monday to Sunday), oldest first; this week: today."""
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    return [min(sunday - datetime.timedelta(weeks=back), today) for back in range(weeks - 1, -1, -1)]


def ledger_overdue_trend(
    *, findings: QuerySet[Finding], today: datetime.date, weeks: int = TREND_WEEKS
) -> list[TrendPoint]:
    """How many rectifications were past their deadline and not yet verified at the end of each week.

    Rebuilt from the rectification's creation time, deadline and verification time (one query): the
    clock stops at verification, as for the traffic lights. A deadline moved later by a correction
    counts with its current value.
    """
    days = trend_days(today=today, weeks=weeks)
    aggregates = {}
    for index, day in enumerate(days):
        # The moment the day ends, in the local time zone.
        end = timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
        )
        aggregates[f"week_{index}"] = Count(
            "pk",
            filter=Q(rectification__created_at__lt=end, rectification__deadline__lt=day)
            & (Q(rectification__verified_at__isnull=True) | Q(rectification__verified_at__gte=end)),
        )
    values = findings.order_by().aggregate(**aggregates)
    return [TrendPoint(day=day, overdue=values[f"week_{index}"] or 0) for index, day in enumerate(days)]


# --- Filter choices -------------------------------------------------------------------------------


def ledger_plan_choices(*, findings: QuerySet[Finding]) -> QuerySet[InspectionPlan]:
    """Plans with at least one of the findings (the user's visible ones, from `finding_list_visible_to`)."""
    return InspectionPlan.objects.filter(pk__in=findings.order_by().values("plan_id")).order_by(
        "-year", "title"
    )


def ledger_unit_choices(*, findings: QuerySet[Finding]) -> QuerySet[OrgUnit]:
    """Units with at least one of the findings (the user's visible ones, from `finding_list_visible_to`)."""
    return OrgUnit.objects.filter(pk__in=findings.order_by().values("unit_id")).order_by("sort_order", "code")
