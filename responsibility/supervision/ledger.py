"""The rectification ledger (整改台账): its permission-filtered reads and their aggregates.

Everything starts from `selectors.finding_list_visible_to(user=...)`: the inspection team, the office
and the Party Group read every finding; a unit head reads the findings of the units they answer for
(and an owner or responsible person theirs). Filters only narrow that set.

The counts (`ledger_counts`) are named here: units in organisation order, problem lists newest first,
sources in their order. Those of
the whole ledger come from its kept counts, recounted only where the chain says something changed;
any other set of findings is counted by query. The figures of a page, the same for every reader of the
whole ledger, are then kept in the cache under the audit chain's position (`ledger_figures`,
`ledger_tables`, `ledger_dashboard_figures`, `core.caching`): every change to a finding or a
rectification appends an event and so moves to a new key. The list of findings is read a page at a
time, in the order of an index (`ledger_findings_ordered`).
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When

from accounts.models import OrgUnit
from core.caching import version_cached
from core.deadlines import TrafficLight, deadline_q
from responsibility.letters.models.letters import ClauseCategory
from responsibility.supervision.ledger_counts import (
    FindingsCounts,
    LedgerCounts,
    WholeLedgerCounts,
    counts_total,
    due_soon_q,
    ledger_version,
    overdue_q,
    trend_days,
    unfinished_q,
    whole_ledger_counts,
)
from responsibility.supervision.models import (
    RECHECK_REOPENING_OUTCOMES,
    Finding,
    ProblemBatch,
    ProblemSource,
    RecheckResult,
    RectificationStatus,
    Severity,
)
from responsibility.supervision.permissions import ledger_user_can_see_all
from responsibility.supervision.selectors import finding_list_visible_to


@dataclass(frozen=True)
class LedgerFilters:
    """What the ledger is narrowed to. Empty values mean "all"."""

    source_id: int | None = None  # a ProblemSource
    batch_id: int | None = None  # a ProblemBatch (问题清单)
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
    if filters.source_id:
        findings = findings.filter(batch__source_id=filters.source_id)
    if filters.batch_id:
        findings = findings.filter(batch_id=filters.batch_id)
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


def ledger_findings_ordered(*, findings: QuerySet[Finding], today: datetime.date) -> QuerySet[Finding]:
    """Unfinished first, by deadline (so red, then yellow, then green), then the finished ones by deadline;
    equal deadlines in the order recorded. Each finding has `ledger_light`.

    Every column of the order is the rectification's, in the order of `rectification_ledger_idx`: a page
    is read from the index, not by sorting every finding of the filter.
    """
    light = Case(
        When(overdue_q(today), then=Value(TrafficLight.RED.value)),
        When(due_soon_q(today), then=Value(TrafficLight.YELLOW.value)),
        When(unfinished_q(), then=Value(TrafficLight.GREEN.value)),
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
    """One finding as the ledger shows it (with its list, plan, unit, people and rectification) and its
    light."""

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
        .select_related("batch", "plan", "unit", "rectification__owner"),
        today=today,
    )
    by_pk = {finding.pk: finding for finding in shown}
    return list(ledger_rows(by_pk[pk] for pk in ids if pk in by_pk))


# --- Counts, with names ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerGroup:
    """The counts of one unit, one problem list or one source."""

    pk: int
    name: str
    counts: LedgerCounts


# Units and problem lists are named by a list of their ids up to this many; more are picked from all of
# them, read in one pass (2,000 units: 1.5 ms on PostgreSQL, 10 ms for a list of 2,000 ids).
NAMED_BY_ID = 200
# The problem lists the ledger's filter offers: the newest (and the one chosen from a list's page).
LEDGER_BATCH_CHOICES = 100


def _named_by_id(rows: QuerySet, ids) -> QuerySet:
    """`rows` narrowed to `ids` when they are at most NAMED_BY_ID; else all of them, for the caller to
    keep those of `ids`."""
    return rows.filter(pk__in=ids) if len(ids) <= NAMED_BY_ID else rows


def unit_groups(counts: dict[int, LedgerCounts]) -> list[LedgerGroup]:
    """Each unit's counts with its name, in organisation order (one query)."""
    units = _named_by_id(OrgUnit.objects.order_by("sort_order", "code"), counts)
    return [
        LedgerGroup(pk=pk, name=name, counts=counts[pk])
        for pk, name in units.values_list("pk", "name")
        if pk in counts
    ]


