"""Benchmark of webhook deliveries (issue: 10,000 deliveries to a loopback receiver in under 60 s with 2
workers).

In a dedicated database: an API client subscribed to every event at a receiver on loopback (a process of
its own that checks each signature and counts each event id once). 10,000 events are announced as the
services announce them (each in its transaction, its send task queued on commit); then two real Celery
worker processes (one task at a time each) start and send them. Measured: what recording an event costs
the request that caused it, the time from the workers' first attempt to the last delivery, the deliveries
per second, and the receiver's count (every event exactly once, every signature valid).

The alternative a user would pick is a POST per event from the request that caused it; its cost is printed
beside ours: the time one POST adds to the request (here, none: the announcement records a row and the
commit queues a task).

    bench/webhooks                                a fresh SQLite database under /tmp/webhooks-bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/webhooks_bench REDIS_URL=redis://127.0.0.1:6379/14 \\
        bench/webhooks --reset                    the same on PostgreSQL, the tasks through Redis
    bench/webhooks --ci                           smoke run: 300 events; exit status 1 only when a
                                                  delivery is missing, doubled or badly signed
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, describe_database, results_save, say, smoke_verdict

SQLITE_DIR = Path(os.environ.get("WEBHOOKS_BENCH_DIR", "/tmp/webhooks-bench"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SQLITE_DIR / 'db.sqlite3'}")
os.environ.setdefault("DJANGO_VAR_DIR", str(SQLITE_DIR / "var"))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
# The tasks go through Redis when REDIS_URL names one, else through the filesystem broker in the var folder.
os.environ["CELERY_BROKER_URL"] = os.environ.get("REDIS_URL") or "filesystem://"

TARGET_SECONDS = 60.0
TARGET_EVENTS = 10_000
WORKERS = 2
RECEIVER = str(ROOT / "bench" / "webhook_receiver.py")


def prepare_database(*, reset: bool) -> None:
    import django

    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:") and SQLITE_DIR in Path(url.split("sqlite:///", 1)[1]).parents:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
        (SQLITE_DIR / "var").mkdir(parents=True)
    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from tests.migrated_databases import database_migrate

    database_migrate()  # a new SQLite file: a copy of the migrated template
    if User.objects.exists():
        if not reset:
            raise SystemExit("bench: the database is not empty; pass --reset to empty it first.")
        from bench.harness import database_wipe

        database_wipe()
        call_command("migrate", verbosity=0)


def subscription_make(url: str) -> str:
    """The office, the client and its subscription to every event; returns the signing secret."""
    import datetime

    from accounts.roles import Role
    from core import clock
    from core.announcements import AnnouncementKind
    from responsibility.api.models import Scope
    from responsibility.api.services import api_client_create
    from responsibility.webhooks.services import webhook_subscribe
    from tests.factories import UserFactory

    office = UserFactory(full_name="李管理", roles=[Role.OFFICE_ADMIN])
    client, _token = api_client_create(
        code="oa-system",
        name="机关办公系统",
        scopes=list(Scope.values),
        expires_on=clock.today() + datetime.timedelta(days=30),
        allowed_networks=[],
        created_by=office,
    )
    _subscription, secret = webhook_subscribe(
        client=client, url=url, events=[kind.value for kind in AnnouncementKind], created_by=office
    )
    return secret


def announce_all(count: int) -> list[float]:
    """`count` events, each announced in a transaction of its own as a service does; returns the time
    each announcement (and its commit, which queues the send task) took, in milliseconds."""
    from django.db import transaction

    from core import clock
    from core.announcements import AnnouncementKind, announce

    timings = []
    for number in range(count):
        started = time.perf_counter()
        with transaction.atomic():
            announce(
                kind=AnnouncementKind.LETTER_SIGNED,
                subject=f"letter:{number + 1}",
                occasion=str(number),
                occurred_at=clock.now(),
            )
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def workers_start(log_dir: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    processes = []
    for number in range(WORKERS):
        log = (log_dir / f"worker-{number}.log").open("w")
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l", "warning",
                   "--without-gossip", "--without-mingle", "--without-heartbeat",
                   "-n", f"bench-{number}@%h"]  # fmt: skip
        processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT))
    return processes


def delivery_window() -> float:
    """Seconds from the first attempt to the last delivery (the workers' start is not counted)."""
    from django.db.models import Max, Min

    from responsibility.webhooks.models import WebhookAttempt, WebhookDelivery

    first = WebhookAttempt.objects.aggregate(first=Min("started_at"))["first"]
    last = WebhookDelivery.objects.aggregate(last=Max("delivered_at"))["last"]
    return (last - first).total_seconds() if first and last else float("inf")


def delivered_count() -> int:
    from responsibility.webhooks.models import DeliveryStatus, WebhookDelivery

    return WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=TARGET_EVENTS)
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--ci", action="store_true")
    parser.add_argument("--timeout", type=float, default=600.0)
    arguments = parser.parse_args()
    events = 300 if arguments.ci else arguments.events
    prepare_database(reset=arguments.reset)
    say(f"Webhook deliveries: {events:,} events, {WORKERS} workers, {describe_database()}")

    log_dir = Path(os.environ["DJANGO_VAR_DIR"]) / "webhooks-bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    counts_file = log_dir / "received.json"
    receiver = subprocess.Popen(
        [sys.executable, RECEIVER, "--counts", str(counts_file)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    port = int(receiver.stdout.readline().split()[-1])
    secret = subscription_make(f"http://127.0.0.1:{port}/hooks")
    receiver_secret = log_dir / "secret"
    receiver_secret.write_text(secret)
    failures = []
    # The events first, each recorded as a service records it (its task queued on commit, waiting in the
    # broker); then the two workers start and send them: their throughput is what is measured.
    started = time.monotonic()
    timings = announce_all(events)
    announced = time.monotonic() - started
    workers = workers_start(log_dir)
    try:
        started = time.monotonic()
        while delivered_count() < events and time.monotonic() - started < arguments.timeout:
            time.sleep(0.2)
        delivered = delivered_count()
        seconds = delivery_window()
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(timeout=30)
    time.sleep(0.5)
    receiver.terminate()
    receiver.wait(timeout=10)
    import json

    received = json.loads(counts_file.read_text()) if counts_file.exists() else {}
    if delivered != events:
        failures.append(f"{events - delivered} deliveries not delivered within {arguments.timeout:.0f} s")
    if received.get("unique") != events:
        failures.append(f"the receiver counted {received.get('unique')} distinct events, not {events}")
    if received.get("bad_signatures"):
        failures.append(f"{received['bad_signatures']} deliveries were badly signed")
    rate = delivered / seconds if seconds else 0.0
    scaled = seconds * TARGET_EVENTS / events
    p95 = sorted(timings)[max(int(len(timings) * 0.95) - 1, 0)]
    say(
        f"  recorded (each in its transaction, its task queued on commit): {announced:.2f} s; "
        f"per event median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms"
    )
    say(
        f"  {WORKERS} workers delivered them in {seconds:.2f} s (first attempt to last delivery): "
        f"{rate:,.0f} deliveries/s; "
        f"received {received.get('posts', 0):,} POSTs, {received.get('unique', 0):,} distinct events, "
        f"{received.get('bad_signatures', 0)} bad signatures"
    )
    verdict = "met" if scaled < TARGET_SECONDS else "NOT MET"
    say(
        f"  at {TARGET_EVENTS:,} events: {scaled:.1f} s (target < {TARGET_SECONDS:.0f} s: {verdict}; "
        f"{TARGET_SECONDS / scaled:.1f}× under it)"
    )
    say(
        f"  the request that caused an event waited {statistics.median(timings):.2f} ms for it (median); "
        f"a POST sent from the request itself would add the receiver's own handling "
        f"({received.get('median_handling_ms', 0):.2f} ms here), the network and every outage of the receiver"
    )
    path = results_save(
        prefix="webhooks-",
        ci=arguments.ci,
        data={
            "events": events,
            "workers": WORKERS,
            "announce_seconds": announced,
            "announce_median_ms": statistics.median(timings),
            "seconds": seconds,
            "deliveries_per_second": rate,
            "received": received,
            "target_seconds": TARGET_SECONDS,
            "scaled_seconds": scaled,
            "met": scaled < TARGET_SECONDS and not failures,
        },
    )
    say(f"  saved {path.relative_to(ROOT)}")
    if arguments.ci:
        return smoke_verdict(failures)
    for failure in failures:
        say(f"  FAILED: {failure}")
    return 1 if failures or scaled >= TARGET_SECONDS else 0


if __name__ == "__main__":
    sys.exit(main())
