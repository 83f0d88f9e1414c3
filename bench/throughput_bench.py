"""Throughput under load: gunicorn's 4 workers against the letters benchmark's database, driven by locust.

The database is one built by the letters benchmark (bench/run): 2,000 units, 20,000 users, and 50,000
letters (big) or 5,000 (small). This script signs people in (sessions written straight into the
database, verified by the second factor where their role requires one), starts gunicorn on a free
loopback port with production's settings (bench/throughput_settings.py) and Redis as the cache, then
runs locust headless, bounded in users and time, on each page at each concurrency:

  to-do, busiest unit heads   the to-do page of the unit heads with the most letters waiting
  to-do, Party Group secretary  the to-do page of the one Party Group secretary
  letter page                 a unit head's own letter and the letters he issued, in turn

Targets (the issue), at concurrency 8: the to-do page ≥ 40 requests/s with p99 ≤ 500 ms, the letter
page ≥ 50 requests/s. Other concurrencies are shown for the shape of the curve. Every response must be
a 200: a redirect (to sign in, to the second factor) is a failure.

Prints a table per page (requests/s, p50, p95, p99, failures; the CPU time per request of gunicorn's
workers, of PostgreSQL's backends and of locust, and what gunicorn and PostgreSQL could serve with the
cores to themselves; the load average; the target, met / NOT MET) and saves
bench/results/throughput-<date-time>.json (described in results_data below). On a machine shared with
other work the requests/s depend on that work; the CPU per request does not.

Run it with bench/throughput (see there for the options).
"""

import argparse
import csv
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, describe_database, planner_statistics_refresh, results_save, say
from bench.letters_bench import SIZES, SQLITE_DIR, postgres_database_ensure, size_database_url

SETTINGS = os.environ.get("THROUGHPUT_SETTINGS", "bench.throughput_settings")
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/13"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
BIN = Path(sys.executable).parent
TARGET_CONCURRENCY = 8
TARGETS = {  # per page: at TARGET_CONCURRENCY
    "todo-heads": {"requests_per_second": 40.0, "p99_ms": 500.0},
    "todo-secretary": {"requests_per_second": 40.0, "p99_ms": 500.0},
    "letter": {"requests_per_second": 50.0, "p99_ms": None},
}
TITLES = {
    "todo-heads": "to-do, busiest unit heads",
    "todo-secretary": "to-do, Party Group secretary",
    "letter": "letter page, unit heads",
}


@dataclass
class Run:
    """One page at one concurrency."""

    concurrency: int
    seconds: float
    requests: int = 0
    failures: int = 0
    requests_per_second: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    server_cpu_ms_per_request: float | None = None
    database_cpu_ms_per_request: float | None = None  # PostgreSQL's backends serving gunicorn
    generator_cpu_ms_per_request: float | None = None
    # What the server side could serve on the machine's cores with nothing else running (the load coming
    # from elsewhere): cores / (gunicorn's + PostgreSQL's CPU per request).
    capacity_per_second: float | None = None
    load_before: list[float] = field(default_factory=list)
    load_after: list[float] = field(default_factory=list)
    failure_messages: list[str] = field(default_factory=list)
    met: bool | None = None  # None: no target at this concurrency
    missed: list[str] = field(default_factory=list)