@dataclass(frozen=True)
class ListGroups:
    by_batch: list[LedgerGroup]  # each problem list, newest year first
    by_source: list[LedgerGroup]  # each source, its lists' counts added up, in the sources' order


def list_groups(counts: dict[int, LedgerCounts]) -> ListGroups:
    """Each problem list's counts with its title, and each source's (one query: the lists with their
    sources, `_named_by_id`: 2,010 lists read in one pass 4 ms on PostgreSQL, by their ids 18 ms)."""
    lists = _named_by_id(ProblemBatch.objects.order_by("-year", "-raised_on", "title", "pk"), counts)
    by_batch, sources, totals = [], {}, {}
    for pk, title, source, source_name, source_order in lists.values_list(
        "pk", "title", "source_id", "source__name", "source__sort_order"
    ):
        if pk not in counts:
            continue
        by_batch.append(LedgerGroup(pk=pk, name=title, counts=counts[pk]))
        sources[source] = (source_order, source_name)
        _add_counts(totals, source, counts[pk])
    by_source = [
        LedgerGroup(pk=source, name=name, counts=LedgerCounts(*totals[source]))
        for source, (_order, name) in sorted(sources.items(), key=lambda item: (item[1][0], item[0]))
    ]
    return ListGroups(by_batch=by_batch, by_source=by_source)


def _add_counts(totals: dict[int, list[int]], key: int, counts: LedgerCounts) -> None:
    total = totals.setdefault(key, [0] * len(fields(LedgerCounts)))
    for index, value in enumerate(counts.values()):
        total[index] += value


@dataclass(frozen=True)
class CategoryCount:
    category: ClauseCategory
    count: int


def category_counts(counts: dict[str, int]) -> list[CategoryCount]:
    """Findings per clause category, every category listed."""
    return [
        CategoryCount(category=category, count=counts.get(category.value, 0)) for category in ClauseCategory
    ]


@dataclass(frozen=True)
class TrendPoint:
    day: datetime.date  # the last day of the week (today for the week in progress)
    overdue: int


def trend_points(*, today: datetime.date, overdue: list[int]) -> list[TrendPoint]:
    """The overdue trend's counts (oldest week first) with the days their weeks end on."""
    days = trend_days(today=today, weeks=len(overdue))
    return [TrendPoint(day=day, overdue=count) for day, count in zip(days, overdue, strict=True)]


def groups_furthest_behind(groups: list[LedgerGroup]) -> list[LedgerGroup]:
    """Units or lists: the lowest closure rate first, then the most findings."""
    return sorted(groups, key=lambda group: (group.counts.closure_rate or 0, -group.counts.total, group.name))


# --- The figures of a page -----------------------------------------------------------------------


def _counted(
    *, user, filters: LedgerFilters, today: datetime.date, version: tuple[int, str] | None
) -> WholeLedgerCounts | FindingsCounts:
    """The counts of the findings the user may read, narrowed by the filters: the whole ledger's kept
    counts when that is all of it (`version`: the chain's position, read by `_figures`), else by query."""
    if version is not None and filters.is_empty:
        return whole_ledger_counts(today=today, version=version)
    return FindingsCounts(findings=ledger_findings(user=user, filters=filters, today=today), today=today)


def _figures(*, name: str, user, parts: tuple, compute):
    """`compute(version)`, shared through the cache by readers of the whole ledger (their findings are the
    same) under the chain's position `version`; computed afresh for anyone else (`version` None), whose
    findings depend on who they are. `parts`: what was asked."""
    if not ledger_user_can_see_all(user=user):
        return compute(None)
    version = ledger_version()
    return version_cached(name=name, version=version, parts=parts, compute=lambda: compute(version))


