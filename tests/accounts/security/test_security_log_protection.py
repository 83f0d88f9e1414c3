"""On PostgreSQL the security log cannot be emptied, and its chain head moves only forward (accounts
migration 0004), even for the superuser the tests connect as: a trigger fires for every role."""

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.security.log import security_chain_verify, security_event_record
from accounts.security.models import SecurityAuditHead, SecurityEvent, SecurityEventKind

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="the refusing triggers exist on PostgreSQL only (CI runs this with DATABASE_URL)",
    ),
]


def _sql(statement: str, params: list | None = None) -> None:
    # In a savepoint, so that the test's transaction survives the refusal.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def logged(cadre) -> SecurityAuditHead:
    """Two events in the log; their foreign keys checked now, as a commit would (a TRUNCATE waits for
    none pending)."""
    for kind in (SecurityEventKind.LOGIN_SUCCEEDED, SecurityEventKind.LOGGED_OUT):
        security_event_record(kind, actor=cadre, subject=cadre)
    _sql("SET CONSTRAINTS ALL IMMEDIATE")
    return SecurityAuditHead.objects.get(pk=1)


@pytest.mark.parametrize("table", ["accounts_securityevent", "accounts_securityaudithead"])
def test_database_refuses_to_truncate_the_security_log(logged, table):
    with pytest.raises(IntegrityError, match="TRUNCATE on .* is refused: the security log is permanent"):
        _sql(f"TRUNCATE {table} CASCADE")

    assert SecurityEvent.objects.count() == 2
    assert security_chain_verify() is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_securityaudithead SET last_sequence = last_sequence - 1",
        "UPDATE accounts_securityaudithead SET last_sequence = 0, last_hash = repeat('0', 64)",
        "UPDATE accounts_securityaudithead SET last_hash = repeat('f', 64)",
        "DELETE FROM accounts_securityaudithead",
    ],
)
def test_database_refuses_to_move_the_security_chain_head_back(logged, statement):
    with pytest.raises(IntegrityError, match="moves only forward|never removed"):
        _sql(statement)

    stored = SecurityAuditHead.objects.get(pk=1)
    assert (
        (stored.last_sequence, stored.last_hash) == (logged.last_sequence, logged.last_hash) != (0, "0" * 64)
    )


def test_the_log_still_grows_through_the_service(logged, cadre):
    security_event_record(SecurityEventKind.LOGIN_SUCCEEDED, actor=cadre, subject=cadre)

    assert SecurityAuditHead.objects.get(pk=1).last_sequence == logged.last_sequence + 1
    assert security_chain_verify() is None
