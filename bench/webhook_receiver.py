"""A webhook receiver on loopback for the benchmark: checks each delivery's signature with the secret in
`--secret-file` (read at the first delivery), counts POSTs and distinct event ids, answers 200, and on
SIGTERM writes its counts to `--counts` as JSON. Prints `listening on <port>` once it listens."""

import argparse
import hashlib
import hmac
import http.server
import json
import signal
import statistics
import sys
import threading
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", required=True)
    arguments = parser.parse_args()
    counts_path = Path(arguments.counts)
    secret_path = counts_path.with_name("secret")
    lock = threading.Lock()
    state = {"posts": 0, "ids": set(), "bad": 0, "handling_ms": [], "secret": None}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 (http.server's name)
            started = time.perf_counter()
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if state["secret"] is None:
                state["secret"] = secret_path.read_text().strip().encode()
            parts = dict(
                item.split("=", 1) for item in self.headers.get("X-Signature", "").split(",") if "=" in item
            )
            expected = hmac.new(
                state["secret"], parts.get("t", "").encode() + b"." + body, hashlib.sha256
            ).hexdigest()
            valid = hmac.compare_digest(expected, parts.get("v1", ""))
            event_id = json.loads(body)["id"]
            with lock:
                state["posts"] += 1
                state["ids"].add(event_id)
                state["bad"] += not valid
                state["handling_ms"].append((time.perf_counter() - started) * 1000)
            self.send_response(200 if valid else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True

    def stop(*_args):
        with lock:
            counts_path.write_text(
                json.dumps(
                    {
                        "posts": state["posts"],
                        "unique": len(state["ids"]),
                        "bad_signatures": state["bad"],
                        "median_handling_ms": statistics.median(state["handling_ms"])
                        if state["handling_ms"]
                        else 0,
                    }
                )
            )
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
