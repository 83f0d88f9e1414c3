"""bench/readme: the README's Speed tables, made from the benchmarks' saved results.

Each benchmark has a region in README.md, between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`
(NAME: letters, supervision, pdf, reminders, throughput, webhooks), or one per database (NAME-sqlite,
NAME-postgresql: the newest run on that database). This command takes the newest JSON of each
benchmark in bench/results (or the files named on its command line), renders it with the benchmark's
own `markdown` (in its report module) under a line that says when and on what machine it was measured,
and rewrites those regions only. A benchmark without a JSON keeps its region as it is, and says so.

Smoke runs (bench/... --ci, bench/throughput --small) are left out unless named, or with --include-ci:
their few runs on a small data set only show that the benchmark still runs.

    bench/readme                      rewrite the regions from the newest full runs
    bench/readme bench/results/pdf-20261205-101500.json
                                      that file for its benchmark, the newest for the others
    bench/readme --check              exit status 1 if README.md differs from what it would write
"""

import argparse
import datetime
import importlib
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import RESULTS_DIR, ROOT

README = ROOT / "README.md"
RENDERERS = {  # benchmark (the prefix of its JSON files) → the report module with its markdown(data)
    "letters": "bench.letters_report",
    "supervision": "bench.supervision_report",
    "pdf": "bench.pdf_report",
    "reminders": "bench.reminders_report",
    "throughput": "bench.throughput_report",
    "webhooks": "bench.webhooks_report",
}
VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MySQL", "oracle": "Oracle"}


def benchmark_of(path: Path, data: dict) -> str:
    return data.get("benchmark") or path.name.rsplit("-", 2)[0]


def is_smoke(data: dict) -> bool:
    """A CI smoke run (bench/... --ci) or the throughput benchmark's quick run (--small)."""
    return bool(data.get("ci") or data.get("quick"))


def measured_at(path: Path, data: dict) -> datetime.datetime:
    """When the run was saved: its `measured_at`, or for older files the file's time."""
    if data.get("measured_at"):
        return datetime.datetime.fromisoformat(data["measured_at"])
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)


def vendor_of(data: dict) -> str:
    """The database a run was measured on ("sqlite", "postgresql"), or "" when it does not say."""
    engine = (data.get("machine") or {}).get("database")
    if engine:
        return engine["vendor"]
    described = str(data.get("database", "")).lower()
    return next((vendor for vendor in VENDORS if described.startswith(vendor)), "")


def region_names(name: str, data: dict) -> list[str]:
    """The regions a run of benchmark `name` may fill: its own, and its database's."""
    vendor = vendor_of(data)
    return [name, f"{name}-{vendor}"] if vendor else [name]


def results_load(paths: list[Path], *, include_ci: bool) -> dict[str, tuple[Path, dict]]:
    """The run to show per region: a file named in `paths`, else the newest full run in bench/results
    (the newest smoke run too with `include_ci`)."""
    chosen: dict[str, tuple[Path, dict]] = {}
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        name = benchmark_of(path, data)
        if name not in RENDERERS:
            raise SystemExit(f"bench/readme: {path} is of no known benchmark ({', '.join(RENDERERS)})")
        for region in region_names(name, data):
            chosen[region] = (path, data)
    newest: dict[str, tuple[datetime.datetime, Path, dict]] = {}
    for path in sorted(RESULTS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        name = benchmark_of(path, data)
        if name not in RENDERERS or (is_smoke(data) and not include_ci):
            continue
        at = measured_at(path, data)
        for region in region_names(name, data):
            if region not in chosen and (region not in newest or at > newest[region][0]):
                newest[region] = (at, path, data)
    return chosen | {region: (path, data) for region, (_at, path, data) in newest.items()}


def _database_name(data: dict) -> str:
    engine = (data.get("machine") or {}).get("database")
    if engine:
        return f"{VENDORS.get(engine['vendor'], engine['vendor'])} {engine['version']}"
    described = str(data.get("database", ""))
    return next((label for vendor, label in VENDORS.items() if described.lower().startswith(vendor)), "")


def measured_line(path: Path, data: dict) -> str:
    """When, on what machine and on what database a run was measured, and from which file."""
    at = measured_at(path, data)
    when = at.strftime("%Y-%m-%d %H:%M ") + (at.strftime("%Z") if data.get("measured_at") else "UTC")
    database = _database_name(data)
    machine = data.get("machine") or {}
    if "cpu_model" in machine:
        memory = f", {machine['memory_gib']:g} GiB" if machine.get("memory_gib") else ""
        load = machine.get("load_average_before")
        where = (
            f"on {machine['cpu_model'] or 'an unnamed CPU'}, {machine['cpus']} logical CPUs{memory}"
            + (f", load average {load[0]:.2f} before the run" if load else "")
            + f"; Python {machine['python']}, Django {machine['django']}, {database}"
        )
    else:
        when += "" if data.get("measured_at") else " (the file's time)"
        where = f"on {database} (this run recorded no more of its machine)"
    smoke = " A CI smoke run at the small size: its few runs only show that the benchmark runs." * is_smoke(
        data
    )
    return f"_Measured {when} {where}; `{path.name}`._{smoke}"


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path


def region_pattern(name: str) -> re.Pattern:
    return re.compile(
        rf"(<!-- bench:{re.escape(name)} -->\n)(.*?)(<!-- /bench:{re.escape(name)} -->)", re.DOTALL
    )


def regions_replace(text: str, blocks: dict[str, str]) -> tuple[str, list[str]]:
    """`text` with each named region's content replaced by its block; and the names without a region."""
    missing = []
    for name, block in blocks.items():
        pattern = region_pattern(name)
        if not pattern.search(text):
            missing.append(name)
            continue
        text = pattern.sub(lambda match, block=block: f"{match[1]}\n{block}\n\n{match[3]}", text, count=1)
    return text, missing


def block_render(region: str, path: Path, data: dict) -> str:
    renderer = importlib.import_module(RENDERERS[benchmark_of(path, data)])
    return f"{measured_line(path, data)}\n\n{renderer.markdown(data)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/readme",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", type=Path, help="result files to use (default: the newest)")
    parser.add_argument("--check", action="store_true", help="exit status 1 if the README would change")
    parser.add_argument("--include-ci", action="store_true", help="let the newest smoke run count too")
    parser.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)

    results = results_load(options.paths, include_ci=options.include_ci)
    text = options.readme.read_text(encoding="utf-8")
    regions = [match[1] for match in re.finditer(r"<!-- bench:([\w-]+) -->", text)]
    blocks = {region: block_render(region, *results[region]) for region in regions if region in results}
    new_text, missing = regions_replace(text, blocks)
    for name in regions:
        if name not in results:
            print(f"{name}: no saved run in {_shown(RESULTS_DIR)}; its region is left as it is")
        elif name in missing:
            print(f"{name}: README has no <!-- bench:{name} --> region; nothing written for it")
        else:
            path = results[name][0]
            changed = region_pattern(name).search(text)[2] != region_pattern(name).search(new_text)[2]
            print(f"{name}: {_shown(path)}{'' if changed else ' (unchanged)'}")
    if options.check:
        if new_text != text:
            print(f"{options.readme.name} differs from what bench/readme would write.")
            return 1
        return 0
    if new_text != text:
        options.readme.write_text(new_text, encoding="utf-8")
        print(f"Rewrote {options.readme.name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