@dataclass(frozen=True)
class LedgerFigures:
    """The counts of the ledger page: in all, per source and per problem list, and the units furthest
    behind."""

    summary: LedgerCounts
    by_source: list[LedgerGroup]
    lists_behind: list[LedgerGroup]  # the first `shown` lists of `groups_furthest_behind`
    lists_total: int
    units_behind: list[LedgerGroup]  # the first `shown` units of `groups_furthest_behind`
    units_total: int


def ledger_figures(*, user, filters: LedgerFilters, today: datetime.date, shown: int) -> LedgerFigures:
    """The counts of the findings the user may read, narrowed by the filters: the `shown` problem lists
    and units furthest behind of them (a province has thousands of lists).

    Only what the page shows is kept: every list's and unit's counts are `ledger_tables`.
    """

    def compute(version) -> LedgerFigures:
        counted = _counted(user=user, filters=filters, today=today, version=version)
        by_unit = unit_groups(counted.by_unit())
        lists = list_groups(counted.by_batch())
        return LedgerFigures(
            summary=counts_total(group.counts for group in by_unit),
            by_source=lists.by_source,
            lists_behind=groups_furthest_behind(lists.by_batch)[:shown],
            lists_total=len(lists.by_batch),
            units_behind=groups_furthest_behind(by_unit)[:shown],
            units_total=len(by_unit),
        )

    return _figures(name="ledger", user=user, parts=(filters, today, shown), compute=compute)


@dataclass(frozen=True)
class LedgerTables:
    """The counts of the findings in all, per source, per problem list, and of every unit in organisation
    order."""

    summary: LedgerCounts
    by_source: list[LedgerGroup]
    by_batch: list[LedgerGroup]
    by_unit: list[LedgerGroup]


def ledger_tables(*, user, filters: LedgerFilters, today: datetime.date) -> LedgerTables:
    """Every count of the findings the user may read, narrowed by the filters: the units page, the exports."""

    def compute(version) -> LedgerTables:
        counted = _counted(user=user, filters=filters, today=today, version=version)
        by_unit = unit_groups(counted.by_unit())
        lists = list_groups(counted.by_batch())
        return LedgerTables(
            summary=counts_total(group.counts for group in by_unit),
            by_source=lists.by_source,
            by_batch=lists.by_batch,
            by_unit=by_unit,
        )

    return _figures(name="ledger-tables", user=user, parts=(filters, today), compute=compute)


@dataclass(frozen=True)
class DashboardFigures:
    summary: LedgerCounts
    by_source: list[LedgerGroup]
    units_behind: list[LedgerGroup]  # the first `units_shown` of `groups_furthest_behind`
    units_total: int
    categories: list[CategoryCount]
    trend: list[TrendPoint]


def ledger_dashboard_figures(
    *, user, filters: LedgerFilters, today: datetime.date, units_shown: int
) -> DashboardFigures:
    """The dashboard's counts of the findings the user may read, narrowed by the filters."""

    def compute(version) -> DashboardFigures:
        counted = _counted(user=user, filters=filters, today=today, version=version)
        by_unit = unit_groups(counted.by_unit())
        return DashboardFigures(
            summary=counts_total(group.counts for group in by_unit),
            by_source=list_groups(counted.by_batch()).by_source,
            units_behind=groups_furthest_behind(by_unit)[:units_shown],
            units_total=len(by_unit),
            categories=category_counts(counted.by_category()),
            trend=trend_points(today=today, overdue=counted.overdue_trend()),
        )

    return _figures(name="ledger-dashboard", user=user, parts=(filters, today, units_shown), compute=compute)


# --- Filter choices -------------------------------------------------------------------------------


