"""The supervision benchmark's report: both sizes side by side with the ratios big/small, and the JSON
file they are saved in."""

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


def print_report(database: str, sizes: dict, small: list[Measurement], big: list[Measurement]) -> bool:
    say("")
    say(f"Database: {database}")
    for label, counts in sizes.items():
        say(f"{label}: " + ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in counts.items()))
    say("")
    header = (
        f"{'measured':<35} {'small: median':>13} {'p95':>8} {'queries':>7} {'output':>11}   "
        f"{'big: median':>11} {'p95':>8} {'queries':>7} {'output':>11}   {'ratio: time':>11} {'queries':>7} "
        f"{'output':>6}"
    )
    say(header)
    say("-" * len(header))
    all_ok = True
    for one, other in zip(small, big, strict=True):
        error = one.error or other.error
        if error:
            say(f"{one.name:<35} NOT MEASURED: {error}")
            all_ok = False
            continue
        time_ratio = other.median_ms / one.median_ms if one.median_ms else float("nan")
        query_ratio = other.queries / one.queries if one.queries else float("nan")
        output_ratio = other.output / one.output if one.output else float("nan")
        grows = other.queries != one.queries
        if grows and one.fixed_queries:
            all_ok = False
        note = "  QUERIES GROW" if grows and one.fixed_queries else ""
        say(
            f"{one.name:<35} {one.median_ms:>11.1f}ms {one.p95_ms:>6.1f}ms {one.queries:>7} "
            f"{_output(one):>11}   "
            f"{other.median_ms:>9.1f}ms {other.p95_ms:>6.1f}ms {other.queries:>7} {_output(other):>11}   "
            f"{time_ratio:>11.2f} {query_ratio:>7.2f} {output_ratio:>6.2f}{note}"
        )
    say("")
    say(f"Data ratio big/small: {DATA_RATIO:.0f} (rectifications and task periods).")
    say(
        "Every page and source ran the same number of queries at both sizes."
        if all_ok
        else "Some query counts grew with the data, or something was not measured."
    )
    return all_ok


def save_report(payload: dict) -> Path:
    return results_save(prefix="supervision-", data=payload)
