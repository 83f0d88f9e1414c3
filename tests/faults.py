"""Real worker processes and a real Redis for the fault tests (reminders, lost render messages): start
and kill workers on a queue of their own, and restart Redis as a restart without persistence would.

Used through the `workers` fixture (tests/conftest.py); runs only when REDIS_URL is set (CI).
"""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

REDIS_URL = os.environ.get("REDIS_URL", "")


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Starts (and kills) worker processes on one queue of their own."""

    def __init__(self, tmp_path: Path, mail_dir: Path):
        # More environment for the workers started from now on (e.g. the flaky mail server's rates).
        self.env: dict[str, str] = {}
        self.queue = f"faults-{uuid.uuid4().hex[:10]}"
        self.tmp_path, self.mail_dir = tmp_path, mail_dir
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self) -> subprocess.Popen:
        log = self.tmp_path / f"worker-{len(self.logs)}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.responsibility.reminders.worker_settings",
            "DJANGO_VAR_DIR": str(settings.VAR_DIR),
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "REMINDER_TEST_MAIL_DIR": str(self.mail_dir),
            **self.env,
        }
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l", "info",
                   "-Q", self.queue, "--without-gossip", "--without-mingle", "--without-heartbeat",
                   "-n", f"{self.queue}-{len(self.logs)}@%h"]  # fmt: skip
        with log.open("w") as output:
            process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        self.processes.append(process)
        self.logs.append(log)
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def tail(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}" for log in self.logs)


def redis_restart(url: str) -> None:
    """Restart Redis, or do to this database what a restart without persistence does.

    With REDIS_RESTART=1 (CI, where nothing else uses the server) the server is really shut down
    without saving and started again. Otherwise every connection of this database is cut and every
    queued and unacknowledged message in it is lost, leaving other databases alone.
    """
    if os.environ.get("REDIS_RESTART") == "1":
        redis_server_restart(url)
        return
    client = redis.Redis.from_url(url)
    db = client.connection_pool.connection_kwargs.get("db", 0)
    me = client.client_id()
    for info in client.client_list():
        if int(info.get("db", -1)) == db and int(info["id"]) != me:
            client.client_kill_filter(_id=info["id"])
    client.flushdb()
    client.close()


def redis_server_restart(url: str) -> None:
    client = redis.Redis.from_url(url)
    port = client.connection_pool.connection_kwargs.get("port", 6379)
    with contextlib.suppress(redis.exceptions.ConnectionError):  # it hangs up as it goes down
        client.shutdown(nosave=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            if redis.Redis.from_url(url).ping():
                return
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def workers_started(tmp_path: Path):
    """The `workers` fixture's body: workers on a queue of their own, stopped at the end."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("a worker process cannot open an in-memory database")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    started = Workers(tmp_path, mail_dir)
    yield started
    started.stop_all()
