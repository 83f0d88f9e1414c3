"""Benchmark of the reminder sweep at province scale (DESIGN.md §6: 100,000 open items).

Builds, in a dedicated database, one open campaign whose deadline is a week ahead (so that its
7-day reminder is due today) with 100,000 open letters: 90% awaiting signature (one reminder each)
and 10% signed, waiting for the countersignature of 100 issuers (one reminder per issuer), plus
1,000 units whose heads get a daily digest. Then runs the real `reminders_sweep` three times:

1. timed, on an empty ledger: it creates every due row (batches of 2,000) and queues the send tasks
   (published to kombu's in-process memory transport, which nothing reads, and counted: no broker
   server is measured); the process's peak RSS growth is printed (resource.getrusage);
2. timed, again: idempotent, it creates nothing and queues nothing;
3. on an empty ledger again, under tracemalloc: the peak Python memory the sweep allocated.

Target: the first sweep creates the rows in under 30 s. Exit status 1 when it does not, or when the
ledger's rows are wrong. The figures are saved in bench/results/reminders-<date-time>.json
(bench/reminders_report.py).

    bench/reminders                      a fresh SQLite database under /tmp/reminders-bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/letters_bench bench/reminders --reset
                                         the same on PostgreSQL (--reset empties that database first)
"""

import argparse
import contextlib
import datetime
import os
import resource
import shutil
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, QueryCount, describe_database, say, smoke_verdict
from bench.reminders_report import TARGET_SECONDS, save_report

# REMINDERS_BENCH_DIR chooses the SQLite folder (one per run at a time).
SQLITE_DIR = Path(os.environ.get("REMINDERS_BENCH_DIR", "/tmp/reminders-bench"))

os.environ.setdefault("DATABASE_URL", f"sqlite:///{SQLITE_DIR / 'db.sqlite3'}")
os.environ.setdefault("DJANGO_VAR_DIR", str(SQLITE_DIR / "var"))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
# The send tasks go to kombu's in-process memory transport, whatever the shell says: nothing reads them,
# no email leaves, and no broker server is needed or measured.
os.environ["CELERY_BROKER_URL"] = "memory://"


def prepare_database(*, reset: bool) -> None:
    import django

    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:") and SQLITE_DIR in Path(url.split("sqlite:///", 1)[1]).parents:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
        SQLITE_DIR.mkdir(parents=True)
    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from tests.migrated_databases import database_migrate

    database_migrate()  # a new SQLite file: a copy of the migrated template
    if User.objects.exists():
        if not reset:
            raise SystemExit("bench: the database is not empty; pass --reset to empty it first.")
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)  # the role groups again


