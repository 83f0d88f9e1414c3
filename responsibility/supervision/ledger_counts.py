"""The rectification ledger's counts: what each count means, and the whole ledger's counts kept by block.

Every count is a conditional `Count` over findings joined to their rectification: by status, overdue
and due soon with the traffic-light rules of `core.deadlines`, and the overdue trend rebuilt week by
week from the rectification's creation, deadline and verification times. `ledger.py` counts the
findings a filter or a permission narrows this way, one query per table.

The whole ledger (every finding, no filter: what the inspection team, the office and the Party Group
read) is kept in Django's cache for the day by block of units (UNITS_PER_BLOCK consecutive unit ids):
each unit's counts, and the block's counts per problem list, per category and of the trend, with the position
of the inspection audit chain they were counted at. Opened again after a change, only the blocks of the
findings the chain names since that position are counted again (`whole_ledger_counts`): every change
to a finding or its rectification appends an event about "finding:<id>" (`supervision.services`), and
a finding's unit never changes. A new day, more than RECOUNT_ALL_AFTER events, or a chain that does not
go on from the kept position (a database restored from a backup) counts everything again. A block is
never served older than the chain position it was read at, so a count is never stale.

Each count of everything, and the first of each day, is also kept in the database, signed
(`KeptLedgerCounts`). When the cache has lost the day's counts (restarted without persistence, or another
process's memory), a reading starts from that row and counts again only the blocks changed since. On a
new day it starts from the last day's row: a finding's status and category do not change with the day,
only the lights of the unfinished ones and the trend's last point, which are counted over the findings
that can show them (`_blocks_on`), not over every finding.
"""

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields

from django.core import signing
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.deadlines import TrafficLight, deadline_q, due_soon_until
from responsibility.supervision.models import (
    UNFINISHED_RECTIFICATION_STATUSES,
    Finding,
    InspectionAuditHead,
    InspectionEvent,
    KeptLedgerCounts,
    RectificationStatus,
)

logger = logging.getLogger(__name__)

TREND_WEEKS = 12
# A block: the units of this many consecutive ids (2,000 units make 125 blocks). Small enough that
# PostgreSQL joins a block's findings to their rectifications by index (at 64 units, 3,200 findings of
# 100,000, it read every rectification: 33 ms a query, 3 ms so); the kept counts grow with the blocks.
UNITS_PER_BLOCK = 16
# Past this many events since the kept counts, everything is counted again (one pass is then cheaper).
RECOUNT_ALL_AFTER = 2_000
# The kept counts are the day's: the lights and the trend change at midnight.
COUNTS_CACHE_SECONDS = 26 * 3600
FINDING_SUBJECT = "finding:"
# The shape of the kept counts (`BlockCounts`): a new shape is kept under a new key, never read as the old.
KEPT_COUNTS_FORMAT = 3
# What the signature of the counts kept in the database is bound to (`django.core.signing`).
KEPT_COUNTS_SALT = "responsibility.supervision.ledger_counts"


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

    def values(self) -> tuple[int, ...]:
        """The counts in COUNT_NAMES order (how the kept blocks hold them)."""
        return tuple(getattr(self, name) for name in COUNT_NAMES)


