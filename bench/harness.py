"""What the benchmarks share: the console line, the database they name, the 95th percentile of their
timings, a count of the SQL statements of a block, and the folder their results are saved in.

Django is imported inside the functions: an entry script sets the environment before Django starts.
"""

import datetime
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"


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


def results_save(*, prefix: str, data: dict) -> Path:
    """Write one run's figures as bench/results/<prefix><date-time>.json (the folder is git-ignored)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{prefix}{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return path