@dataclass
class Scenario:
    key: str
    name: str
    people: list[str]
    sessions: list[dict]  # {"key": session key, "person": name, "urls": [...]}
    target: dict
    queries: int | None = None  # median over the scenario's pages, one request each
    html_bytes: int | None = None
    runs: list[Run] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="quick run for CI on the small data set")
    parser.add_argument("--database", help="database URL (default: the letters benchmark's, per size)")
    parser.add_argument("--size", choices=SIZES, help="which of the letters benchmark's data sets")
    parser.add_argument("--build", action="store_true", help="build the data set if the database has none")
    parser.add_argument("--seconds", type=float, help="locust run time per page and concurrency")
    parser.add_argument("--concurrency", help="comma-separated numbers of simulated users")
    parser.add_argument("--pages", default=",".join(TARGETS), help="which pages (default: all)")
    parser.add_argument("--people", type=int, default=8, help="distinct unit heads per page (default 8)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--cache", default=os.environ.get("DJANGO_CACHE_URL", DEFAULT_CACHE_URL))
    options = parser.parse_args(argv)
    size = options.size or ("small" if options.small else "big")
    seconds = options.seconds or (4.0 if options.small else 20.0)
    concurrency_text = options.concurrency or ("1,8" if options.small else "1,8,32")
    concurrencies = [int(number) for number in concurrency_text.split(",")]
    keys = [key.strip() for key in options.pages.split(",") if key.strip()]
    unknown = set(keys) - set(TARGETS)
    if unknown:
        parser.error(f"unknown pages {sorted(unknown)}; known: {', '.join(TARGETS)}")

    database_url = (
        options.database
        or os.environ.get("THROUGHPUT_DATABASE_URL")
        or size_database_url(os.environ.get("DATABASE_URL"), size)
    )
    os.environ.update(
        DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE=SETTINGS, DJANGO_CACHE_URL=options.cache
    )
    os.environ.setdefault("DJANGO_VAR_DIR", str(SQLITE_DIR / "throughput" / size / "var"))
    database_prepare(database_url, build=options.build, letters=SIZES[size])

    from django.conf import settings
    from django.db import connection

    from bench.letters_data import count_rows

    people = people_find(count=options.people)
    scenarios = [scenario_sign_in(key, people, slots=max(concurrencies)) for key in keys]
    for scenario in scenarios:
        say(f"Checking {scenario.name}: every page once through Django's test client …")
        scenario_check(scenario)
    connection.close()  # the benchmark holds no connection while gunicorn serves

    with tempfile.TemporaryDirectory(prefix="throughput-") as folder:
        folder = Path(folder)
        plan = folder / "plan.json"
        plan.write_text(
            json.dumps(
                {
                    "session_cookie_name": settings.SESSION_COOKIE_NAME,
                    "scenarios": {s.key: {"name": s.name, "sessions": s.sessions} for s in scenarios},
                },
                ensure_ascii=False,
            )
        )
        with Gunicorn(workers=options.workers, log=folder / "gunicorn.log") as server:
            say(f"gunicorn: {options.workers} workers on {server.url} ({SETTINGS}, cache {options.cache})")
            warm_up(server.url, scenarios, settings.SESSION_COOKIE_NAME)
            for scenario in scenarios:
                for users in concurrencies:
                    say(f"locust: {scenario.name}, {users} users, {seconds:g} s …")
                    run = locust_run(
                        server=server, plan=plan, scenario=scenario, users=users, seconds=seconds, work=folder
                    )
                    run_judge(run, scenario.target)
                    scenario.runs.append(run)

    data = results_data(
        scenarios=scenarios,
        size=size,
        small=options.small,
        database=describe_database(),
        counts=count_rows(),
        workers=options.workers,
        cache=options.cache,
        seconds=seconds,
    )
    all_met = report_print(data)
    saved = results_save(prefix="throughput-", data=data, ci=options.small)
    say(f"Saved {saved.relative_to(ROOT)}")
    failed = any(run.failures for scenario in scenarios for run in scenario.runs)
    if failed:
        return 1
    # The quick run checks that the benchmark still runs; its figures (a few seconds, small data set,
    # whatever machine CI has) are shown against the targets but do not decide the exit status.
    return 0 if all_met or options.small else 1


# --- The database and the people ---------------------------------------------------------------------


def database_prepare(url: str, *, build: bool, letters: int) -> None:
    """Migrate the database; build the letters benchmark's data set in it if asked and missing."""
    if url.startswith("postgres"):
        postgres_database_ensure(url)
    elif url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from accounts.models import User
    from bench.letters_data import CURRENT_TITLE, Scale, build_data
    from responsibility.letters.models.letters import Campaign
    from tests.migrated_databases import database_migrate

    database_migrate()  # a new SQLite file: a copy of the migrated template
    if Campaign.objects.filter(title=CURRENT_TITLE).exists():
        planner_statistics_refresh()
        return
    if not build:
        raise SystemExit(
            f"throughput: {describe_database()} has no letters benchmark data; build it with bench/run "
            "(see its --help), or pass --build."
        )
    if User.objects.exists():
        raise SystemExit(f"throughput: {describe_database()} is not empty; use a dedicated database.")
    say(f"Building the letters benchmark's data set ({letters:,} letters) in {describe_database()}")
    build_data(Scale(letters=letters))
    planner_statistics_refresh()


