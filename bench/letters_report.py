"""The letters benchmark's report: the pages and the bulk issue against their targets, how they are
printed, and the JSON file they are saved in."""

from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.harness import results_save, say

TARGET_PAGE_MS = 150.0  # median, per page
TARGET_ISSUE_S = 20.0  # 2,000 letters in one bulk issue


@dataclass
class PageResult:
    name: str
    user: str
    url: str
    status: int | None = None
    requests: int = 0
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    bytes: int | None = None
    target_ms: float = TARGET_PAGE_MS
    required: bool = True  # False: shown for information, does not fail the run
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.median_ms is not None and self.median_ms < self.target_ms


@dataclass
class Report:
    database: str
    scale: dict
    counts: dict = field(default_factory=dict)
    build_seconds: float | None = None
    pages: list[PageResult] = field(default_factory=list)
    issue_seconds: float | None = None
    issue_queries: int | None = None
    issue_letters: int | None = None
    issue_error: str | None = None


def print_report(report: Report) -> bool:
    say("")
    say(f"Database: {report.database}")
    say("Data: " + ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in report.counts.items()))
    if report.build_seconds is not None:
        say(f"Built in {report.build_seconds:.0f} s")
    say("")
    header = f"{'page':<38} {'median':>9} {'p95':>9} {'queries':>8} {'target':>8} {'ratio':>6}  result"
    say(header)
    say("-" * len(header))
    all_ok = True
    for page in report.pages:
        label = f"{page.name} ({page.user})"[:38]
        if page.error:
            say(
                f"{label:<38} {'':>9} {'':>9} {'':>8} {page.target_ms:>6.0f}ms {'':>6}  "
                f"NOT MEASURED: {page.error}"
            )
            all_ok &= not page.required
            continue
        ratio = page.median_ms / page.target_ms
        verdict = ("ok" if page.ok else "TOO SLOW") + ("" if page.required else " (information only)")
        all_ok &= page.ok or not page.required
        say(
            f"{label:<38} {page.median_ms:>7.1f}ms {page.p95_ms:>7.1f}ms {page.queries:>8} "
            f"{page.target_ms:>6.0f}ms {ratio:>6.2f}  {verdict}"
        )
    say("")
    if report.issue_error:
        say(f"Bulk issue: NOT MEASURED: {report.issue_error}")
        all_ok = False
    elif report.issue_seconds is not None:
        ok = report.issue_seconds < TARGET_ISSUE_S
        all_ok &= ok
        say(
            f"Bulk issue of {report.issue_letters:,} letters (campaign_issue_letters): "
            f"{report.issue_seconds:.2f} s, {report.issue_queries} queries; target {TARGET_ISSUE_S:.0f} s, "
            f"ratio {report.issue_seconds / TARGET_ISSUE_S:.2f}  {'ok' if ok else 'TOO SLOW'}"
        )
    say("")
    say("All targets met." if all_ok else "Some targets were missed or not measured.")
    return all_ok


def save_report(report: Report) -> Path:
    return results_save(prefix="", data=asdict(report))
