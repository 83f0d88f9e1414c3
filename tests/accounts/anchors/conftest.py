"""The chain anchors' test world: the real time-stamping authority on loopback (tests/conftest.py
`tsa_server`) trusted for anchors, and the tampering a database owner could do behind the application's
back."""

import pytest
from django.db import DatabaseError, connection, transaction

from core.audit import AuditChain


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
