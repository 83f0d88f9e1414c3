"""The supervision benchmark's report: both sizes side by side with the ratios big/small (or the small
size alone, in a smoke run), the JSON file they are saved in, and the README's table made from it.

The JSON (bench/results/supervision-<date-time>.json): `database`, `today`, `sizes` (row counts per
size label), `build_seconds` per size, and per size label ("small", "big") the list of measurements
(name, median_ms, p95_ms, queries, output, output_unit, fixed_queries, error)."""

from pathlib import Path

from bench.harness import results_save, say
from bench.supervision_findings import DATA_RATIO
from bench.supervision_measures import Measurement


def _output(item: Measurement) -> str:
    if item.output is None:
        return ""
    if item.output_unit == "KB":
        return f"{item.output / 1024:,.0f} KB"
    return f"{item.output:,} rows"


def _ratio(big: float | None, small: float | None) -> float:
    return big / small if big is not None and small else float("nan")


def print_report(database: str, sizes: dict, measured: dict[str, list[Measurement]]) -> bool:
    """Print every measurement at each size; True when nothing failed and no query count grew."""
    say("")
    say(f"Database: {database}")
    for label, counts in sizes.items():
        say(f"{label}: " + ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in counts.items()))
    say("")
    labels = list(measured)
    header = f"{'measured':<35}"
    for label in labels:
        header += f" {label + ': median':>13} {'p95':>8} {'queries':>7} {'output':>11}  "
    if len(labels) > 1:
        header += f" {'ratio: time':>11} {'queries':>7} {'output':>6}"
    say(header)
    say("-" * len(header))
    all_ok = True
    for items in zip(*measured.values(), strict=True):
        error = next((item.error for item in items if item.error), None)
        if error:
            say(f"{items[0].name:<35} NOT MEASURED: {error}")
            all_ok = False
            continue
        line = f"{items[0].name:<35}"
        for item in items:
            line += (
                f" {item.median_ms:>11.1f}ms {item.p95_ms:>6.1f}ms {item.queries:>7} {_output(item):>11}  "
            )
        if len(items) > 1:
            one, other = items[0], items[-1]
            grows = other.queries != one.queries and one.fixed_queries
            all_ok &= not grows
            time_ratio, query_ratio = (
                _ratio(other.median_ms, one.median_ms),
                _ratio(other.queries, one.queries),
            )
            line += (
                f" {time_ratio:>11.2f} {query_ratio:>7.2f} {_ratio(other.output, one.output):>6.2f}"
                f"{'  QUERIES GROW' if grows else ''}"
            )
        say(line)
    say("")
    if len(labels) > 1:
        say(f"Data ratio big/small: {DATA_RATIO:.0f} (problems, measures and task periods).")
        say(
            "Every page and source ran the same number of queries at both sizes."
            if all_ok
            else "Some query counts grew with the data, or something was not measured."
        )
    else:
        say("Everything was measured." if all_ok else "Something was not measured.")
    return all_ok


def save_report(payload: dict, *, ci: bool = False) -> Path:
    return results_save(prefix="supervision-", data=payload, ci=ci)


def _cell_output(item: dict) -> str:
    if item["output"] is None:
        return ""
    if item["output_unit"] == "KB":
        return f"{item['output'] / 1024:,.0f} KB"
    return f"{item['output']:,} rows"


def markdown(data: dict) -> str:
    """The saved report as the README's table: the same columns as print_report."""
    labels = [label for label in ("small", "big") if label in data]
    header = ["measured"]
    for label in labels:
        header += [f"{label} median", "p95", "queries", "output"]
    if len(labels) > 1:
        header += ["time ×", "queries ×", "output ×"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    grown = []
    for items in zip(*(data[label] for label in labels), strict=True):
        cells = [items[0]["name"]]
        error = next((item["error"] for item in items if item["error"]), None)
        if error:
            lines.append(f"| {items[0]['name']} | not measured: {error} |")
            continue
        for item in items:
            cells += [f"{item['median_ms']:,.1f} ms", f"{item['p95_ms']:,.1f} ms", f"{item['queries']:,}"]
            cells.append(_cell_output(item))
        if len(items) > 1:
            one, other = items[0], items[-1]
            cells += [
                f"{_ratio(other[key], one[key]):.2f}" if one[key] else ""
                for key in ("median_ms", "queries", "output")
            ]
            if other["queries"] != one["queries"] and one["fixed_queries"]:
                grown.append(one["name"])
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    counts = "; ".join(
        f"{label}: {sizes['findings']:,} problems in {sizes.get('problem_lists', 0):,} lists with "
        f"{sizes.get('measures', 0):,} measures ({sizes['open_rectifications']:,} problems open), "
        f"{sizes['task_periods']:,} duty task periods ({sizes['open_task_periods']:,} open)"
        for label, sizes in data["sizes"].items()
    )
    lines.append(f"Data: {counts}.")
    if len(labels) > 1:
        lines.append(
            f"Data ratio big/small {DATA_RATIO:.0f}. "
            + (
                f"Query counts that grew with the data: {', '.join(grown)}."
                if grown
                else "Every page and source ran the same number of queries at both sizes "
                "(the whole sweep writes in batches and is exempt)."
            )
        )
    return "\n".join(lines)
