"""The throughput benchmark's load (bench/throughput_bench.py starts it; not meant to be run by hand).

THROUGHPUT_PLAN names a JSON file written by the benchmark: per scenario, the signed-in sessions (a
session cookie and the pages its person may open). THROUGHPUT_SCENARIO picks the scenario. Each simulated
user takes the next session in turn and opens its pages one after the other with no pause (a closed loop:
the number of users is the concurrency). A response other than 200, a redirect included (to the login or
the second-factor page), counts as a failure.
"""

import itertools
import json
import os
from pathlib import Path

from locust import FastHttpUser, constant, task

PLAN = json.loads(Path(os.environ["THROUGHPUT_PLAN"]).read_text(encoding="utf-8"))
SCENARIO = PLAN["scenarios"][os.environ["THROUGHPUT_SCENARIO"]]
COOKIE_NAME = PLAN["session_cookie_name"]
_slots = itertools.count()


class SignedInPerson(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        session = SCENARIO["sessions"][next(_slots) % len(SCENARIO["sessions"])]
        self.urls = session["urls"]
        self.headers = {"Cookie": f"{COOKIE_NAME}={session['key']}"}
        self.turn = 0

    @task
    def open_page(self) -> None:
        url = self.urls[self.turn % len(self.urls)]
        self.turn += 1
        with self.client.get(
            url, name=SCENARIO["name"], headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} for {url}")
