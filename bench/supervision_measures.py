"""The supervision benchmark's measurements at one size: the pages through Django's test client as an
inspector and as a committee head, the reminder sources' due rows, and the whole reminder sweep."""

import contextlib
import datetime
import itertools
import statistics
import time
from dataclasses import dataclass

import time_machine

from bench.harness import QueryCount, client_signed_in, percentile, say
from bench.supervision_organisation import World


def count_rows() -> dict:
    from accounts.models import OrgUnit, User
    from responsibility.duties.models import DutyAssignment, PerformanceRecord, TaskOccurrence
    from responsibility.supervision.models import (
        Finding,
        InspectionEvent,
        Measure,
        ProblemBatch,
        Rectification,
    )

    return {
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "findings": Finding.objects.count(),
        "problem_lists": ProblemBatch.objects.count(),
        "measures": Measure.objects.count(),
        "rectifications": Rectification.objects.count(),
        "open_rectifications": Rectification.objects.unfinished().count(),
        "audit_events": InspectionEvent.objects.count(),
        "assignments": DutyAssignment.objects.count(),
        "task_periods": TaskOccurrence.objects.count(),
        "open_task_periods": TaskOccurrence.objects.open().count(),
        "performance_records": PerformanceRecord.objects.count(),
    }


# --- Measurements ---------------------------------------------------------------------------------


@dataclass
class Measurement:
    name: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    output: int | None = None  # bytes of the page, or rows of a source
    output_unit: str = "KB"
    fixed_queries: bool = True  # its query count must not change with the size
    error: str | None = None


def timed(runs: int, work, before=None) -> tuple[float, float]:
    """The median and p95 of `work()` over `runs`; `before()` runs ahead of each, untimed."""
    timings = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 0.95)


def measure_page(name: str, user, url: str, *, runs: int, warmup: int = 1, before=None) -> Measurement:
    """`before()`, untimed, ahead of each request: a change to the data, or emptying the cache, so that
    the figures kept under the data's version (core.caching, supervision.ledger_counts) are read again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Measurement(name=name)
    client = client_signed_in(user)
    try:
        for _ in range(warmup):
            response = client.get(url)
        if response.status_code != 200:
            result.error = f"HTTP {response.status_code} for {url}"
            return result
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        result.queries, result.output = len(queries), len(response.content)
        result.median_ms, result.p95_ms = timed(runs, lambda: client.get(url), before)
    except Exception as error:  # one broken page must not stop the other measurements
        result.error = f"{type(error).__name__}: {error}"
    return result


def finding_correction(world: World):
    """A change as the inspection team makes one: an open finding's deadline moved a day later, then back
    (finding_update, which appends its event to the chain), by a member of the plan's team."""
    from responsibility.supervision.models import Finding, RectificationStatus
    from responsibility.supervision.permissions import plan_team_member_ids
    from responsibility.supervision.services.rectifications import FindingChange, finding_update

    finding = (
        Finding.objects.filter(
            rectification__status=RectificationStatus.OPEN,
            rectification__deadline__gt=world.today + datetime.timedelta(days=2),
        )
        .order_by("pk")
        .first()
    )
    corrector = next(user for user in world.inspectors if user.pk in plan_team_member_ids(finding.plan))
    shifts = itertools.cycle((1, -1))

    def correct() -> None:
        current = Finding.objects.select_related("plan", "rectification__owner", "responsible").get(
            pk=finding.pk
        )
        rectification = current.rectification
        finding_update(
            finding=current,
            data=FindingChange(
                title=current.title,
                description=current.description,
                severity=current.severity,
                responsible=current.responsible,
                owner=rectification.owner,
                requirement=rectification.requirement,
                deadline=rectification.deadline + datetime.timedelta(days=next(shifts)),
            ),
            updated_by=corrector,
            expected_version=current.version,
        )

    return correct


def day_begun(world: World):
    """Before each request, read on the day after `world.today` as on a new day that no beat counted:
    that day's counts kept nowhere, today's counts (made today) kept in the database."""
    from django.core.cache import cache

    from responsibility.supervision.models import KeptLedgerCounts

    def begin() -> None:
        KeptLedgerCounts.objects.filter(day__gt=world.today).delete()
        cache.clear()

    return begin


