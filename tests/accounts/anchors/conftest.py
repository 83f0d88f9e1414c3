"""The chain anchors' test world: a real time-stamping authority on loopback (scripts/tsa-server: OpenSSL's
`openssl ts -reply` behind a small HTTP server), started once per session, and the tampering a database
owner could do behind the application's back."""

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from core.audit import AuditChain

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT_SECONDS = 30


@pytest.fixture(scope="session")
def tsa_server(tmp_path_factory) -> dict[str, str]:
    """The DJANGO_ANCHOR_TIMESTAMP_* settings of a running authority (making its keys takes about 0.3 s)."""
    if shutil.which("openssl") is None:
        reason = "openssl is not installed (apt-get install openssl)"
        if os.environ.get("SSO_SERVERS_REQUIRED") == "1":
            pytest.fail(f"SSO_SERVERS_REQUIRED=1 but {reason}", pytrace=False)
        pytest.skip(f"time-stamping authority tests skipped: {reason}")
    directory = tmp_path_factory.mktemp("tsa-server")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "tsa-server"), "--dir", str(directory), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # A server that never says "ready" is killed, which ends the reading below.
    watchdog = threading.Timer(START_TIMEOUT_SECONDS, process.kill)
    watchdog.start()
    lines = []
    for line in process.stdout:
        lines.append(line.strip())
        if lines[-1] == "ready":
            break
    watchdog.cancel()
    if "ready" not in lines:
        process.kill()
        pytest.fail(f"scripts/tsa-server did not start: {lines}", pytrace=False)
    yield dict(line.split("=", 1) for line in lines if "=" in line)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def timestamping(tsa_server, settings) -> dict[str, str]:
    """Anchors timestamped by the running authority, and its CA trusted."""
    settings.ANCHOR_TIMESTAMP_URL = tsa_server["DJANGO_ANCHOR_TIMESTAMP_URL"]
    settings.ANCHOR_TIMESTAMP_CERTIFICATES = [tsa_server["DJANGO_ANCHOR_TIMESTAMP_CERTIFICATES"]]
    return tsa_server


def raw_sql(sql: str, params: list | None = None) -> None:
    """Run SQL behind the application's back, as the database owner could: on PostgreSQL with the
    refusing triggers switched off (only a superuser can), so that only the anchors can tell."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:
                pytest.skip("bypassing the triggers needs a PostgreSQL superuser")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def chain_rewrite(chain: AuditChain, *, sequence: int, note: str) -> None:
    """Rewrite event #`sequence`'s note and recompute every later hash and the head: the chain alone
    still verifies afterwards."""
    events = list(chain.event_model.objects.filter(sequence__gte=sequence).order_by("sequence"))
    table = connection.ops.quote_name(chain.event_model._meta.db_table)
    previous = events[0].previous_hash
    for event in events:
        if event.sequence == sequence:
            event.note = note
        event.previous_hash = previous
        event.hash = previous = chain.event_hash(event)
        raw_sql(
            f"UPDATE {table} SET note = %s, previous_hash = %s, hash = %s WHERE id = %s",
            [event.note, event.previous_hash, "tmp-" + event.hash[:60], event.pk],
        )
    for event in events:  # hashes are unique: the final values go in once no old one is in the way
        raw_sql(f"UPDATE {table} SET hash = %s WHERE id = %s", [event.hash, event.pk])
    head = connection.ops.quote_name(chain.head_model._meta.db_table)
    raw_sql(f"UPDATE {head} SET last_hash = %s WHERE id = 1", [previous])


def chain_empty(chain: AuditChain) -> None:
    """Delete every event of the chain and reset its head, as TRUNCATE would."""
    raw_sql(f"DELETE FROM {connection.ops.quote_name(chain.event_model._meta.db_table)}")
    head = connection.ops.quote_name(chain.head_model._meta.db_table)
    raw_sql(f"UPDATE {head} SET last_sequence = 0, last_hash = %s WHERE id = 1", ["0" * 64])
