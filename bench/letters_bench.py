"""Benchmark at province scale (DESIGN.md §6): are the busiest pages and the bulk issue fast enough?

Builds, in a dedicated database, 2,000 units each with a head and staff, 20,000 users and 50,000
letters over three yearly campaigns (two archived, the current one half signed), with their clauses,
signatures, audit events and object permissions, written with bulk_create. Then measures, with
Django's test client:

- the to-do page (responsibility:todo) of a busy unit head and of the Party Group secretary,
- the campaign progress page (responsibility:campaign-detail) and the letter list of the office,
- the real services.issuing.campaign_issue_letters issuing 2,000 letters at once (inside a
  transaction that is then rolled back, so the data set stays the same from run to run).

Run it with bench/run (see there for the options).

This module prepares the database and runs the steps; bench/letters_data.py builds the data set,
bench/letters_measures.py measures, and bench/letters_report.py prints and saves the figures.
"""

import argparse
import os
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, describe_database, say
from bench.letters_data import CURRENT_TITLE, Scale, build_data, count_rows, find_people
from bench.letters_measures import measure_bulk_issue, measure_page
from bench.letters_report import Report, print_report, save_report

SQLITE_DIR = Path("/tmp/letters-bench")


def prepare_database(*, reuse: bool, reset: bool) -> bool:
    """Point Django at the bench database and migrate it. True when the data set is already there."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{SQLITE_DIR / 'db.sqlite3'}")
    os.environ.setdefault("DJANGO_VAR_DIR", str(SQLITE_DIR / "var"))
    url = os.environ["DATABASE_URL"]
    default_sqlite = url == f"sqlite:///{SQLITE_DIR / 'db.sqlite3'}"
    if default_sqlite and not reuse:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)  # our own folder: always start clean
    SQLITE_DIR.mkdir(parents=True, exist_ok=True)
    Path(os.environ["DJANGO_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from responsibility.letters.models.letters import Campaign

    call_command("migrate", verbosity=0)
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
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)  # recreates the role groups and the audit chain head
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="measure on the data built by the last run")
    parser.add_argument("--reset", action="store_true", help="wipe a non-empty DATABASE_URL database first")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--units", type=int, default=Scale.units)
    parser.add_argument("--users", type=int, default=Scale.users)
    parser.add_argument("--letters", type=int, default=Scale.letters)
    options = parser.parse_args(argv)
    scale = Scale(units=options.units, users=options.users, letters=options.letters)

    built = prepare_database(reuse=options.reuse, reset=options.reset)
    report = Report(database=describe_database(), scale=asdict(scale))
    if not built:
        say(f"Building the data set in {report.database}")
        started = time.perf_counter()
        build_data(scale)
        report.build_seconds = time.perf_counter() - started
    report.counts = count_rows()
    people = find_people()
    campaign = people["campaign"]

    pages = [
        ("to-do, busiest unit head", people["head"], "responsibility:todo", (), True),
        ("to-do, Party Group secretary", people["secretary"], "responsibility:todo", (), True),
        (
            "campaign progress, office",
            people["office_admin"],
            "responsibility:campaign-detail",
            (campaign.pk,),
            True,
        ),
        ("letter list, office", people["office_admin"], "responsibility:letter-list", (), False),
    ]
    for name, user, url_name, args, required in pages:
        say(f"Measuring {name} …")
        page = measure_page(name=name, user=user, url_name=url_name, args=args, requests=options.requests)
        page.required = required
        report.pages.append(page)
    say("Measuring the bulk issue of one letter to every unit head …")
    measure_bulk_issue(report, people)

    all_ok = print_report(report)
    say(f"Saved {save_report(report).relative_to(ROOT)}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
