"""The letters benchmark's report: every page at two sizes against its targets, how it is printed, and
the JSON file it is saved in.

The JSON (bench/results/letters-<date-time>.json) describes itself, for the command that writes the
README's Speed tables: `sizes` names each data set (label, letters, row counts); each entry of `pages`
has its `name`, `user`, `targets` (median_ms, html_kb, queries or null, ratio), the figures per size
label in `sizes` (median_ms, p95_ms, queries, bytes, requests, url), the big/small `ratios` (time,
queries, html), `met` and the `missed` reasons; `bulk_issue` is the 2,000-letter issue on the big size.
"""

from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.harness import results_save, say

TARGET_PAGE_MS = 150.0  # median, per page
TARGET_PAGE_KB = 300.0  # HTML per page
TARGET_RATIO = 1.3  # big/small median time (per KB of HTML, for a page that shows more at the big size)
# A page whose HTML grows by more than this between the sizes shows more rows there (a unit head with more
# letters of their own): its time is held to the ratio per KB shown, as a page is O(rows shown).
SHOWS_MORE_RATIO = 1.1
TARGET_TODO_MS = 40.0  # the to-do page, median
TARGET_TODO_QUERIES = 10
TARGET_API_MS = 100.0  # an API list (issue «REST API…»: at the 50,000-letter size), median
TARGET_ISSUE_S = 20.0  # 2,000 letters in one bulk issue


@dataclass
class PageResult:
    """One page at one size."""

    name: str
    user: str
    url: str
    status: int | None = None
    requests: int = 0
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    bytes: int | None = None
    error: str | None = None


@dataclass
class SizeRun:
    """Everything measured on one size's database (one child process)."""

    label: str
    database: str
    scale: dict
    counts: dict = field(default_factory=dict)
    build_seconds: float | None = None
    pages: list[PageResult] = field(default_factory=list)
    issue_seconds: float | None = None
    issue_queries: int | None = None
    issue_letters: int | None = None
    issue_error: str | None = None
    engine: dict | None = None  # the database vendor and version (bench.harness.database_engine)

    @classmethod
    def from_dict(cls, data: dict) -> "SizeRun":
        pages = [PageResult(**page) for page in data.pop("pages")]
        return cls(**data, pages=pages)


@dataclass
class PageTargets:
    median_ms: float = TARGET_PAGE_MS
    html_kb: float = TARGET_PAGE_KB
    queries: int | None = None  # at most this many (the to-do page); every page: the same at both sizes
    ratio: float = TARGET_RATIO


@dataclass
class PageReport:
    """One page at every size, its ratios and whether it met its targets."""

    name: str
    user: str
    targets: PageTargets
    sizes: dict[str, dict] = field(default_factory=dict)
    ratios: dict[str, float | None] = field(default_factory=dict)
    met: bool = False
    missed: list[str] = field(default_factory=list)


@dataclass
class Report:
    benchmark: str
    database: str
    sizes: list[dict]
    pages: list[PageReport]
    bulk_issue: dict


def _targets_for(name: str) -> PageTargets:
    if name.startswith("to-do"):
        return PageTargets(median_ms=TARGET_TODO_MS, queries=TARGET_TODO_QUERIES)
    if name.startswith("API"):
        return PageTargets(median_ms=TARGET_API_MS)
    return PageTargets()


def _ratio(big, small) -> float | None:
    return round(big / small, 3) if big is not None and small else None


