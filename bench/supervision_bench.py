"""Benchmark of the rectification ledger and 一岗双责 at province scale (DESIGN.md §6).

DESIGN.md §6 asks for 2,000 units, 20,000 users and 100,000 open tasks and rectifications, and says
that "a list or dashboard runs a fixed number of queries whatever the data size, and its time grows no
faster than the rows it shows". This measures exactly that, at two sizes of the same organisation:

- small: 20,000 problems with 50,000 measures: 10,000 findings of one inspection plan drawing every
  unit (five findings each, one measure each) and 10,000 problems of 200 lists of the other sources
  (50 problems a list, four measures a problem); and about 10,000 duty task periods (five a year in
  each of the ~2,000 leaders' assignments: a quarterly and a yearly task);
- big: ten times as much: 200,000 problems with 500,000 measures (100,000 findings over ten plans, this
  year's and last year's rounds, and 100,000 problems of 2,000 lists) and about 100,000 task periods
  (fifty a year per leader: monthly, bi-monthly, half-yearly and one-off tasks added).

The organisation (2,000 units: 200 committees with nine sections each, 20,000 users, one signed letter
per leader) is built once and the big size grows the small one. Everything is written with
bulk_create in the shape the services leave behind: plans with scope and team, checkpoints, one draw
per plan, inspections with their inspectors, check results, findings with a clause of the unit's
signed letter, rectifications in every state (open, submitted, verified, closed, some sent back once)
with the stamps of their transitions, the hash-chained audit events and the in-app notifications of
finding_record; duty assignments as duty_assignments_generate makes them (oversees, clauses, common
tasks, one occurrence per period), and performance records (with evidence rows for half of them) on
the periods already done. Dates are relative to today, so the traffic lights and the reminders have
the mix of a working system: open rectifications due from 60 days ago to 60 days ahead, 85 % of the
past task periods done.

Then, with Django's test client, as a member of the discipline inspection team and as the head of a
committee (who answers for its ten units), it measures the ledger (plain, filtered to red and to one
source), the dashboard, the problem lists, a list's page and its reconciliation, the duty list, the
head's own duty assignment, the to-do pages, and the reminder sources RECTIFICATION_DUE and
DUTY_TASK_DUE (`SOURCES[kind].due_rows` over a working day with many rows due), plus the whole
`reminders_sweep` and the office importing a new list's 5,000-row spreadsheet (each in a transaction
rolled back afterwards; no broker is measured).

It prints, for each, the median and p95 over N runs and the SQL queries of one run at both sizes, and
the ratios big/small of the time and of the queries. The goal is the same number of queries at both
sizes and a time ratio far below the data ratio of 10 (the page size ratio is printed beside it: a page
that shows more rows at the big size may take longer). Exit status 1 when a page's or a source's query
count changes with the size (the full sweep writes in batches of 2,000 rows and is exempt), or when
something could not be measured.

    bench/supervision                    a fresh SQLite database under /tmp/supervision-bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/supervision_bench bench/supervision --reset
                                         the same on PostgreSQL (--reset empties that database first)

This module sets the environment and the database up and runs the steps; the data is built by
bench/supervision_organisation.py, bench/supervision_findings.py, bench/supervision_lists.py and
bench/supervision_duties.py,
measured by bench/supervision_measures.py and printed by bench/supervision_report.py.
"""

import argparse
import os
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    database_wipe,
    describe_database,
    planner_statistics_refresh,
    say,
    smoke_verdict,
)
from bench.supervision_duties import TASKS_BIG_EXTRA, TASKS_SMALL, add_tasks
from bench.supervision_findings import CHECKPOINTS, PLANS_BIG, PLANS_SMALL, add_plans
from bench.supervision_lists import (
    IMPORT_ROWS,
    LIST_PROBLEMS_BIG,
    LIST_PROBLEMS_SMALL,
    MEASURES_A_PROBLEM,
    add_lists,
)
from bench.supervision_measures import count_rows, measure_all
from bench.supervision_organisation import UNITS, World, build_organisation
from bench.supervision_report import print_report, save_report

