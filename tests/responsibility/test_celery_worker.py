"""One integration test with a real Celery worker process: the task travels through a real broker.

Redis when REDIS_URL is set (CI), otherwise the filesystem broker the embedded default uses.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from responsibility.tasks import audit_chain_check
from tests.faults import database_url

# One worker of a parallel run takes every test that starts worker processes: they are heavy together.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("redis")]

WORKER_START_TIMEOUT = 60
TASK_TIMEOUT = 60


def _broker_url() -> str:
    return os.environ.get("REDIS_URL") or settings.CELERY_BROKER_URL


def _wait_for(process: subprocess.Popen, log: Path, needle: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if needle in text:
            return text
        if process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}):\n{text[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"{needle!r} did not appear within {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def worker(tmp_path):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("a worker process cannot open an in-memory database")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DJANGO_VAR_DIR": str(settings.VAR_DIR),  # the same filesystem-broker folders as this process
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": _broker_url(),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-P",
        "solo",
        "-l",
        "info",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"{queue}@%h",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_for(process, log, "ready.", WORKER_START_TIMEOUT)
        yield queue, process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_real_worker_runs_the_audit_chain_check_against_this_database(worker, issued_letters):
    # given a worker process consuming a queue of its own, and letters with audit events
    queue, process, log = worker

    # when the task is sent through the broker
    with celery_app.connection_for_write(_broker_url()) as broker:
        task_id = audit_chain_check.apply_async(queue=queue, connection=broker).id

    # then the worker ran it and found the chain intact
    text = _wait_for(process, log, f"[{task_id}] succeeded", TASK_TIMEOUT)
    assert f"[{task_id}] succeeded" in text
    line = next(line for line in text.splitlines() if f"[{task_id}] succeeded" in line)
    assert line.rstrip().endswith("True"), line