def combine(runs: list[SizeRun]) -> Report:
    """Pair the pages of the size runs by name; the first run is the small one, the last the big."""
    small, big = runs[0], runs[-1]
    pages = []
    for index, first in enumerate(small.pages):
        targets = _targets_for(first.name)
        page = PageReport(name=first.name, user=first.user, targets=targets)
        results = [run.pages[index] for run in runs]
        for run, result in zip(runs, results, strict=True):
            page.sizes[run.label] = {
                key: getattr(result, key)
                for key in ("url", "status", "requests", "median_ms", "p95_ms", "queries", "bytes", "error")
            }
        for run, result in zip(runs, results, strict=True):
            if result.error:
                page.missed.append(f"{run.label}: not measured ({result.error})")
                continue
            if result.median_ms > targets.median_ms:
                page.missed.append(f"{run.label}: median {result.median_ms:.0f} ms > {targets.median_ms:.0f}")
            if result.bytes / 1024 > targets.html_kb:
                page.missed.append(f"{run.label}: {result.bytes / 1024:.0f} KB > {targets.html_kb:.0f}")
            if targets.queries is not None and result.queries > targets.queries:
                page.missed.append(f"{run.label}: {result.queries} queries > {targets.queries}")
        low, high = results[0], results[-1]
        if len(runs) > 1 and not (low.error or high.error):
            page.ratios = {
                "time": _ratio(high.median_ms, low.median_ms),
                "queries": _ratio(high.queries, low.queries),
                "html": _ratio(high.bytes, low.bytes),
            }
            if high.queries != low.queries:
                page.missed.append(f"queries change with the size ({low.queries} → {high.queries})")
            if page.ratios["html"] > SHOWS_MORE_RATIO:
                per_kb = page.ratios["time"] / page.ratios["html"]
                if per_kb > targets.ratio:
                    page.missed.append(f"time ratio per KB shown {per_kb:.2f} > {targets.ratio}")
            elif page.ratios["time"] > targets.ratio:
                page.missed.append(f"time ratio {page.ratios['time']:.2f} > {targets.ratio}")
        page.met = not page.missed
        pages.append(page)
    issue = {
        "size": big.label,
        "letters": big.issue_letters,
        "seconds": big.issue_seconds,
        "queries": big.issue_queries,
        "target_seconds": TARGET_ISSUE_S,
        "error": big.issue_error,
        "met": big.issue_error is None
        and big.issue_seconds is not None
        and big.issue_seconds < TARGET_ISSUE_S,
    }
    sizes = [
        {
            "label": run.label,
            "letters": run.scale["letters"],
            "scale": run.scale,
            "counts": run.counts,
            "database": run.database,
            "build_seconds": run.build_seconds,
        }
        for run in runs
    ]
    return Report(benchmark="letters", database=big.database, sizes=sizes, pages=pages, bulk_issue=issue)


def print_report(report: Report) -> bool:
    say("")
    for size in report.sizes:
        say(f"{size['label']}: {size['database']}")
        say("  " + ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in size["counts"].items()))
        if size["build_seconds"] is not None:
            say(f"  built in {size['build_seconds']:.0f} s")
    say("")
    labels = [size["label"] for size in report.sizes]
    columns = "".join(f" {'median':>7} {'p95':>7} {'q':>3} {'KB':>5} |" for _ in labels)
    say(f"{'':<40}|" + "".join(f" {label:^25} |" for label in labels) + "  big/small         target")
    header = f"{'page':<40}|{columns} {'time':>5} {'q':>4} {'html':>5}  {'ms':>4} {'KB':>4} {'q':>3}  result"
    say(header)
    say("-" * len(header))
    all_ok = True
    for page in report.pages:
        cells = ""
        for label in labels:
            figures = page.sizes[label]
            if figures["error"]:
                cells += f" {'not measured':>25} |"
            else:
                cells += (
                    f" {figures['median_ms']:>5.1f}ms {figures['p95_ms']:>5.1f}ms {figures['queries']:>3}"
                    f" {figures['bytes'] / 1024:>5.0f} |"
                )
        ratios = page.ratios
        ratio_cells = (
            f" {ratios['time']:>5.2f} {ratios['queries']:>4.2f} {ratios['html']:>5.2f}"
            if ratios
            else f" {'':>5} {'':>4} {'':>5}"
        )
        targets = page.targets
        target_cells = (
            f"  {targets.median_ms:>4.0f} {targets.html_kb:>4.0f} "
            f"{'' if targets.queries is None else targets.queries:>3}"
        )
        say(f"{page.name[:40]:<40}|{cells}{ratio_cells}{target_cells}  {'met' if page.met else 'NOT MET'}")
        all_ok &= page.met
    say("")
    for page in report.pages:
        if page.missed:
            say(f"  {page.name}: " + "; ".join(page.missed))
    say(
        f"Targets: median ≤ {TARGET_PAGE_MS:.0f} ms and ≤ {TARGET_PAGE_KB:.0f} KB of HTML per page (to-do "
        f"≤ {TARGET_TODO_MS:.0f} ms, ≤ {TARGET_TODO_QUERIES} queries; an API list ≤ {TARGET_API_MS:.0f} ms); "
        "the same queries at both sizes; "
        f"big/small time ≤ {TARGET_RATIO} (per KB of HTML where a page shows more at the big size)."
    )
    say("")
    issue = report.bulk_issue
    if issue["error"]:
        say(f"Bulk issue: NOT MEASURED: {issue['error']}")
        all_ok = False
    elif issue["seconds"] is not None:
        all_ok &= issue["met"]
        say(
            f"Bulk issue of {issue['letters']:,} letters (campaign_issue_letters, {issue['size']}): "
            f"{issue['seconds']:.2f} s, {issue['queries']} queries; target {TARGET_ISSUE_S:.0f} s  "
            f"{'met' if issue['met'] else 'NOT MET'}"
        )
    say("")
    say("All targets met." if all_ok else "Some targets were missed or not measured.")
    return all_ok