def people_find(*, count: int) -> dict:
    """The unit heads with the most letters waiting (as the letters benchmark picks its busiest one),
    each with the letters he may open, and the Party Group secretary."""
    from django.db.models import Count, Q

    from accounts.models import Post, PostKind, User
    from bench.letters_data import CURRENT_TITLE
    from responsibility.letters.models.letters import Campaign, Letter, LetterStatus

    campaign = Campaign.objects.get(title=CURRENT_TITLE)
    busiest = (
        Letter.objects.filter(campaign=campaign, parent__isnull=False)
        .values("issuer_id")
        .annotate(waiting=Count("pk", filter=Q(status=LetterStatus.SIGNED)), total=Count("pk"))
        .order_by("-waiting", "-total", "issuer_id")[:count]
    )
    heads = []
    for row in busiest:
        head = User.objects.get(pk=row["issuer_id"])
        own = Letter.objects.filter(campaign=campaign, signer=head, parent__isnull=True).values_list(
            "pk", flat=True
        )
        issued = Letter.objects.filter(campaign=campaign, issuer=head, parent__isnull=False).order_by("pk")
        heads.append((head, [*own, *issued.values_list("pk", flat=True)[:2]]))
    secretary = Post.objects.get(kind=PostKind.PARTY_SECRETARY).holder
    return {"heads": heads, "secretary": secretary}


def session_create(user) -> str:
    """A signed-in session for `user`, as signing in leaves it: the auth keys, the idle clock started,
    and verified by an authenticator app when the person's role requires one."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.sessions import LAST_ACTIVITY_KEY
    from accounts.two_factor.selectors import second_factor_required
    from core import clock

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[LAST_ACTIVITY_KEY] = clock.now().timestamp()
    if second_factor_required(user=user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="throughput bench", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key


def scenario_sign_in(key: str, people: dict, *, slots: int) -> Scenario:
    """One session per simulated user (up to `slots`), the people taken in turn."""
    from django.urls import reverse

    todo = reverse("responsibility:todo")
    if key == "todo-heads":
        pages = [(head, [todo]) for head, _ in people["heads"]]
    elif key == "todo-secretary":
        pages = [(people["secretary"], [todo])]
    else:
        pages = [
            (head, [reverse("responsibility:letter-detail", args=(pk,)) for pk in letters])
            for head, letters in people["heads"]
        ]
    sessions = []
    for slot in range(slots):
        person, urls = pages[slot % len(pages)]
        sessions.append({"key": session_create(person), "person": str(person), "urls": urls})
    return Scenario(
        key=key,
        name=TITLES[key],
        people=sorted({str(person) for person, _ in pages}),
        sessions=sessions,
        target=TARGETS[key] | {"concurrency": TARGET_CONCURRENCY},
    )


def scenario_check(scenario: Scenario) -> None:
    """Open each distinct page of the scenario once, as its person (a 200, or the run stops); keep the
    median of their queries and HTML sizes."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    queries, sizes, seen = [], [], set()
    for session in scenario.sessions:
        for url in session["urls"]:
            if (session["person"], url) in seen:
                continue
            seen.add((session["person"], url))
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = session["key"]
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"throughput: {url} as {session['person']} answered {response.status_code}")
            queries.append(len(captured))
            sizes.append(len(response.content))
    scenario.queries = round(statistics.median(queries))
    scenario.html_bytes = round(statistics.median(sizes))


# --- The server and the load -------------------------------------------------------------------------


class Gunicorn:
    """`gunicorn config.wsgi` with N sync workers on a free loopback port, stopped on exit."""

    def __init__(self, *, workers: int, log: Path):
        self.workers, self.log = workers, log

    def __enter__(self) -> "Gunicorn":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        command = [str(BIN / "gunicorn"), "config.wsgi", f"--workers={self.workers}"]
        command += [f"--bind=127.0.0.1:{port}", f"--error-logfile={self.log}", f"--access-logfile={self.log}"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"throughput: gunicorn stopped at start:\n{self.log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(self.url + "/accounts/login/", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        else:
            raise SystemExit("throughput: gunicorn did not answer within 60 s")
        return self

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time used so far by each worker."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return _processes_cpu_seconds(int(pid) for pid in children)

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def warm_up(base_url: str, scenarios: list[Scenario], cookie_name: str) -> None:
    """Every page twice per worker's worth, so that each worker has imported the views and filled the
    cached template loader before anything is timed."""
    requests = [
        (url, session["key"])
        for scenario in scenarios
        for session in scenario.sessions
        for url in session["urls"]
    ]

    def fetch(item) -> None:
        url, key = item
        request = urllib.request.Request(base_url + url, headers={"Cookie": f"{cookie_name}={key}"})
        urllib.request.urlopen(request, timeout=60).read()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(fetch, requests[:64] * 2))