def ledger_batch_choices(
    *, findings: QuerySet[Finding], reads_all: bool, chosen: int | None = None
) -> QuerySet[ProblemBatch]:
    """The problem lists the filter offers: the `LEDGER_BATCH_CHOICES` newest with at least one of the
    findings (the user's visible ones, from `finding_list_visible_to`), and the one `chosen` (from a
    list's page) when it has one too. Older lists are chosen from their own page: a province has
    thousands, too many for one menu.

    For a reader of the whole ledger (`reads_all`) asked list by list (`EXISTS`, an index lookup each),
    not by reading every finding's list; for anyone else through the few findings they read (an EXISTS
    of their findings for each of 2,000 lists took 200 ms). The newest are found among those lists once:
    asked again of each one offered, a committee head's 1,000 findings were read a hundred times (50 ms
    on PostgreSQL at 200,000 problems, 5 ms so; EXPLAIN ANALYZE).
    """
    if reads_all:
        lists = ProblemBatch.objects.filter(Exists(findings.order_by().filter(batch_id=OuterRef("pk"))))
    else:
        lists = ProblemBatch.objects.filter(pk__in=findings.order_by().values("batch_id"))
    offered = Q(pk__in=lists.order_by("-year", "-raised_on", "-pk").values("pk")[:LEDGER_BATCH_CHOICES])
    if chosen is not None:
        offered |= Q(pk__in=lists.filter(pk=chosen).values("pk"))
    return ProblemBatch.objects.filter(offered).order_by("-year", "-raised_on", "title")


def ledger_source_choices(*, findings: QuerySet[Finding]) -> QuerySet[ProblemSource]:
    """Sources with at least one of the findings, in their order.

    Asked through each source's lists and each list's findings (index lookups): asked of the findings
    joined to their list, a source without a finding made both databases read every finding.
    """
    has_findings = findings.order_by().filter(batch_id=OuterRef("pk"))
    lists = ProblemBatch.objects.filter(source_id=OuterRef("pk")).filter(Exists(has_findings))
    return ProblemSource.objects.filter(Exists(lists)).order_by("sort_order", "code")


def ledger_unit_choices(*, findings: QuerySet[Finding]) -> QuerySet[OrgUnit]:
    """Units with at least one of the findings (the user's visible ones, from `finding_list_visible_to`)."""
    return OrgUnit.objects.filter(Exists(findings.order_by().filter(unit_id=OuterRef("pk")))).order_by(
        "sort_order", "code"
    )


@dataclass(frozen=True)
class RecheckFailures:
    """A unit's or a source's 回头看: how many of its closed problems were re-checked, and how many found
    整改不到位 or 虚假整改 (opened again)."""

    name: str
    checked: int
    failed: int

    @property
    def failure_rate(self) -> int:
        return round(100 * self.failed / self.checked) if self.checked else 0


@dataclass(frozen=True)
class RecheckFailureTables:
    by_unit: list[RecheckFailures]
    by_source: list[RecheckFailures]


def recheck_failures(*, filters: LedgerFilters) -> RecheckFailureTables:
    """The units and the sources whose problems were re-checked, the highest failure rate first (then the
    most failures), of every re-check: for the readers of the whole ledger (the dashboard).

    Kept under the inspection chain's position like the ledger's figures (every re-check appends an
    event): two queries over the re-check results when the chain has moved, none otherwise.
    """
    return version_cached(
        name="recheck-failures",
        version=ledger_version(),
        parts=(filters,),
        compute=lambda: _recheck_failures_count(filters=filters),
    )


def _recheck_failures_count(*, filters: LedgerFilters) -> RecheckFailureTables:
    """`recheck_failures` counted: two queries over the re-check results, a table as small as the
    re-checks made."""
    results = RecheckResult.objects.all()
    if filters.source_id:
        results = results.filter(finding__batch__source_id=filters.source_id)
    if filters.batch_id:
        results = results.filter(finding__batch_id=filters.batch_id)
    if filters.unit_id:
        results = results.filter(finding__unit_id=filters.unit_id)

    def table(name: str) -> list[RecheckFailures]:
        rows = (
            results.values(name)
            .annotate(
                checked=Count("pk"),
                failed=Count("pk", filter=Q(outcome__in=RECHECK_REOPENING_OUTCOMES)),
            )
            .order_by()
        )
        failures = [
            RecheckFailures(name=row[name], checked=row["checked"], failed=row["failed"]) for row in rows
        ]
        return sorted(failures, key=lambda row: (-row.failure_rate, -row.failed, row.name))

    return RecheckFailureTables(
        by_unit=table("finding__unit__name"), by_source=table("finding__batch__source__name")
    )
