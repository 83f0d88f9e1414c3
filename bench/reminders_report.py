"""The reminders benchmark's report: the JSON file its figures are saved in, and the README's table.

The JSON (bench/results/reminders-<date-time>.json): `database`, `items` (open letters), `units`,
`issuers`, `build_seconds`, `sweeps` (the first on an empty ledger, the second on the same day: rows
created, rows queued, send tasks, seconds, queries), `peak_rss_growth_mib` (the first sweep),
`peak_python_memory_mib` (a third sweep under tracemalloc), `target_seconds`, `consistent` (the ledger
holds the first sweep's rows and the second created none) and `met`."""

from pathlib import Path

from bench.harness import results_save

TARGET_SECONDS = 30.0  # the first sweep over DESIGN.md §6's 100,000 open items


def save_report(data: dict, *, ci: bool = False) -> Path:
    return results_save(prefix="reminders-", data=data, ci=ci)


def markdown(data: dict) -> str:
    """The saved report as the README's table: each sweep's rows, send tasks, time and queries."""
    lines = [
        "| sweep | rows created | send tasks | time | queries | target | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for index, sweep in enumerate(data["sweeps"]):
        target, result = "", ""
        if index == 0:
            target = f"< {data['target_seconds']:.0f} s"
            result = "met" if data["met"] else "**not met**"
        lines.append(
            f"| {sweep['name']} | {sweep['rows']:,} | {sweep['send_tasks']:,} | {sweep['seconds']:.2f} s "
            f"| {sweep['queries']:,} | {target} | {result} |"
        )
    lines.append("")
    lines.append(
        f"{data['items']:,} open letters in {data['units']:,} units; peak memory of the first sweep: RSS "
        f"+{data['peak_rss_growth_mib']:.1f} MiB, {data['peak_python_memory_mib']:.1f} MiB of Python "
        "objects (tracemalloc)." + ("" if data["consistent"] else " **The ledger's rows were wrong.**")
    )
    return "\n".join(lines)