def nothing_counted() -> None:
    """Before each request: no counts kept anywhere, as before the first reading after installing."""
    from django.core.cache import cache

    from responsibility.supervision.models import KeptLedgerCounts

    KeptLedgerCounts.objects.all().delete()
    cache.clear()


def measure_source(name: str, kind: str, day: datetime.date, *, runs: int) -> Measurement:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from responsibility.reminders.registry import SOURCES

    source = SOURCES[kind]
    result = Measurement(name=name, output_unit="rows")

    def rows() -> int:
        return sum(len(batch) for batch in source.due_rows(today=day))

    try:
        with CaptureQueriesContext(connection) as queries:
            result.output = rows()
        result.queries = len(queries)
        result.median_ms, result.p95_ms = timed(runs, rows)
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"
    return result


def measure_sweep(day: datetime.date, *, runs: int) -> Measurement:
    """The whole reminders_sweep on an empty reminder ledger, rolled back after each run: the send tasks
    it queues on commit are dropped with the rollback (no broker is measured). Its time is mostly the ORM
    preparing the new ledger rows, so it grows with the rows it creates."""
    from django.db import connection, transaction

    from responsibility.reminders.services import reminders_sweep

    result = Measurement(name="reminders_sweep, all sources", output_unit="rows", fixed_queries=False)

    class Rollback(Exception):
        pass

    def sweep() -> None:
        counted = QueryCount()
        try:
            with transaction.atomic(), connection.execute_wrapper(counted):
                result.output = reminders_sweep(today=day).created_total
                result.queries = counted.queries
                raise Rollback
        except Rollback:
            pass

    try:
        result.median_ms, result.p95_ms = timed(runs, sweep)
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"
    return result


def measure_import(world: World, *, rows: int, runs: int) -> Measurement:
    """The office imports a new list's spreadsheet of `rows` rows (problem_list_import: every row read,
    then a problem recorded for each four, with its measures, events and notices), rolled back after each
    run."""
    from django.db import connection, transaction

    from bench.supervision_lists import import_workbook
    from responsibility.supervision.models import ProblemSource
    from responsibility.supervision.problem_import import problem_list_import
    from responsibility.supervision.services.problems import BatchInput, problem_batch_open

    result = Measurement(name=f"import a {rows:,}-row list (office)", output_unit="rows", fixed_queries=False)

    class Rollback(Exception):
        pass

    def imported() -> None:
        counted = QueryCount()
        try:
            with transaction.atomic(), connection.execute_wrapper(counted):
                batch = problem_batch_open(
                    data=BatchInput(
                        source=ProblemSource.objects.get(code="inspection_tour"),
                        title="市委第一巡察组反馈意见（基准测试导入）",
                        year=world.today.year,
                        raised_on=world.today,
                        raised_by="市委第一巡察组",
                        files=[],
                    ),
                    opened_by=world.office_admin,
                )
                problems = problem_list_import(
                    batch=batch, workbook_file=workbook, imported_by=world.office_admin
                )
                result.output = sum(problem.measures.count() for problem in problems)
                result.queries = counted.queries
                raise Rollback
        except Rollback:
            pass

    try:
        workbook = import_workbook(world, rows)
        result.median_ms, result.p95_ms = timed(runs, imported)
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"
    return result


def sweep_day(today: datetime.date) -> datetime.date:
    """Today, or the next Monday on a weekend (the sources send nothing on a weekend)."""
    return today if today.weekday() < 5 else today + datetime.timedelta(days=7 - today.weekday())


