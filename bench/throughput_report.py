"""The throughput benchmark's README table, made from its saved JSON (bench/results/throughput-*.json,
described in bench/throughput_bench.py's results_data): the same columns as its printed tables, one row
per page and concurrency. Figures that older runs did not record (the database's CPU, the capacity of
the cores alone) are left out of the table when the run has none."""

OPTIONAL = {  # run key → column title, shown when the run recorded it
    "database_cpu_ms_per_request": "DB CPU ms/req",
    "capacity_per_second": "req/s the cores alone allow",
}


def _number(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:.0f}{unit}"


def markdown(data: dict) -> str:
    runs = [run for scenario in data["scenarios"] for run in scenario["runs"]]
    optional = {key: title for key, title in OPTIONAL.items() if any(key in run for run in runs)}
    header = ["page", "users", "req/s", "p50", "p95", "p99", "failures", "gunicorn CPU ms/req"]
    header += [*optional.values(), "queries", "KB", "target", "result"]
    lines = [
        f"gunicorn with {data['server']['command'].split('--workers=')[-1]} workers, "
        f"{data['counts']['letters']:,} letters, locust {data['load_generator']['seconds_per_run']:g} s per "
        "run with no wait between requests.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for scenario in data["scenarios"]:
        target = scenario["target"]
        wanted = f"≥ {target['requests_per_second']:g} req/s"
        if target["p99_ms"] is not None:
            wanted += f", p99 ≤ {target['p99_ms']:g} ms"
        for run in scenario["runs"]:
            result = {True: "met", False: "**not met**", None: ""}[run["met"]]
            if run["missed"]:
                result += f" ({'; '.join(run['missed'])})"
            cells = [scenario["name"], str(run["concurrency"]), f"{run['requests_per_second']:.1f}"]
            cells += [_number(run[key], " ms") for key in ("p50_ms", "p95_ms", "p99_ms")]
            cells += [str(run["failures"]), _number(run["server_cpu_ms_per_request"])]
            cells += [_number(run.get(key)) for key in optional]
            cells += [str(scenario["queries"]), f"{scenario['html_bytes'] / 1024:.1f}"]
            cells += [wanted if run["concurrency"] == target["concurrency"] else "", result]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