def unmeasured(report: Report) -> list[str]:
    """What could not be measured: a page that failed (an exception, an HTTP error) or the bulk issue."""
    failures = [
        f"{page.name}, {label}: {figures['error']}"
        for page in report.pages
        for label, figures in page.sizes.items()
        if figures["error"]
    ]
    if report.bulk_issue["error"]:
        failures.append(f"bulk issue: {report.bulk_issue['error']}")
    return failures


def save_report(report: Report, *, ci: bool = False, database: dict | None = None) -> Path:
    return results_save(prefix="letters-", data=asdict(report), ci=ci, database=database)


def markdown(data: dict) -> str:
    """The saved report as the README's table: the same columns as print_report."""
    labels = [size["label"] for size in data["sizes"]]
    both = len(labels) > 1
    header = ["page"]
    for size in data["sizes"]:
        name = f"{size['label']} ({size['letters']:,})"
        header += [f"{name} median", "p95", "queries", "KB"]
    if both:
        header += ["time ×", "queries ×", "HTML ×"]
    header += ["target", "result"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for page in data["pages"]:
        cells = [page["name"]]
        for label in labels:
            figures = page["sizes"][label]
            if figures["error"]:
                cells += ["not measured", "", "", ""]
            else:
                cells += [
                    f"{figures['median_ms']:.1f} ms",
                    f"{figures['p95_ms']:.1f} ms",
                    str(figures["queries"]),
                    f"{figures['bytes'] / 1024:.0f}",
                ]
        if both:
            ratios = page["ratios"]
            cells += [
                f"{ratios[key]:.2f}" if ratios.get(key) is not None else ""
                for key in ("time", "queries", "html")
            ]
        targets = page["targets"]
        target = f"≤ {targets['median_ms']:.0f} ms, ≤ {targets['html_kb']:.0f} KB"
        if targets["queries"] is not None:
            target += f", ≤ {targets['queries']} queries"
        cells += [target, "met" if page["met"] else "**not met**"]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"{page['name']}: {'; '.join(page['missed'])}" for page in data["pages"] if page["missed"]]
    lines.append("")
    rule = (
        f"the same queries at every size and a big/small time ratio ≤ {TARGET_RATIO} (per KB of HTML where a "
        "page shows more rows at the big size)"
        if both
        else ""
    )
    summary = "Not met: " + "; ".join(notes) + "." if notes else "Every page met its targets."
    lines.append(f"Targets also: {rule}. {summary}" if rule else summary)
    issue = data["bulk_issue"]
    if issue["error"]:
        lines.append(f"Bulk issue: not measured ({issue['error']}).")
    elif issue["seconds"] is not None:
        lines.append(
            f"Bulk issue of {issue['letters']:,} letters (campaign_issue_letters, {issue['size']} size): "
            f"{issue['seconds']:.2f} s, {issue['queries']} queries; target {issue['target_seconds']:.0f} s, "
            f"{'met' if issue['met'] else '**not met**'}."
        )
    return "\n".join(lines)
