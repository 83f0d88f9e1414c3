"""Benchmark at province scale (DESIGN.md §6): does every letter page stay O(rows shown)?

The same organisation (2,000 units, 20,000 users) is built twice, in two databases: a small one with
5,000 letters and a big one with 50,000 (yearly campaigns, the current one half signed, with clauses,
signatures, sealed-PDF records, audit events and object permissions, written with bulk_create). On each,
Django's test client opens every letter page a user opens often: the to-do page (busiest unit head,
Party Group secretary), campaign progress and the campaign tree, the letter list (office, inspector, a
unit head; filtered by status and by campaign; a page 200 pages deep), the archive and a letter. The
real services.issuing.campaign_issue_letters then issues 2,000 letters at once on the big database
(inside a transaction that is rolled back, so the data set stays the same from run to run).

Each page is held to the issue's targets at both sizes: median ≤ 150 ms (to-do: ≤ 40 ms and ≤ 10
queries), ≤ 300 KB of HTML, the same number of queries at both sizes, and a big/small time ratio ≤ 1.3;
a page that shows more rows at the big size (its HTML > 1.1×, as a unit head with more letters) is held
to that ratio per KB of HTML, since a page's time may follow the rows it shows.

Run it with bench/run (see there for the options). Each size is measured by a child process of this
script (Django reads its database once per process); the parent prints the table and saves the JSON.

This module prepares the databases and runs the steps; bench/letters_data.py builds the data set,
bench/letters_measures.py measures, and bench/letters_report.py prints and saves the figures.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    database_engine,
    database_wipe,
    describe_database,
    planner_statistics_refresh,
    say,
    smoke_verdict,
)
from bench.letters_data import CURRENT_TITLE, Scale, build_data, count_rows, find_people
from bench.letters_measures import api_client_for, late_page_query, measure_bulk_issue, measure_page
from bench.letters_report import SizeRun, combine, print_report, save_report, unmeasured

SQLITE_DIR = Path(os.environ.get("LETTERS_BENCH_DIR", "/tmp/letters-bench"))
SIZES = {"small": 5_000, "big": 50_000}  # letters; the organisation is the same


def size_database_url(base_url: str | None, size: str) -> str:
    """The database of one size: a SQLite file per size under SQLITE_DIR, or on PostgreSQL the database
    DATABASE_URL names (big) and `<name>_small` (small)."""
    if not base_url:
        return f"sqlite:///{SQLITE_DIR / size / 'db.sqlite3'}"
    if size == "big":
        return base_url
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + f"_{size}"))


def postgres_database_ensure(url: str) -> None:
    """Create the PostgreSQL database `url` names if it does not exist yet (migrate needs it)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare_database(*, reuse: bool, reset: bool, fresh_sqlite_dir: Path | None) -> bool:
    """Migrate the database of this process. True when the data set is already there."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if fresh_sqlite_dir is not None and not reuse:
        shutil.rmtree(fresh_sqlite_dir, ignore_errors=True)  # our own folder: always start clean
    if fresh_sqlite_dir is not None:
        fresh_sqlite_dir.mkdir(parents=True, exist_ok=True)
    Path(os.environ["DJANGO_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from accounts.models import User
    from responsibility.letters.models.letters import Campaign
    from tests.migrated_databases import database_migrate

    database_migrate()  # a new SQLite file: a copy of the migrated template
    built = Campaign.objects.filter(title=CURRENT_TITLE).exists()
    if reuse:
        if not built:
            raise SystemExit("bench: --reuse, but this database has no bench data; run without --reuse.")
        return True
    if User.objects.exists():
        if not reset:
            raise SystemExit(
                "bench: the database at DATABASE_URL is not empty. Use a dedicated database, and pass "
                "--reset to wipe it (or --reuse to measure on the data already built)."
            )
        say("Wiping the database (--reset)")
        database_wipe()
    return False


def security_admin_find():
    """The security administrator who grants the API clients' roles (made once if the data set has none)."""
    from accounts.models import User
    from accounts.roles import Role
    from tests.factories import UserFactory

    found = User.objects.filter(groups__name=Role.SECURITY_ADMIN).order_by("pk").first()
    return found or UserFactory(full_name="安全员", roles=[Role.SECURITY_ADMIN])


