"""What the benchmarks share: the console line, the database they name, the 95th percentile of their
timings, a count of the SQL statements of a block, and the saving of their results with when and on
what machine they were measured.

Django is imported inside the functions: an entry script sets the environment before Django starts.
"""

import datetime
import json
import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
# The load average before the run: every benchmark imports this module before it builds or measures.
LOAD_AT_START = os.getloadavg()


def say(message: str) -> None:
    print(message, flush=True)


def describe_database() -> str:
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite file {settings_dict['NAME']}"
    return (
        f"{connection.vendor} database {settings_dict['NAME']} on {settings_dict.get('HOST') or 'localhost'}"
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


class QueryCount:
    """The SQL statements run while installed, counted but not kept (unlike CaptureQueriesContext):
    `with connection.execute_wrapper(counted := QueryCount()): ...`, then `counted.queries`."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def database_engine() -> dict | None:
    """The database vendor and server version of this process's connection; None before Django starts."""
    from django.apps import apps

    if not apps.ready:
        return None
    from django.db import connection

    return {
        "vendor": connection.vendor,
        "version": ".".join(str(part) for part in connection.get_database_version()),
    }


def _proc_value(path: str, key: str) -> str | None:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), None)


def machine_describe(*, database: dict | None = None) -> dict:
    """The machine a run measured on: CPU model, logical CPUs, memory, the load average before the run,
    Python, Django and the database (`database`, or this process's connection)."""
    import django

    memory_kb = _proc_value("/proc/meminfo", "MemTotal")
    return {
        "cpu_model": _proc_value("/proc/cpuinfo", "model name") or platform.processor() or None,
        "cpus": os.cpu_count(),
        "memory_gib": round(int(memory_kb.split()[0]) / 1024 / 1024, 1) if memory_kb else None,
        "load_average_before": [round(value, 2) for value in LOAD_AT_START],
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database or database_engine(),
    }


def results_save(*, prefix: str, data: dict, ci: bool = False, database: dict | None = None) -> Path:
    """Write one run's figures as bench/results/<prefix><date-time>.json (the folder is git-ignored), with
    `measured_at` (ISO time with its zone), `machine` (machine_describe) and `ci` (a smoke run at the
    small size, whose figures bench/readme leaves out of the README unless named). `database`: the vendor
    and version, for a process whose own connection is not the one measured (bench/run's parent)."""
    now = datetime.datetime.now().astimezone()
    data = {
        "benchmark": prefix.rstrip("-"),
        **data,
        "measured_at": now.isoformat(timespec="seconds"),
        "machine": {**data.get("machine", {}), **machine_describe(database=database)},
        "ci": ci,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{prefix}{now:%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return path


def smoke_verdict(failures: list[str]) -> int:
    """The exit status of a CI smoke run (--ci): 1 only when something could not be measured; its missed
    targets are printed above it and do not count (few runs on a busy CI machine)."""
    if failures:
        say("Smoke run (--ci): NOT MEASURED: " + "; ".join(failures))
        return 1
    say("Smoke run (--ci): everything was measured; its timing targets are not enforced.")
    return 0


def client_signed_in(user):
    """A test client signed in as `user`, as signing in leaves the session: verified by the person's
    authenticator app when they have one (bench/throughput gives one to those whose role requires it)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def database_wipe() -> None:
    """Empty the benchmark's database for --reset and migrate it again. PostgreSQL's triggers refuse
    TRUNCATE and DELETE on the evidence tables (migration 0013), as they must, so Django's flush cannot
    empty it: there the schema is dropped and made again (the benchmark's own database only; production's
    role owns no table and could not). SQLite, which has no such triggers, is flushed."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    else:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)  # the role groups and the audit chain heads again


def planner_statistics_refresh() -> None:
    """The tables after a bulk load as production keeps them: PostgreSQL's autovacuum would VACUUM and
    ANALYZE them within a minute (a server with autovacuum off, as this machine's, never would); on SQLite
    beat's hourly database_statistics_refresh (core.dbstats). VACUUM marks the pages all-visible, which
    lets an index answer alone: the Party Group secretary's 6,000 grants are then read from their index,
    not from 357 table pages (his to-do page's SQL 4.6 → 3.4 ms)."""
    from django.db import connection

    from core.dbstats import database_statistics_refresh

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    database_statistics_refresh()