def locust_run(
    *, server: Gunicorn, plan: Path, scenario: Scenario, users: int, seconds: float, work: Path
) -> Run:
    """locust headless against the server: `users` simulated users for `seconds`, its figures read
    from its CSV summary; gunicorn's and locust's CPU time counted around it."""
    run = Run(concurrency=users, seconds=seconds, load_before=list(os.getloadavg()))
    prefix = work / f"{scenario.key}-{users}"
    command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
    command += [f"--users={users}", f"--spawn-rate={users}", f"--run-time={seconds:g}s", "--stop-timeout=10"]
    command += [f"--host={server.url}", f"--csv={prefix}", "--loglevel=WARNING", "--exit-code-on-error=0"]
    env = dict(os.environ, THROUGHPUT_PLAN=str(plan), THROUGHPUT_SCENARIO=scenario.key)
    server_before, generator_before = server.cpu_seconds(), _children_cpu_seconds()
    with DatabaseBackendsCpu() as database:
        completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    generator_cpu = _children_cpu_seconds() - generator_before
    server_cpu = _cpu_used(server_before, server.cpu_seconds())
    database_cpu = database.seconds
    run.load_after = list(os.getloadavg())
    if completed.returncode != 0:
        raise SystemExit(f"throughput: locust failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        row = next(row for row in csv.DictReader(stats) if row["Name"] == scenario.name)
    run.requests = int(row["Request Count"])
    run.failures = int(row["Failure Count"])
    run.requests_per_second = float(row["Requests/s"])
    if run.requests:
        run.p50_ms, run.p95_ms, run.p99_ms = (float(row[key]) for key in ("50%", "95%", "99%"))
        run.max_ms = float(row["Max Response Time"])
        run.server_cpu_ms_per_request = server_cpu * 1000 / run.requests
        run.database_cpu_ms_per_request = database_cpu * 1000 / run.requests
        run.generator_cpu_ms_per_request = generator_cpu * 1000 / run.requests
        used = server_cpu + database_cpu
        run.capacity_per_second = (os.cpu_count() or 1) * run.requests / used if used else None
    with open(f"{prefix}_failures.csv", encoding="utf-8") as failures:
        run.failure_messages = [f"{row['Occurrences']}× {row['Error']}" for row in csv.DictReader(failures)]
    return run


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _processes_cpu_seconds(pids) -> dict[int, float]:
    """CPU time (user + system) used so far by each of these processes that still runs."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return found


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU time used between two readings; a process that started in between counts from zero, one that
    ended in between is lost (PostgreSQL backends live as long as gunicorn's connections, CONN_MAX_AGE)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


class DatabaseBackendsCpu:
    """CPU time of the PostgreSQL backends serving the benchmark's database while a run lasts (0 on
    SQLite), read from /proc every 0.2 s: gunicorn's connections end after CONN_MAX_AGE and new ones
    start, and read only before and after a run, an ended backend's CPU was lost (the letter page, run
    third, showed 2 ms per request instead of 10). A backend that ends between two readings loses at most
    what it used in its last 0.2 s, and a connection ends idle."""

    INTERVAL = 0.2

    def __init__(self):
        from django.db import connection

        self._title = f" {connection.settings_dict['NAME']} " if connection.vendor == "postgresql" else None
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)
        self.seconds = 0.0

    def __enter__(self) -> "DatabaseBackendsCpu":
        if self._title is not None:
            self._first = self._read()  # running before the run: counted from here
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._title is None:
            return
        self._stop.set()
        self._thread.join()
        self._last.update(self._read())
        self.seconds = _cpu_used(self._first, self._last)

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(self.INTERVAL):
            self._last.update(self._read())

    def _read(self) -> dict[int, float]:
        """Each backend's CPU so far; a backend's process title names its database."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres:") and self._title in title:
                pids.append(int(entry.name))
        return _processes_cpu_seconds(pids)


