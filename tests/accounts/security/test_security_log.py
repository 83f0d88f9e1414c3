"""The security log: append-only and hash-chained; the audit administrator reads, filters, exports and
verifies it, and nobody else sees it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.security.log import security_chain_verify, security_event_record
from accounts.security.models import SecurityEvent, SecurityEventKind
from core.errors import FrozenRecordError

pytestmark = pytest.mark.django_db


def _tamper(sql: str, params: list) -> None:
    """Change the log behind the application's back, as someone with database access could (on
    PostgreSQL with the refusing trigger bypassed, which needs a superuser); the chain must still tell."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:
                pytest.skip("bypassing the triggers needs a PostgreSQL superuser")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.mark.parametrize(
    "sql", ["UPDATE accounts_securityevent SET username = 'x'", "DELETE FROM accounts_securityevent"]
)
def test_on_postgresql_the_database_refuses_to_change_the_log(cadre, sql):
    if connection.vendor != "postgresql":
        pytest.skip("the refusing trigger exists on PostgreSQL only")
    security_event_record(SecurityEventKind.LOGIN_SUCCEEDED, actor=cadre, subject=cadre)

    with (
        pytest.raises(DatabaseError, match="the security log is permanent"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert SecurityEvent.objects.get().username == cadre.username


def test_events_cannot_be_changed_or_deleted_through_the_application(cadre):
    event = security_event_record(SecurityEventKind.LOGIN_SUCCEEDED, actor=cadre, subject=cadre)

    with pytest.raises(FrozenRecordError):
        event.save()
    with pytest.raises(FrozenRecordError):
        SecurityEvent.objects.filter(pk=event.pk).update(username="x")
    with pytest.raises(FrozenRecordError):
        SecurityEvent.objects.filter(pk=event.pk).delete()


def test_a_change_made_in_the_database_breaks_the_chain(cadre):
    for _ in range(3):
        security_event_record(SecurityEventKind.LOGIN_SUCCEEDED, actor=cadre, subject=cadre)
    assert security_chain_verify() is None
    second = SecurityEvent.objects.get(sequence=2)

    _tamper("UPDATE accounts_securityevent SET ip_address = %s WHERE id = %s", ["10.66.66.66", second.pk])

    broken = security_chain_verify()
    assert broken is not None and broken.sequence == 2


def test_the_audit_administrator_filters_the_log(client, audit_admin, cadre, secretary):
    security_event_record(SecurityEventKind.LOGIN_FAILED, username=cadre.username, subject=cadre)
    security_event_record(SecurityEventKind.LOGIN_SUCCEEDED, actor=secretary, subject=secretary)
    client.force_login(audit_admin)

    response = client.get(reverse("accounts:security-log"), {"kind": SecurityEventKind.LOGIN_FAILED})

    body = response.content.decode()
    assert response.status_code == 200
    assert cadre.full_name in body and secretary.full_name not in body


def test_a_bad_filter_says_so_and_lists_nothing_wrong(client, audit_admin):
    client.force_login(audit_admin)

    response = client.get(
        reverse("accounts:security-log"), {"date_from": "2026-12-03", "date_to": "2026-01-01"}
    )

    assert response.status_code == 400
    assert "before the start date" in response.content.decode()


def test_the_export_is_csv_excel_reads_and_neutralises_formulas(client, audit_admin):
    security_event_record(SecurityEventKind.LOGIN_FAILED, username="=HYPERLINK(1)")
    client.force_login(audit_admin)

    response = client.get(reverse("accounts:security-log-export"))

    content = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert content.startswith("\ufeff")
    assert "'=HYPERLINK(1)" in content


def test_verifying_the_chain_from_the_page(client, audit_admin, cadre):
    security_event_record(SecurityEventKind.LOGIN_SUCCEEDED, actor=cadre, subject=cadre)
    client.force_login(audit_admin)

    response = client.post(reverse("accounts:security-log-verify"), follow=True)

    assert "chain is intact" in response.content.decode()


def test_reading_the_log_changes_nothing_and_needs_few_queries(
    client, audit_admin, cadre, django_assert_max_num_queries
):
    for _ in range(30):
        security_event_record(SecurityEventKind.LOGIN_SUCCEEDED, actor=cadre, subject=cadre)
    client.force_login(audit_admin)
    before = SecurityEvent.objects.count()

    with django_assert_max_num_queries(12):
        client.get(reverse("accounts:security-log"))

    assert SecurityEvent.objects.count() == before


@pytest.mark.parametrize("who", ["security_admin", "system_admin", "secretary", "cadre"])
def test_nobody_else_reads_the_log(client, request, who):
    client.force_login(request.getfixturevalue(who))

    pages = [
        client.get(reverse("accounts:security-log")),
        client.get(reverse("accounts:security-log-export")),
        client.post(reverse("accounts:security-log-verify")),
    ]

    assert [page.status_code for page in pages] == [404, 404, 404]


def test_administration_page_changes_are_in_the_log(client, system_admin):
    client.force_login(system_admin)

    client.post(
        "/admin/accounts/orgunit/add/",
        {"code": "X1", "name": "新处室", "kind": "section", "sort_order": 0, "is_active": "on"},
    )

    event = SecurityEvent.objects.get(kind=SecurityEventKind.ADMIN_ACTION)
    assert event.actor == system_admin and event.payload["model"] == "accounts.orgunit"
    assert event.payload["action"] == "added" and event.payload["object"] == "新处室"


def test_the_nightly_check_and_the_command_walk_the_security_log_too(cadre):
    import io

    from django.core.management import CommandError, call_command

    from responsibility.tasks import audit_chain_check

    security_event_record(SecurityEventKind.LOGIN_SUCCEEDED, actor=cadre, subject=cadre)
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "The security log: 1 event, held to 0 anchored heads." in out.getvalue()

    _tamper("UPDATE accounts_securityevent SET username = %s", ["someone-else"])

    stderr = io.StringIO()
    with pytest.raises(CommandError, match="not intact"):
        call_command("verify_audit_chain", stdout=io.StringIO(), stderr=stderr)
    assert "The security log: event #1" in stderr.getvalue()
    assert audit_chain_check() is False