def _percent(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return round(100 * part / whole, 1)


COUNT_NAMES = tuple(item.name for item in fields(LedgerCounts))
# Where the counts that change with the day are (`_blocks_on`).
OVERDUE, DUE_SOON = COUNT_NAMES.index("overdue"), COUNT_NAMES.index("due_soon")


def unfinished_q() -> Q:
    return Q(rectification__status__in=UNFINISHED_RECTIFICATION_STATUSES)


def overdue_q(today: datetime.date) -> Q:
    return unfinished_q() & deadline_q("rectification__deadline", TrafficLight.RED, today=today)


def due_soon_q(today: datetime.date) -> Q:
    return unfinished_q() & deadline_q("rectification__deadline", TrafficLight.YELLOW, today=today)


def count_aggregates(today: datetime.date) -> dict:
    """The aggregates of `LedgerCounts`, for `aggregate()` or a grouped `annotate()`."""
    aggregates = {"total": Count("pk")}
    for state in RectificationStatus:
        aggregates[state.value] = Count("pk", filter=Q(rectification__status=state))
    aggregates["overdue"] = Count("pk", filter=overdue_q(today))
    aggregates["due_soon"] = Count("pk", filter=due_soon_q(today))
    return aggregates


def counts_total(items: Iterable[LedgerCounts]) -> LedgerCounts:
    """The sum of counts (each column added)."""
    totals = [sum(column) for column in zip(*(counts.values() for counts in items), strict=True)]
    return LedgerCounts(*totals) if totals else LedgerCounts()


def counts_of(values: dict) -> LedgerCounts:
    """`LedgerCounts` from a row of `count_aggregates` (None, as from an empty aggregate, is 0)."""
    return LedgerCounts(**{name: values.get(name) or 0 for name in COUNT_NAMES})


def trend_days(*, today: datetime.date, weeks: int = TREND_WEEKS) -> list[datetime.date]:
    """The last day of each of the last `weeks` weeks (Monday to Sunday), oldest first; this week: today."""
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    return [min(sunday - datetime.timedelta(weeks=back), today) for back in range(weeks - 1, -1, -1)]


def day_end(day: datetime.date) -> datetime.datetime:
    """The moment `day` ends, in the local time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def overdue_at_end_q(day: datetime.date) -> Q:
    """The findings the overdue trend counts for `day`: created by its end, due before it, not verified
    by its end."""
    end = day_end(day)
    return Q(rectification__created_at__lt=end, rectification__deadline__lt=day) & (
        Q(rectification__verified_at__isnull=True) | Q(rectification__verified_at__gte=end)
    )


@dataclass(frozen=True)
class OverdueTrendCount:
    """How to count the overdue trend: the candidate rows and one aggregate a week (`week_0` oldest)."""

    days: list[datetime.date]
    candidates: Q
    aggregates: dict

    def values(self, row: dict) -> tuple[int, ...]:
        return tuple(row[f"week_{index}"] or 0 for index in range(len(self.days)))


def overdue_trend_count(*, today: datetime.date, weeks: int = TREND_WEEKS) -> OverdueTrendCount:
    """How many rectifications were past their deadline and not yet verified at the end of each week.

    Rebuilt from the rectification's creation time, deadline and verification time: the clock stops at
    verification, as for the traffic lights. A deadline moved later by a correction counts with its
    current value.
    """
    days = trend_days(today=today, weeks=weeks)
    ends = [day_end(day) for day in days]
    aggregates = {
        f"week_{index}": Count("pk", filter=overdue_at_end_q(day)) for index, day in enumerate(days)
    }
    # Only rows that can count in some week are read: due before the last day, not verified before the first.
    candidates = (
        Q(rectification__verified_at__isnull=True) | Q(rectification__verified_at__gte=ends[0])
    ) & Q(rectification__deadline__lt=days[-1])
    return OverdueTrendCount(days=days, candidates=candidates, aggregates=aggregates)


# --- A set of findings, by query ------------------------------------------------------------------


@dataclass(frozen=True)
class FindingsCounts:
    """The counts of findings a filter or a permission narrows, each table read by one query when asked."""

    findings: QuerySet[Finding]
    today: datetime.date

    def summary(self) -> LedgerCounts:
        return counts_of(self.findings.order_by().aggregate(**count_aggregates(self.today)))

    def by_unit(self) -> dict[int, LedgerCounts]:
        rows = self.findings.order_by().values("unit_id").annotate(**count_aggregates(self.today))
        return {row["unit_id"]: counts_of(row) for row in rows}

    def by_batch(self) -> dict[int, LedgerCounts]:
        rows = self.findings.order_by().values("batch_id").annotate(**count_aggregates(self.today))
        return {row["batch_id"]: counts_of(row) for row in rows}

    def by_category(self) -> dict[str, int]:
        return dict(self.findings.order_by().values_list("category").annotate(count=Count("pk")).order_by())

    def overdue_trend(self, weeks: int = TREND_WEEKS) -> list[int]:
        trend = overdue_trend_count(today=self.today, weeks=weeks)
        return list(
            trend.values(self.findings.order_by().filter(trend.candidates).aggregate(**trend.aggregates))
        )


# --- The whole ledger, by block of units ----------------------------------------------------------


@dataclass(frozen=True)
class BlockCounts:
    """The counts of the findings of one block of units (values in COUNT_NAMES order)."""

    units: dict[int, tuple[int, ...]]
    batches: dict[int, tuple[int, ...]]
    categories: dict[str, int]
    trend: tuple[int, ...]  # overdue at the end of each of the trend's weeks


@dataclass(frozen=True)
class WholeLedgerCounts:
    """Every finding's counts on `today`, as at the chain position (`sequence`, `hash`), by block of units.

    `counted_at`: when they were made; a finding changed later is named by an event after the position.
    """

    today: datetime.date
    sequence: int
    hash: str
    blocks: dict[int, BlockCounts]
    counted_at: datetime.datetime  # when every block was as counted, at that chain position

    def by_unit(self) -> dict[int, LedgerCounts]:
        return {
            unit: LedgerCounts(*values)
            for block in self.blocks.values()
            for unit, values in block.units.items()
        }

    def by_batch(self) -> dict[int, LedgerCounts]:
        merged: dict[int, list[int]] = {}
        for block in self.blocks.values():
            for batch, values in block.batches.items():
                _add(merged, batch, values)
        return {batch: LedgerCounts(*values) for batch, values in merged.items()}

    def summary(self) -> LedgerCounts:
        return counts_total(self.by_batch().values())

    def by_category(self) -> dict[str, int]:
        merged: Counter[str] = Counter()
        for block in self.blocks.values():
            merged.update(block.categories)
        return dict(merged)

    def overdue_trend(self) -> list[int]:
        weeks = [block.trend for block in self.blocks.values()]
        return [sum(column) for column in zip(*weeks, strict=True)] if weeks else [0] * TREND_WEEKS


def _add(totals: dict, key, values: Iterable[int]) -> None:
    """Add `values` to `key`'s running totals (a list, added to in place)."""
    total = totals.get(key)
    if total is None:
        totals[key] = list(values)
    else:
        for index, value in enumerate(values):
            total[index] += value


def _in_blocks(blocks: Iterable[int]) -> Q:
    """The findings of these blocks: a range of unit ids each (read from `finding_unit_batch_idx`)."""
    ranges = Q()
    for block in blocks:
        ranges |= Q(unit_id__gte=block * UNITS_PER_BLOCK, unit_id__lt=(block + 1) * UNITS_PER_BLOCK)
    return ranges


def _blocks_count(*, today: datetime.date, blocks: set[int] | None) -> dict[int, BlockCounts]:
    """The counts of these blocks (all when None), three queries whatever their number.

    Grouped by unit (and problem list, or category), the order of `finding_unit_batch_idx`, and added up
    by block here: grouping by a computed block number made SQLite sort every finding.
    """
    findings: QuerySet[Finding] = Finding.objects.order_by()
    if blocks is not None:
        findings = findings.filter(_in_blocks(blocks))
    units: dict[int, dict] = {}
    batches: dict[int, dict] = {}
    counted = findings.values("unit_id", "batch_id").annotate(**count_aggregates(today))
    for unit, batch, *values in counted.values_list("unit_id", "batch_id", *COUNT_NAMES):
        block = unit // UNITS_PER_BLOCK
        _add(units.setdefault(block, {}), unit, values)
        _add(batches.setdefault(block, {}), batch, values)
    categories: dict[int, Counter[str]] = {}
    for unit, category, count in findings.values_list("unit_id", "category").annotate(count=Count("pk")):
        categories.setdefault(unit // UNITS_PER_BLOCK, Counter())[category] += count
    trend = overdue_trend_count(today=today)
    weeks: dict[int, list[int]] = {}
    for row in findings.filter(trend.candidates).values("unit_id").annotate(**trend.aggregates):
        _add(weeks, row["unit_id"] // UNITS_PER_BLOCK, trend.values(row))
    return {
        block: BlockCounts(
            units={unit: tuple(values) for unit, values in units[block].items()},
            batches={batch: tuple(values) for batch, values in batches[block].items()},
            categories=dict(categories.get(block, {})),
            trend=tuple(weeks.get(block, (0,) * len(trend.days))),
        )
        for block in units
    }


def _carries_to(kept: WholeLedgerCounts, today: datetime.date) -> bool:
    """Whether counts of an earlier day can be carried to `today` (`_blocks_on`): made on their own day,
    before it ended, so that every finding verified or recorded after their day's end is one the chain
    names, and the trend's days up to their day are among theirs."""
    since = kept.today
    if not since < today or kept.counted_at >= day_end(since):
        return False
    return {day for day in trend_days(today=today) if day <= since} <= set(trend_days(today=since))


def _blocks_on(
    blocks: dict[int, BlockCounts], *, since: datetime.date, today: datetime.date
) -> dict[int, BlockCounts]:
    """Blocks counted on `since` as they are on `today`, for blocks in which nothing changed since (one
    query, over the findings due from `since` until the end of today's due-soon days).

    A finding's status and category do not change with the day, nor the lights of one due before
    `since` (overdue on both days) or after today's due-soon days (green on both): the lights of the
    findings due between are taken off as they were on `since` and added as they are today. The trend
    keeps its points up to `since` (`_carries_to`); a later day's point is `since`'s and the findings due
    from `since` to that day that it counts.
    """
    then, now = trend_days(today=since), trend_days(today=today)
    later = [day for day in now if day > since]
    # None of them was overdue on `since`: they were due from then on.
    aggregates = {
        "due_soon_then": Count("pk", filter=due_soon_q(since)),
        "overdue_now": Count("pk", filter=overdue_q(today)),
        "due_soon_now": Count("pk", filter=due_soon_q(today)),
    } | {
        f"later_{index}": Count("pk", filter=overdue_at_end_q(day) & Q(rectification__deadline__gte=since))
        for index, day in enumerate(later)
    }
    window = Finding.objects.order_by().filter(
        rectification__deadline__gte=since, rectification__deadline__lte=due_soon_until(today)
    )
    shifts: dict[int, list[tuple]] = {}
    for row in (
        window.values_list("unit_id", "batch_id")
        .annotate(**aggregates)
        .values_list("unit_id", "batch_id", *aggregates)
    ):
        shifts.setdefault(row[0] // UNITS_PER_BLOCK, []).append(row)
    return {
        number: _block_on(block, shifts=shifts.get(number, []), then=then, now=now, since=since)
        for number, block in blocks.items()
    }


def _block_on(
    block: BlockCounts, *, shifts: list[tuple], then: list[datetime.date], now: list[datetime.date], since
) -> BlockCounts:
    """The block with `shifts` (unit, problem list, lights then and now, the later trend points' findings)
    applied: `_blocks_on`."""
    units = {unit: list(values) for unit, values in block.units.items()}
    batches = {batch: list(values) for batch, values in block.batches.items()}
    later = [0] * sum(day > since for day in now)
    for unit, batch, due_soon_then, overdue_now, due_soon_now, *points in shifts:
        for values in (units[unit], batches[batch]):
            values[OVERDUE] += overdue_now
            values[DUE_SOON] += due_soon_now - due_soon_then
        later = [total + count for total, count in zip(later, points, strict=True)]
    kept = dict(zip(then, block.trend, strict=True))
    trend = [kept[day] for day in now if day <= since] + [block.trend[-1] + count for count in later]
    return BlockCounts(
        units={unit: tuple(values) for unit, values in units.items()},
        batches={batch: tuple(values) for batch, values in batches.items()},
        categories=block.categories,
        trend=tuple(trend),
    )


def _blocks_changed(*, kept: WholeLedgerCounts, head: tuple[int, str]) -> set[int] | None:
    """The blocks of the findings the chain names after the kept position, up to `head` (one query, and
    one more for their units when there are some).

    None when everything must be counted again: the chain does not go on from the kept position, or too
    many events followed it.
    """
    if not kept.sequence:
        return None
    events = list(
        InspectionEvent.objects.filter(sequence__gte=kept.sequence, sequence__lte=head[0])
        .order_by("sequence")
        .values_list("sequence", "hash", "subject")[: RECOUNT_ALL_AFTER + 1]
    )
    if not events or events[0][:2] != (kept.sequence, kept.hash) or len(events) > RECOUNT_ALL_AFTER:
        return None
    findings = {
        int(subject.removeprefix(FINDING_SUBJECT))
        for _, _, subject in events[1:]
        if subject.startswith(FINDING_SUBJECT)
    }
    if not findings:
        return set()
    units = Finding.objects.filter(pk__in=findings).order_by().values_list("unit_id", flat=True).distinct()
    return {unit // UNITS_PER_BLOCK for unit in units}


def ledger_version() -> tuple[int, str]:
    """Where the inspection audit chain ends: every change to a plan, finding or rectification moves it."""
    return InspectionAuditHead.objects.values_list("last_sequence", "last_hash").first() or (0, "")


def _stored_counts(counts: WholeLedgerCounts) -> str:
    """The counts as signed, compressed JSON (the text of `KeptLedgerCounts.counts`)."""
    blocks = {
        str(number): {
            "units": [[unit, *values] for unit, values in block.units.items()],
            "batches": [[batch, *values] for batch, values in block.batches.items()],
            "categories": block.categories,
            "trend": list(block.trend),
        }
        for number, block in counts.blocks.items()
    }
    return signing.dumps(
        {"format": KEPT_COUNTS_FORMAT, "day": counts.today.isoformat(), "blocks": blocks},
        salt=KEPT_COUNTS_SALT,
        compress=True,
    )


def _counts_from_store(row: KeptLedgerCounts) -> WholeLedgerCounts | None:
    """The counts a row keeps; None when its signature does not hold (changed in the database, or another
    secret key) or it is of another shape or day."""
    try:
        stored = signing.loads(row.counts, salt=KEPT_COUNTS_SALT)
    except signing.BadSignature:
        logger.warning(
            "The ledger's counts kept for %s are not as signed: everything is counted again.", row.day
        )
        return None
    if stored.get("format") != KEPT_COUNTS_FORMAT or stored.get("day") != row.day.isoformat():
        return None
    blocks = {
        int(number): BlockCounts(
            units={unit: tuple(values) for unit, *values in block["units"]},
            batches={batch: tuple(values) for batch, *values in block["batches"]},
            categories=block["categories"],
            trend=tuple(block["trend"]),
        )
        for number, block in stored["blocks"].items()
    }
    return WholeLedgerCounts(
        today=row.day, sequence=row.sequence, hash=row.hash, blocks=blocks, counted_at=row.counted_at
    )


def _counts_stored(*, today: datetime.date) -> WholeLedgerCounts | None:
    """The latest counts kept in the database of `today` or a day before, if any hold (one query)."""
    row = KeptLedgerCounts.objects.filter(day__lte=today).order_by("-day").first()
    return None if row is None else _counts_from_store(row)


def _counts_store(counts: WholeLedgerCounts) -> None:
    """Keep a count of everything in the database in place of the day's last; days before yesterday go."""
    row = KeptLedgerCounts(
        day=counts.today,
        sequence=counts.sequence,
        hash=counts.hash,
        counts=_stored_counts(counts),
        counted_at=counts.counted_at,
    )
    # One statement, whoever stores the day's counts at the same moment (INSERT … ON CONFLICT).
    KeptLedgerCounts.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["sequence", "hash", "counts", "counted_at"],
    )
    KeptLedgerCounts.objects.filter(day__lt=counts.today - datetime.timedelta(days=1)).delete()


def whole_ledger_counts(*, today: datetime.date, version: tuple[int, str] | None = None) -> WholeLedgerCounts:
    """Every finding's counts on `today`: the kept blocks (from the cache, else from the database, of
    today or the last day counted), with those changed since counted again; a count of everything, and
    the first of a day, is stored in the database as well.

    `version`: the chain's position (`ledger_version()`), when the caller has just read it.
    """
    head = version or ledger_version()
    key = f"ledger-counts/{KEPT_COUNTS_FORMAT}:{today.isoformat()}"
    kept: WholeLedgerCounts | None = cache.get(key)
    if kept is not None and (kept.sequence, kept.hash) == head:
        return kept
    if kept is None:
        kept = _counts_stored(today=today)
    if kept is not None and kept.today != today and not _carries_to(kept, today):
        kept = None
    changed = None if kept is None else _blocks_changed(kept=kept, head=head)
    if changed is None:
        blocks = _blocks_count(today=today, blocks=None)
    else:
        blocks = {number: block for number, block in kept.blocks.items() if number not in changed}
        if kept.today != today:
            blocks = _blocks_on(blocks, since=kept.today, today=today)
        if changed:
            blocks |= _blocks_count(today=today, blocks=changed)
    counts = WholeLedgerCounts(
        today=today, sequence=head[0], hash=head[1], blocks=blocks, counted_at=timezone.now()
    )
    if changed is None or kept.today != today:
        _counts_store(counts)
    cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts
