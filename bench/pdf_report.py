"""The PDF benchmark's report: the figures measured against their targets, the comparisons against
our render + seal, how they are printed, and the JSON file they are saved in."""

from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.harness import results_save, say


@dataclass
class Figure:
    """One measured figure; with a target it decides the exit status, without one it is information."""

    name: str
    unit: str  # "s", "ms" or "KB"
    median: float | None = None
    p95: float | None = None
    samples: int = 0
    target: float | None = None
    note: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        if self.target is None:
            return self.error is None
        return self.error is None and self.median is not None and self.median < self.target


@dataclass
class Comparison:
    """Another way to make the same letter, per letter, against our render + seal."""

    name: str
    seconds: float | None = None  # median per letter
    cpu_seconds: float | None = None  # CPU time per letter (its own processes), median
    runs: int = 0
    pages: int | None = None
    bytes: int | None = None
    note: str = ""
    error: str | None = None
    must_cost_more: bool = False  # a target: our render + seal must take less CPU per letter than this


@dataclass
class Report:
    database: str = ""
    machine: dict = field(default_factory=dict)
    letter: dict = field(default_factory=dict)
    fast_path: bool | None = None
    figures: list[Figure] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    ours_seconds: float | None = None
    ours_cpu_seconds: float | None = None
    ours_bytes: int | None = None


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "s":
        return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:.0f} {unit}"


def print_report(report: Report) -> bool:
    say("")
    say(f"Database: {report.database}")
    machine = report.machine
    say(
        f"Machine: {machine['cpus']} CPUs, load average {machine['load_average']} at the start; "
        f"WeasyPrint {machine['weasyprint']}, pyHanko {machine['pyhanko']}, Python {machine['python']}"
    )
    say(
        "Fast font subsetting (libharfbuzz-subset): "
        + (
            "active"
            if report.fast_path
            else "NOT ACTIVE: WeasyPrint subsets fonts with fontTools, ~50x slower; "
            "apt-get install libharfbuzz-subset0 (scripts/setup installs it)"
        )
    )
    letter = report.letter
    if letter:
        say(
            f"Letter: {letter.get('reference')} "
            f"({letter.get('pages', '?')} pages, {letter.get('signatures')})"
        )
    say("")
    header = f"{'measured':<66} {'median':>10} {'p95':>10} {'target':>9} {'ratio':>6}  result"
    say(header)
    say("-" * len(header))
    all_ok = True
    for figure in report.figures:
        target = _value(figure.target, figure.unit)
        if figure.error:
            say(f"{figure.name:<66} {'':>10} {'':>10} {target:>9} {'':>6}  NOT MEASURED: {figure.error}")
            all_ok = False
            continue
        if figure.target is None:
            ratio, verdict = "", "(information)"
        else:
            ratio = f"{figure.median / figure.target:.2f}"
            verdict = "ok" if figure.ok else ("TOO BIG" if figure.unit == "KB" else "TOO SLOW")
            all_ok &= figure.ok
        p95 = _value(figure.p95, figure.unit)
        say(
            f"{figure.name:<66} {_value(figure.median, figure.unit):>10} {p95:>10} {target:>9} "
            f"{ratio:>6}  {verdict}"
        )
        if figure.note:
            say(f"{'':<4}{figure.note}")
    say("")
    ours, ours_cpu = report.ours_seconds, report.ours_cpu_seconds
    say(
        "Comparisons, per letter, against our render + seal"
        + (
            f" ({ours:.3f} s, {ours_cpu:.3f} s CPU, {report.ours_bytes / 1024:.0f} KB): "
            "× ours > 1 means ours is faster/cheaper/smaller"
            if ours and ours_cpu
            else ""
        )
    )
    name = "other way to make the same letter"
    header = f"{name:<78} {'per letter':>10} {'× ours':>7} {'CPU':>8} {'× ours':>7} {'size':>8} {'× ours':>7}"
    say(header)
    say("-" * len(header))
    for comparison in report.comparisons:
        if comparison.error:
            say(f"{comparison.name:<78} {comparison.error}")
            all_ok &= not comparison.must_cost_more
            continue
        times = f"{comparison.seconds / ours:.2f}" if ours else ""
        cpu = _value(comparison.cpu_seconds, "s")
        cpus = f"{comparison.cpu_seconds / ours_cpu:.2f}" if comparison.cpu_seconds and ours_cpu else ""
        size = f"{comparison.bytes / 1024:.0f} KB" if comparison.bytes else ""
        sizes = (
            f"{comparison.bytes / report.ours_bytes:.2f}" if comparison.bytes and report.ours_bytes else ""
        )
        say(
            f"{comparison.name:<78} {_value(comparison.seconds, 's'):>10} {times:>7} {cpu:>8} {cpus:>7} "
            f"{size:>8} {sizes:>7}"
        )
        details = [f"{comparison.runs} runs"] + ([f"{comparison.pages} pages"] if comparison.pages else [])
        say(f"{'':<4}{', '.join(details + ([comparison.note] if comparison.note else []))}")
        if comparison.must_cost_more:
            cheaper = bool(comparison.cpu_seconds and ours_cpu and ours_cpu < comparison.cpu_seconds)
            all_ok &= cheaper
            say(f"{'':<4}target: less CPU per letter than this — {'ok' if cheaper else 'NOT MET'}")
    say("")
    say("All targets met." if all_ok else "Some targets were missed or not measured.")
    return all_ok