def measure_all(world: World, *, runs: int, sweep_runs: int, import_rows: int) -> list[Measurement]:
    from django.core.cache import cache
    from django.urls import reverse
    from django.utils import timezone

    from responsibility.duties.models import DutyAssignment
    from responsibility.reminders.models import ReminderKind
    from responsibility.supervision.models import ProblemBatch, ProblemSource

    inspector, head = world.inspectors[0], world.heads[0]
    own = DutyAssignment.objects.get(leader=head, year=world.today.year)
    a_list = (
        ProblemBatch.objects.filter(plan__isnull=True).order_by("pk").first()
    )  # 50 problems at both sizes
    democratic_life = ProblemSource.objects.get(code="democratic_life")
    change = finding_correction(world)
    new_day = day_begun(world)
    # The moment a new day's pages are read: tomorrow, at this time of day (signed in then as well).
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    pages = [
        ("ledger (inspector)", inspector, reverse("responsibility:ledger")),
        ("ledger, red light (inspector)", inspector, reverse("responsibility:ledger") + "?light=red"),
        ("ledger by unit, page 2 (inspector)", inspector, reverse("responsibility:ledger-units") + "?page=2"),
        ("ledger, page 100 (inspector)", inspector, reverse("responsibility:ledger") + "?page=100"),
        ("ledger dashboard (inspector)", inspector, reverse("responsibility:ledger-dashboard")),
        ("ledger, after a change (inspector)", inspector, reverse("responsibility:ledger"), change),
        (
            "dashboard, after a change (inspector)",
            inspector,
            reverse("responsibility:ledger-dashboard"),
            change,
        ),
        # After the cache was lost: the day's counts are read from the database.
        ("ledger, cache lost (inspector)", inspector, reverse("responsibility:ledger"), cache.clear),
        (
            "dashboard, cache lost (inspector)",
            inspector,
            reverse("responsibility:ledger-dashboard"),
            cache.clear,
        ),
        # The first reading of a day, nothing of it counted (no beat ran): from the day before's counts.
        ("ledger, a new day (inspector)", inspector, reverse("responsibility:ledger"), new_day, tomorrow),
        (
            "dashboard, a new day (inspector)",
            inspector,
            reverse("responsibility:ledger-dashboard"),
            new_day,
            tomorrow,
        ),
        # Nothing counted ever (the first reading after installing): every finding is counted.
        ("ledger, nothing counted (inspector)", inspector, reverse("responsibility:ledger"), nothing_counted),
        ("ledger (committee head)", head, reverse("responsibility:ledger")),
        (
            "ledger, one source (inspector)",
            inspector,
            reverse("responsibility:ledger") + f"?source={democratic_life.pk}",
        ),
        ("problem lists (inspector)", inspector, reverse("responsibility:batch-list")),
        ("a problem list (inspector)", inspector, reverse("responsibility:batch-detail", args=[a_list.pk])),
        (
            "a list's reconciliation (inspector)",
            inspector,
            reverse("responsibility:batch-reconcile", args=[a_list.pk]),
        ),
        ("duty list (inspector)", inspector, reverse("responsibility:duty-list")),
        ("duty list (committee head)", head, reverse("responsibility:duty-list")),
        ("duty detail, own (committee head)", head, reverse("responsibility:duty-detail", args=[own.pk])),
        ("to-do (committee head)", head, reverse("responsibility:todo")),
        ("to-do (inspector)", inspector, reverse("responsibility:todo")),
    ]
    results = []
    for name, user, url, *options in pages:
        before, at = (*options, None, None)[:2]
        say(f"  {name} …")
        with time_machine.travel(at, tick=True) if at else contextlib.nullcontext():
            results.append(measure_page(name, user, url, runs=runs, before=before))
    day = sweep_day(world.today)
    for name, kind in (
        ("due_rows RECTIFICATION_DUE", ReminderKind.RECTIFICATION_DUE),
        ("due_rows DUTY_TASK_DUE", ReminderKind.DUTY_TASK_DUE),
    ):
        say(f"  {name} on {day} …")
        results.append(measure_source(name, kind, day, runs=5))
    say(f"  reminders_sweep on {day} …")
    results.append(measure_sweep(day, runs=sweep_runs))
    say(f"  importing a {import_rows:,}-row list …")
    results.append(measure_import(world, rows=import_rows, runs=sweep_runs))
    from bench.supervision_assessment import measure_assessment

    results.extend(measure_assessment(world, runs=runs))
    return results