# The smoke run imports a small list: it checks the import runs, not how fast a 5,000-row one does.
CI_IMPORT_ROWS = 200
# SUPERVISION_BENCH_DIR chooses the SQLite folder (one per engineer measuring at the same time).
SQLITE_DIR = Path(os.environ.get("SUPERVISION_BENCH_DIR", "/tmp/supervision-bench"))

os.environ.setdefault("DATABASE_URL", f"sqlite:///{SQLITE_DIR / 'db.sqlite3'}")
os.environ.setdefault("DJANGO_VAR_DIR", str(SQLITE_DIR / "var"))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"


def prepare_database(*, reset: bool) -> None:
    import django

    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:") and SQLITE_DIR in Path(url.split("sqlite:///", 1)[1]).parents:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)  # our own folder: always start clean
        SQLITE_DIR.mkdir(parents=True)
    Path(os.environ["DJANGO_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)
    django.setup()
    from accounts.models import User
    from tests.migrated_databases import database_migrate

    database_migrate()  # a new SQLite file: a copy of the migrated template
    if User.objects.exists():
        if not reset:
            raise SystemExit("bench: the database is not empty; pass --reset to empty it first.")
        say("Emptying the database (--reset)")
        database_wipe()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="empty a non-empty DATABASE_URL database first")
    parser.add_argument("--runs", type=int, default=12, help="timed requests per page (default 12)")
    parser.add_argument(
        "--sweep-runs", type=int, default=2, help="timed runs of the whole reminder sweep (default 2)"
    )
    parser.add_argument(
        "--ci",
        action="store_true",
        help="smoke run for CI: the small size only, 3 runs a page; exit status 1 only when something "
        "could not be measured",
    )
    options = parser.parse_args(argv)
    if options.ci:
        options.runs, options.sweep_runs = min(options.runs, 3), 1

    prepare_database(reset=options.reset)
    from django.utils import timezone

    database = describe_database()
    world = World(today=timezone.localdate(), now=timezone.now())
    say(f"Building the organisation in {database}")
    started = time.perf_counter()
    build_organisation(world)
    say(f"  built in {time.perf_counter() - started:.1f} s")

    sizes, measured, build_seconds = {}, {}, {}
    steps = [
        ("small", PLANS_SMALL, LIST_PROBLEMS_SMALL, TASKS_SMALL),
        ("big", PLANS_BIG, LIST_PROBLEMS_BIG, TASKS_BIG_EXTRA),
    ]
    for label, plans, list_problems, task_specs in steps[:1] if options.ci else steps:
        findings = plans * UNITS * CHECKPOINTS
        say(
            f"Growing to the {label} size: {findings + list_problems:,} problems with "
            f"{findings + list_problems * MEASURES_A_PROBLEM:,} measures, duty tasks …"
        )
        started = time.perf_counter()
        add_plans(world, plans)
        add_lists(world, list_problems)
        add_tasks(world, task_specs)
        planner_statistics_refresh()
        build_seconds[label] = round(time.perf_counter() - started, 1)
        sizes[label] = count_rows()
        say(f"  built in {build_seconds[label]:.1f} s; measuring ({options.runs} runs a page)")
        measured[label] = measure_all(
            world,
            runs=options.runs,
            sweep_runs=options.sweep_runs,
            import_rows=CI_IMPORT_ROWS if options.ci else IMPORT_ROWS,
        )

    all_ok = print_report(database, sizes, measured)
    path = save_report(
        {
            "database": database,
            "today": world.today,
            "sizes": sizes,
            "build_seconds": build_seconds,
            **{label: [asdict(item) for item in items] for label, items in measured.items()},
        },
        ci=options.ci,
    )
    say(f"Saved {path.relative_to(ROOT)}")
    if options.ci:
        return smoke_verdict(
            [f"{item.name}: {item.error}" for items in measured.values() for item in items if item.error]
        )
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
