"""The webhooks benchmark's report: the README's table from its saved JSON.

The JSON (bench/results/webhooks-<date-time>.json): `events`, `workers`, `announce_seconds` (recording
every event, each in its transaction, its task queued on commit), `announce_median_ms`, `seconds` (from
the first announcement until every delivery is delivered), `deliveries_per_second`, `received` (the
receiver's `posts`, `unique` event ids, `bad_signatures`, `median_handling_ms`), `target_seconds`,
`scaled_seconds` (the time at 10,000 events) and `met`."""


def markdown(data: dict) -> str:
    received = data["received"]
    result = "met" if data["met"] else "**not met**"
    return "\n".join(
        [
            "| events | workers | first try → last delivered | per second | at 10,000 | target | result |",
            "|---|---|---|---|---|---|---|",
            f"| {data['events']:,} | {data['workers']} | {data['seconds']:.1f} s "
            f"| {data['deliveries_per_second']:,.0f} | {data['scaled_seconds']:.1f} s "
            f"| < {data['target_seconds']:.0f} s | {result} |",
            "",
            f"The receiver got {received['posts']:,} POSTs for {received['unique']:,} distinct events, "
            f"{received['bad_signatures']} badly signed. Recording an event cost the request that caused it "
            f"{data['announce_median_ms']:.2f} ms (median), whatever the receiver does. One subscription: "
            "its send tasks take up to 200 deliveries each, one after the other.",
        ]
    )