def measure_size(options) -> SizeRun:
    """Child process: build (or reuse) one size's data set and measure every page on it."""
    sqlite_dir = SQLITE_DIR / options.size if os.environ["DATABASE_URL"].startswith("sqlite") else None
    built = prepare_database(reuse=options.reuse, reset=options.reset, fresh_sqlite_dir=sqlite_dir)
    scale = Scale(units=options.units, users=options.users, letters=options.letters)
    run = SizeRun(
        label=options.size, database=describe_database(), scale=asdict(scale), engine=database_engine()
    )
    if not built:
        say(f"[{options.size}] Building the data set in {run.database}")
        started = time.perf_counter()
        build_data(scale)
        planner_statistics_refresh()
        run.build_seconds = time.perf_counter() - started
    run.counts = count_rows()
    people = find_people()
    campaign = people["campaign"]
    office, inspector, head = people["office_admin"], people["inspector"], people["head"]

    pages = [
        ("to-do, busiest unit head", head, "responsibility:todo", (), ""),
        ("to-do, Party Group secretary", people["secretary"], "responsibility:todo", (), ""),
        ("campaign progress, office", office, "responsibility:campaign-detail", (campaign.pk,), ""),
        ("campaign tree, office", office, "responsibility:campaign-tree", (campaign.pk,), ""),
        ("letter list, office", office, "responsibility:letter-list", (), ""),
        ("letter list, inspector", inspector, "responsibility:letter-list", (), ""),
        ("letter list, busiest unit head", head, "responsibility:letter-list", (), ""),
        ("letter list, office, status signed", office, "responsibility:letter-list", (), "status=signed"),
        (
            "letter list, office, current campaign",
            office,
            "responsibility:letter-list",
            (),
            f"campaign={campaign.pk}",
        ),
        ("letter list, office, page 200", office, "responsibility:letter-list", (), late_page_query(office)),
        ("archive, office", office, "responsibility:archive", (), ""),
        ("letter, its signer (unit head)", head, "responsibility:letter-detail", (people["letter"].pk,), ""),
    ]
    for name, user, url_name, args, query in pages:
        say(f"[{options.size}] Measuring {name} …")
        run.pages.append(
            measure_page(
                name=name, user=user, url_name=url_name, args=args, query=query, requests=options.requests
            )
        )
    # The REST API's lists, called with a client token whose account holds the same roles as the person.
    security_admin = security_admin_find()
    api_calls = [
        ("API letters, inspection team", inspector, "api:letter-list", (), ""),
        ("API letters, inspection team, status signed", inspector, "api:letter-list", (), "status=signed"),
        ("API campaigns, inspection team", inspector, "api:campaign-list", (), ""),
        ("API campaign progress, inspection team", inspector, "api:campaign-progress", (campaign.pk,), ""),
    ]
    for name, user, url_name, args, query in api_calls:
        say(f"[{options.size}] Measuring {name} …")
        run.pages.append(
            measure_page(
                name=name,
                user=user,
                url_name=url_name,
                args=args,
                query=query,
                requests=options.requests,
                client=api_client_for(user, office_admin=office, security_admin=security_admin),
            )
        )
    if options.bulk_issue:
        say(f"[{options.size}] Measuring the bulk issue of one letter to every unit head …")
        measure_bulk_issue(run, people)
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="measure on the data built by the last run")
    parser.add_argument("--reset", action="store_true", help="wipe non-empty PostgreSQL databases first")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--units", type=int, default=Scale.units)
    parser.add_argument("--users", type=int, default=Scale.users)
    parser.add_argument("--small", type=int, default=SIZES["small"], help="letters in the small data set")
    parser.add_argument("--big", type=int, default=SIZES["big"], help="letters in the big data set")
    parser.add_argument("--sizes", default="small,big", help="which sizes to measure (default small,big)")
    parser.add_argument(
        "--ci",
        action="store_true",
        help="smoke run for CI: the small size only, 5 requests a page; exit status 1 only when something "
        "could not be measured (missed targets are printed)",
    )
    # Internal: one child process per size.
    parser.add_argument("--size", help=argparse.SUPPRESS)
    parser.add_argument("--letters", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--bulk-issue", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)

    if options.size:  # the child
        run = measure_size(options)
        Path(options.out).write_text(json.dumps(asdict(run), ensure_ascii=False, default=str))
        return 0

    if options.ci:
        options.sizes, options.requests = "small", min(options.requests, 5)
    base_url = os.environ.get("DATABASE_URL")
    sizes = [size.strip() for size in options.sizes.split(",") if size.strip()]
    letters = {"small": options.small, "big": options.big}
    runs = []
    for size in sizes:
        url = size_database_url(base_url, size)
        if url.startswith("postgres"):
            postgres_database_ensure(url)
        env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings")
        env["DJANGO_VAR_DIR"] = str(SQLITE_DIR / ("pg" if base_url else "") / size / "var")
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            command = [
                sys.executable,
                __file__,
                f"--size={size}",
                f"--letters={letters[size]}",
                f"--units={options.units}",
                f"--users={options.users}",
                f"--requests={options.requests}",
                f"--out={out.name}",
            ]
            command += ["--reuse"] * options.reuse + ["--reset"] * options.reset
            command += ["--bulk-issue"] * (size == sizes[-1])
            if subprocess.run(command, env=env, cwd=ROOT).returncode != 0:
                return 2
            runs.append(SizeRun.from_dict(json.loads(Path(out.name).read_text())))
    report = combine(runs)
    all_ok = print_report(report)
    say(f"Saved {save_report(report, ci=options.ci, database=runs[-1].engine).relative_to(ROOT)}")
    if options.ci:
        return smoke_verdict(unmeasured(report))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