def run_judge(run: Run, target: dict) -> None:
    """Hold a run at the target's concurrency to the target; any run to no failures."""
    if run.failures:
        run.missed.append(f"{run.failures} failed requests")
    if run.concurrency != target["concurrency"]:
        run.met = False if run.failures else None
        return
    if run.requests_per_second < target["requests_per_second"]:
        run.missed.append(f"{run.requests_per_second:.1f} < {target['requests_per_second']:g} req/s")
    if target["p99_ms"] is not None and (run.p99_ms is None or run.p99_ms > target["p99_ms"]):
        run.missed.append(f"p99 {run.p99_ms:g} > {target['p99_ms']:g} ms")
    run.met = not run.missed


# --- The report --------------------------------------------------------------------------------------


def results_data(*, scenarios, size, small, database, counts, workers, cache, seconds) -> dict:
    """The saved figures. `scenarios`: per page, its `name`, `people` (distinct persons signed in),
    `queries` and `html_bytes` (median of one request per page), `target` (requests_per_second and
    p99_ms or null, at `concurrency`) and `runs`, one per concurrency: requests, failures,
    requests_per_second, p50_ms, p95_ms, p99_ms, max_ms, server_cpu_ms_per_request (gunicorn's workers),
    database_cpu_ms_per_request (PostgreSQL's backends), generator_cpu_ms_per_request (locust),
    capacity_per_second (the machine's cores divided by gunicorn's and PostgreSQL's CPU per request:
    what the server side could serve with the cores to itself), load_before/load_after (1, 5 and
    15-minute load averages), `met` (null where no target applies) and the `missed` reasons."""
    from django.template import engines

    loaders = engines["django"].engine.loaders
    return {
        "benchmark": "throughput",
        "size": size,
        "quick": small,
        "database": database,
        "counts": counts,
        "server": {
            "command": f"gunicorn config.wsgi --workers={workers}",
            "settings": SETTINGS,
            "cache": cache,
            "template_loaders": [loader if isinstance(loader, str) else loader[0] for loader in loaders],
        },
        "load_generator": {
            "tool": "locust (FastHttpUser), headless, no wait between requests",
            "seconds_per_run": seconds,
        },
        "machine": {"cpus": os.cpu_count()},
        "scenarios": [
            {key: value for key, value in asdict(scenario).items() if key != "sessions"}
            for scenario in scenarios
        ],
        "met": all(run.met is not False for scenario in scenarios for run in scenario.runs),
    }


def report_print(data: dict) -> bool:
    say("")
    letters = data["counts"]["letters"]
    say(f"Throughput — {data['database']} ({letters:,} letters), {data['server']['command']}")
    say(f"locust {data['load_generator']['seconds_per_run']:g} s per run; {data['machine']['cpus']} CPUs")
    for scenario in data["scenarios"]:
        target = scenario["target"]
        wanted = f"≥ {target['requests_per_second']:g} req/s"
        if target["p99_ms"] is not None:
            wanted += f", p99 ≤ {target['p99_ms']:g} ms"
        say("")
        say(
            f"{scenario['name']} ({len(scenario['people'])} people; {scenario['queries']} queries, "
            f"{scenario['html_bytes'] / 1024:.1f} KB)"
        )
        say(
            f"  {'users':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'fails':>6} "
            f"{'CPU ms/req: gunicorn':>20} {'db':>3} {'locust':>6} {'cores alone':>11} {'load':>11}  "
            f"{'target':<28} met"
        )
        for run in scenario["runs"]:
            goal = wanted if run["concurrency"] == target["concurrency"] else "—"
            met = {True: "met", False: "NOT MET", None: "—"}[run["met"]]
            if run["missed"]:
                met += f" ({'; '.join(run['missed'])})"
            say(
                f"  {run['concurrency']:>5} {run['requests_per_second']:>7.1f} {_ms(run['p50_ms'])} "
                f"{_ms(run['p95_ms'])} {_ms(run['p99_ms'])} {run['failures']:>6} "
                f"{_ms(run['server_cpu_ms_per_request'], 20)} {_ms(run['database_cpu_ms_per_request'], 3)} "
                f"{_ms(run['generator_cpu_ms_per_request'], 6)} {_ms(run['capacity_per_second'], 11)} "
                f"{run['load_before'][0]:>5.2f}→{run['load_after'][0]:<5.2f}  {goal:<28} {met}"
            )
            for message in run["failure_messages"][:3]:
                say(f"        {message}")
    say("")
    say("All targets met." if data["met"] else "Some targets NOT MET.")
    return data["met"]


def _ms(value, width: int = 7) -> str:
    return f"{value:>{width}.0f}" if value is not None else f"{'—':>{width}}"


if __name__ == "__main__":
    sys.exit(main())
