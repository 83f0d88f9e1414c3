"""The rectification ledger (整改台账): its permission-filtered reads and their aggregates.

Everything starts from `selectors.finding_list_visible_to(user=...)`: the inspection team, the office
and the Party Group read every finding; a unit head reads the findings of the units they answer for
(and an owner or responsible person theirs). Filters only narrow that set.

Each aggregate is one query whatever the number of findings: conditional `Count`s, grouped by unit or
by plan where asked. The traffic lights are computed here with the same rules as
`models.inspections.traffic_light` and `RectificationQuerySet`, never stored.

The aggregates read every finding of the filter, so the figures of readers of the whole ledger (the
same for all of them) are kept in the cache under the audit chain's position (`ledger_figures`,
`ledger_dashboard_figures`, `core.caching`): every change to a finding or a rectification appends an
event and so moves to a new key. The list of findings is read a page at a time, in the order of an
index (`ledger_findings_ordered`).
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import OrgUnit
from core.caching import version_cached
from core.deadlines import TrafficLight, deadline_q
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.models import (
    UNFINISHED_RECTIFICATION_STATUSES,
    Finding,
    InspectionAuditHead,
    InspectionPlan,
    RectificationStatus,
    Severity,
)
from responsibility.supervision.permissions import ledger_user_can_see_all
from responsibility.supervision.selectors import finding_list_visible_to

TREND_WEEKS = 12


@dataclass(frozen=True)
class LedgerFilters:
    """What the ledger is narrowed to. Empty values mean "all"."""

    plan_id: int | None = None
    unit_id: int | None = None
    unit_words: str = ""  # words in the unit's name
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
    if filters.unit_words:
        findings = findings.filter(unit__name__icontains=filters.unit_words)
    if filters.state in RectificationStatus.values:
        findings = findings.filter(rectification__status=filters.state)
    if filters.light == TrafficLight.DONE:
        findings = findings.filter(rectification__finished=True)
    elif filters.light in TrafficLight.values:
        light = deadline_q("rectification__deadline", TrafficLight(filters.light), today=today)
        findings = findings.filter(light, rectification__finished=False)
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
    """Unfinished first, by deadline (so red, then yellow, then green), then the finished ones by deadline;
    equal deadlines in the order recorded. Each finding has `ledger_light`.

    Every column of the order is the rectification's, in the order of `rectification_ledger_idx`: a page
    is read from the index, not by sorting every finding of the filter.
    """
    light = Case(
        When(_overdue(today), then=Value(TrafficLight.RED.value)),
        When(_due_soon(today), then=Value(TrafficLight.YELLOW.value)),
        When(_unfinished(), then=Value(TrafficLight.GREEN.value)),
        default=Value(TrafficLight.DONE.value),
        output_field=CharField(),
    )
    return (
        findings.filter(rectification__isnull=False)  # an inner join, so the order can drive the read
        .annotate(ledger_light=light)
        .order_by("rectification__finished", "rectification__deadline", "rectification__finding_id")
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


def ledger_page_rows(*, findings: QuerySet[Finding], ids: list[int], today: datetime.date) -> list[LedgerRow]:
    """The rows of one page, `ids` in the ledger's order (a slice of `ledger_findings_ordered(...)`'s ids).

    A page deep in the ledger is found by its ids alone (the index and the filters), and only its own
    rows are then read with what the page shows: the rows skipped before it are never joined.
    """
    shown = ledger_findings_ordered(
        findings=findings.filter(pk__in=ids)
        .select_related(None)
        .select_related("plan", "unit", "rectification__owner"),
        today=today,
    )
    by_pk = {finding.pk: finding for finding in shown}
    return list(ledger_rows(by_pk[pk] for pk in ids if pk in by_pk))


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
    # The moment each day ends, in the local time zone.
    ends = [
        timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))
        for day in days
    ]
    aggregates = {
        f"week_{index}": Count(
            "pk",
            filter=Q(rectification__created_at__lt=end, rectification__deadline__lt=day)
            & (Q(rectification__verified_at__isnull=True) | Q(rectification__verified_at__gte=end)),
        )
        for index, (day, end) in enumerate(zip(days, ends, strict=True))
    }
    # Only rows that can count in some week are read: due before the last day, not verified before the first.
    candidates = findings.order_by().filter(
        Q(rectification__verified_at__isnull=True) | Q(rectification__verified_at__gte=ends[0]),
        rectification__deadline__lt=days[-1],
    )
    values = candidates.aggregate(**aggregates)
    return [TrendPoint(day=day, overdue=values[f"week_{index}"] or 0) for index, day in enumerate(days)]


# --- The figures of a page -----------------------------------------------------------------------


def ledger_version() -> tuple[int, str]:
    """Where the inspection audit chain ends: every change to a plan, finding or rectification moves it."""
    return InspectionAuditHead.objects.values_list("last_sequence", "last_hash").first() or (0, "")


def _figures(*, name: str, user, parts: tuple, compute):
    """`compute()`, shared through the cache by readers of the whole ledger (their findings are the same);
    computed afresh for anyone else, whose findings depend on who they are. `parts`: what was asked."""
    if not ledger_user_can_see_all(user=user):
        return compute()
    return version_cached(name=name, version=ledger_version(), parts=parts, compute=compute)


@dataclass(frozen=True)
class LedgerFigures:
    """The counts of the ledger page: in all, per plan, and the units furthest behind."""

    summary: LedgerCounts
    by_plan: list[LedgerGroup]
    units_behind: list[LedgerGroup]  # the first `units_shown` of `units_furthest_behind`
    units_total: int


def units_furthest_behind(groups: list[LedgerGroup]) -> list[LedgerGroup]:
    """The lowest closure rate first, then the most findings."""
    return sorted(groups, key=lambda group: (group.counts.closure_rate or 0, -group.counts.total, group.name))


def ledger_figures(*, user, filters: LedgerFilters, today: datetime.date, units_shown: int) -> LedgerFigures:
    """The counts of the findings the user may read, narrowed by the filters (three queries, or none).

    Only what the page shows is kept: every unit's counts are `ledger_tables`.
    """

    def compute() -> LedgerFigures:
        findings = ledger_findings(user=user, filters=filters, today=today)
        by_unit = ledger_by_unit(findings=findings, today=today)
        return LedgerFigures(
            summary=ledger_summary(findings=findings, today=today),
            by_plan=ledger_by_plan(findings=findings, today=today),
            units_behind=units_furthest_behind(by_unit)[:units_shown],
            units_total=len(by_unit),
        )

    return _figures(name="ledger", user=user, parts=(filters, today, units_shown), compute=compute)


@dataclass(frozen=True)
class LedgerTables:
    """The counts of the findings in all, per plan, and of every unit in organisation order."""

    summary: LedgerCounts
    by_plan: list[LedgerGroup]
    by_unit: list[LedgerGroup]


def ledger_tables(*, user, filters: LedgerFilters, today: datetime.date) -> LedgerTables:
    """Every count of the findings the user may read, narrowed by the filters: the units page, the exports."""

    def compute() -> LedgerTables:
        findings = ledger_findings(user=user, filters=filters, today=today)
        return LedgerTables(
            summary=ledger_summary(findings=findings, today=today),
            by_plan=ledger_by_plan(findings=findings, today=today),
            by_unit=ledger_by_unit(findings=findings, today=today),
        )

    return _figures(name="ledger-tables", user=user, parts=(filters, today), compute=compute)


@dataclass(frozen=True)
class DashboardFigures:
    summary: LedgerCounts
    units_behind: list[LedgerGroup]  # the first `units_shown` of `units_furthest_behind`
    units_total: int
    categories: list[CategoryCount]
    trend: list[TrendPoint]


def ledger_dashboard_figures(
    *, user, filters: LedgerFilters, today: datetime.date, units_shown: int
) -> DashboardFigures:
    """The dashboard's counts of the findings the user may read, narrowed by the filters."""

    def compute() -> DashboardFigures:
        findings = ledger_findings(user=user, filters=filters, today=today)
        by_unit = ledger_by_unit(findings=findings, today=today)
        return DashboardFigures(
            summary=ledger_summary(findings=findings, today=today),
            units_behind=units_furthest_behind(by_unit)[:units_shown],
            units_total=len(by_unit),
            categories=ledger_by_category(findings=findings),
            trend=ledger_overdue_trend(findings=findings, today=today),
        )

    return _figures(name="ledger-dashboard", user=user, parts=(filters, today, units_shown), compute=compute)


# --- Filter choices -------------------------------------------------------------------------------


def ledger_plan_choices(*, findings: QuerySet[Finding]) -> QuerySet[InspectionPlan]:
    """Plans with at least one of the findings (the user's visible ones, from `finding_list_visible_to`).

    Asked plan by plan (`EXISTS`, an index lookup each), not by reading every finding's plan.
    """
    return InspectionPlan.objects.filter(Exists(findings.order_by().filter(plan_id=OuterRef("pk")))).order_by(
        "-year", "title"
    )


def ledger_unit_choices(*, findings: QuerySet[Finding]) -> QuerySet[OrgUnit]:
    """Units with at least one of the findings (the user's visible ones, from `finding_list_visible_to`)."""
    return OrgUnit.objects.filter(Exists(findings.order_by().filter(unit_id=OuterRef("pk")))).order_by(
        "sort_order", "code"
    )