def build(*, items: int, units: int, issuers: int) -> datetime.date:
    """The campaign and its open letters, written with bulk_create. Returns the day the sweep runs."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import OrgUnit, Post, PostKind, User
    from accounts.roles import Role
    from responsibility.letters.models.letters import (
        Campaign,
        Letter,
        LetterStatus,
        LetterTemplate,
        TemplateLevel,
    )
    from responsibility.letters.models.reminder_policy import ReminderPolicy

    today = timezone.localdate()
    now = timezone.now()
    signers_per_post = -(-items // units)
    with transaction.atomic():
        office = User.objects.create(username="office", full_name="办公室", email="office@example.org")
        office.groups.add(Group.objects.get(name=Role.OFFICE_ADMIN))
        unit_rows = OrgUnit.objects.bulk_create(
            OrgUnit(code=f"W{i:04d}", name=f"第{i + 1}委办室", kind="working_body", sort_order=i)
            for i in range(units)
        )
        heads = User.objects.bulk_create(
            User(username=f"head{i:04d}", full_name=f"主任{i}", email=f"head{i}@example.org", password="!")
            for i in range(units)
        )
        signers = User.objects.bulk_create(
            User(username=f"s{i:05d}", full_name=f"干部{i}", email=f"s{i}@example.org", password="!")
            for i in range(signers_per_post)
        )
        issuer_users = User.objects.bulk_create(
            User(username=f"issuer{i:03d}", full_name=f"党组{i}", email=f"i{i}@example.org", password="!")
            for i in range(issuers)
        )
        posts = Post.objects.bulk_create(
            Post(unit=unit, title="主任", kind=PostKind.UNIT_HEAD, holder=head)
            for unit, head in zip(unit_rows, heads, strict=True)
        )
        template = LetterTemplate.objects.create(
            code="organ",
            name="党风廉政建设责任书",
            level=TemplateLevel.ORGAN,
            title="党风廉政建设责任书",
            preamble="为落实党风廉政建设主体责任，签订本责任书。",
            issuer_label="甲方",
            signer_label="乙方",
            created_by=office,
        )
        campaign = Campaign.objects.create(
            year=today.year,
            title="提醒基准测试",
            template=template,
            deadline=today + datetime.timedelta(days=7),
            reference_prefix="基准",
            created_by=office,
        )
        ReminderPolicy.objects.create(campaign=campaign, skip_weekends=False)  # due today, any weekday
        issued_at, signed_at = now - datetime.timedelta(days=10), now - datetime.timedelta(days=9)
        batch = []
        for i in range(items):
            post = posts[i % units]
            signed = i % 10 == 0  # 10% signed, waiting for the countersignature
            batch.append(
                Letter(
                    campaign=campaign,
                    number=i + 1,
                    reference=f"基准〔{today.year}〕{i + 1}号",
                    title="党风廉政建设责任书",
                    preamble="为落实党风廉政建设主体责任，签订本责任书。",
                    issuer_label="甲方",
                    signer_label="乙方",
                    issuer=issuer_users[(i // 10) % issuers],
                    signer=signers[i // units],
                    signer_post=post,
                    signer_unit_id=post.unit_id,
                    content_hash="0" * 64,
                    status=LetterStatus.SIGNED if signed else LetterStatus.ISSUED,
                    issued_at=issued_at,
                    signed_at=signed_at if signed else None,
                )
            )
            if len(batch) == 5000:
                Letter.objects.bulk_create(batch)
                batch = []
        Letter.objects.bulk_create(batch)
    return today


@contextlib.contextmanager
def send_tasks_published():
    """The ids of the reminder send tasks published inside the block (Celery's before_task_publish)."""
    from celery.signals import before_task_publish

    from responsibility.reminders.tasks import reminders_send

    published: list[str] = []

    def record(sender=None, headers=None, **kwargs):
        if sender == reminders_send.name:
            published.append(headers["id"])

    before_task_publish.connect(record, weak=False)
    try:
        yield published
    finally:
        before_task_publish.disconnect(record)


def sweep(today: datetime.date) -> tuple[object, float, int, int]:
    """One sweep: (result, seconds, queries, send tasks queued)."""
    from django.db import connection, transaction

    from responsibility.reminders.services import reminders_sweep

    counted = QueryCount()
    with send_tasks_published() as tasks, connection.execute_wrapper(counted):
        started = time.perf_counter()
        with transaction.atomic():  # so that the on-commit publishes run, as in the beat task
            result = reminders_sweep(today=today)
        seconds = time.perf_counter() - started
    return result, seconds, counted.queries, len(tasks)


def ledger_empty() -> None:
    from responsibility.reminders.models import Reminder

    Reminder.objects.all()._raw_delete(Reminder.objects.db)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="empty a non-empty DATABASE_URL database first")
    parser.add_argument("--items", type=int, default=100_000, help="open letters (default 100,000)")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--issuers", type=int, default=100)
    parser.add_argument(
        "--ci",
        action="store_true",
        help="smoke run for CI: 3,000 open letters in 100 units; exit status 1 only when the sweep fails "
        "or its rows are wrong (not on its time)",
    )
    options = parser.parse_args(argv)
    if options.ci:
        options.items, options.units, options.issuers = 3_000, 100, 10

    prepare_database(reset=options.reset)
    from responsibility.reminders.models import Reminder

    database = describe_database()
    say(f"Database: {database}")
    say(f"Building {options.items:,} open letters in {options.units:,} units …")
    started = time.perf_counter()
    today = build(items=options.items, units=options.units, issuers=options.issuers)
    build_seconds = time.perf_counter() - started
    say(f"  built in {build_seconds:.1f} s")

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    first, first_s, first_q, first_tasks = sweep(today)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = Reminder.objects.count()
    by_kind = ", ".join(f"{kind} {count:,}" for kind, count in first.created.items())
    say(
        f"Sweep 1 (empty ledger): {first.created_total:,} rows created ({by_kind}), "
        f"{first.scheduled:,} queued in {first_tasks:,} send tasks; {first_s:.2f} s, {first_q:,} queries; "
        f"peak RSS grew by {(rss_after - rss_before) / 1024:.1f} MiB (to {rss_after / 1024:.0f} MiB)"
    )
    second, second_s, second_q, second_tasks = sweep(today)
    say(
        f"Sweep 2 (same day again): {second.created_total:,} rows created, {second_tasks} send tasks; "
        f"{second_s:.2f} s, {second_q:,} queries"
    )
    ledger_empty()
    tracemalloc.start()
    third, third_s, _queries, _tasks = sweep(today)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    say(
        f"Sweep 3 (empty ledger, under tracemalloc): {third.created_total:,} rows; "
        f"peak Python memory {peak / 1024 / 1024:.1f} MiB ({third_s:.2f} s with tracing)"
    )
    consistent = rows == first.created_total and second.created_total == 0
    met = consistent and first_s < TARGET_SECONDS
    say(
        f"Target: the due rows of {options.items:,} open items in under {TARGET_SECONDS:.0f} s: "
        f"{first_s:.2f} s, {'ok' if met else 'MISSED'}"
    )
    if not consistent:
        say(
            f"WRONG ROWS: the ledger holds {rows:,} rows after the first sweep; the second created "
            f"{second.created_total:,}"
        )
    data = {
        "database": database,
        "items": options.items,
        "units": options.units,
        "issuers": options.issuers,
        "build_seconds": round(build_seconds, 1),
        "sweeps": [
            {
                "name": "first, empty ledger",
                "rows": first.created_total,
                "by_kind": first.created,
                "queued": first.scheduled,
                "send_tasks": first_tasks,
                "seconds": first_s,
                "queries": first_q,
            },
            {
                "name": "second, same day",
                "rows": second.created_total,
                "queued": second.scheduled,
                "send_tasks": second_tasks,
                "seconds": second_s,
                "queries": second_q,
            },
        ],
        "peak_rss_growth_mib": round((rss_after - rss_before) / 1024, 1),
        "peak_python_memory_mib": round(peak / 1024 / 1024, 1),
        "target_seconds": TARGET_SECONDS,
        "consistent": consistent,
        "met": met,
    }
    say(f"Saved {save_report(data, ci=options.ci).relative_to(ROOT)}")
    if options.ci:  # wrong rows are a failure of the sweep, not a missed target
        return smoke_verdict([] if consistent else ["the ledger's rows are wrong"])
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