SKIPPED = "skipped"  # the start of a comparison's error when it was not asked for (--no-libreoffice)


def unmeasured(report: Report) -> list[str]:
    """What could not be measured: a figure or a comparison that failed (not one that was skipped)."""
    return [f"{figure.name}: {figure.error}" for figure in report.figures if figure.error] + [
        f"{comparison.name}: {comparison.error}"
        for comparison in report.comparisons
        if comparison.error and not comparison.error.startswith(SKIPPED)
    ]


def save_report(report: Report, *, ci: bool = False) -> Path:
    data = asdict(report)
    for figure, row in zip(report.figures, data["figures"], strict=True):
        row["ok"] = figure.ok
    return results_save(prefix="pdf-", data=data, ci=ci)


def _times(value: float | None, ours: float | None) -> str:
    return f" ({value / ours:.2f}×)" if value and ours else ""


def markdown(data: dict) -> str:
    """The saved report as the README's two tables: the figures against their targets, and the other
    ways to make the same letter against ours (the same columns as print_report)."""
    lines = ["| measured | median | p95 | target | ratio | result |", "|---|---|---|---|---|---|"]
    for figure in data["figures"]:
        name = figure["name"].strip()
        unit = figure["unit"]
        target = _value(figure["target"], unit)
        if figure["error"]:
            lines.append(f"| {name} | | | {target} | | not measured: {figure['error']} |")
            continue
        if figure["target"] is None:
            ratio, verdict = "", "(information)"
        else:
            ratio = f"{figure['median'] / figure['target']:.2f}"
            verdict = "met" if figure["ok"] else "**not met**"
        median, p95 = _value(figure["median"], unit), _value(figure["p95"], unit)
        lines.append(f"| {name} | {median} | {p95} | {target} | {ratio} | {verdict} |")
    ours, ours_cpu, ours_bytes = data["ours_seconds"], data["ours_cpu_seconds"], data["ours_bytes"]
    lines += ["", "| the same letter made by | per letter | CPU | size |", "|---|---|---|---|"]
    if ours and ours_cpu and ours_bytes:
        lines.append(
            f"| this system: render + seal | {_value(ours, 's')} | {_value(ours_cpu, 's')} "
            f"| {ours_bytes / 1024:.0f} KB |"
        )
    for comparison in data["comparisons"]:
        if comparison["error"]:
            lines.append(f"| {comparison['name']} | {comparison['error']} | | |")
            continue
        seconds, cpu, size = comparison["seconds"], comparison["cpu_seconds"], comparison["bytes"]
        lines.append(
            f"| {comparison['name']} | {_value(seconds, 's')}{_times(seconds, ours)} "
            f"| {_value(cpu, 's')}{_times(cpu, ours_cpu)} "
            f"| {f'{size / 1024:.0f} KB' if size else ''}{_times(size, ours_bytes)} |"
        )
    return "\n".join(lines)
