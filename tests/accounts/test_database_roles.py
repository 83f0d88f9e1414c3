"""`manage.py grant_database_roles`: the application's database role gets row access and nothing more, and
the deployment check warns while the application is connected as a superuser or an owner."""

import io
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.checks import database_role_check

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="database roles exist on PostgreSQL only (CI runs this with DATABASE_URL)",
)


def _rows(statement: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


@pytest.fixture
def role(monkeypatch) -> str:
    """A role name of its own per test: roles belong to the whole server. Everything the command does is
    inside the test's transaction and rolled back with it."""
    monkeypatch.setenv("POSTGRES_APP_PASSWORD", uuid.uuid4().hex)
    return f"letters_app_test_{uuid.uuid4().hex[:10]}"


def _grant(role: str) -> str:
    out = io.StringIO()
    call_command("grant_database_roles", role, stdout=out)
    return out.getvalue()


@postgresql_only
def test_grant_database_roles_creates_a_role_without_powers(role):
    output = _grant(role)

    assert f"{role} (created)" in output
    assert _rows(
        "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication "
        "FROM pg_roles WHERE rolname = %s",
        [role],
    ) == [(True, False, False, False, False, False)]


@postgresql_only
def test_grant_database_roles_grants_row_access_to_every_table_and_nothing_else(role):
    _grant(role)

    tables = [name for (name,) in _rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    privileges = {
        privilege: {
            table
            for table in tables
            if _rows("SELECT has_table_privilege(%s, %s, %s)", [role, f"public.{table}", privilege])[0][0]
        }
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")
    }
    assert "responsibility_letter" in tables
    for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
        assert privileges[privilege] == set(tables), privilege
    for privilege in ("TRUNCATE", "TRIGGER", "REFERENCES"):
        assert privileges[privilege] == set(), privilege
    assert _rows(
        "SELECT has_schema_privilege(%s, 'public', 'USAGE'), has_schema_privilege(%s, 'public', 'CREATE'), "
        "has_database_privilege(%s, current_database(), 'CONNECT'), "
        "has_database_privilege(%s, current_database(), 'CREATE')",
        [role, role, role, role],
    ) == [(True, False, True, False)]
    assert _rows(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s", [role]
    ) == [(0,)]


@postgresql_only
def test_grant_database_roles_twice_corrects_the_role_and_changes_nothing_else(role):
    _grant(role)
    # someone gives the application role more than it should have
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER ROLE {role} CREATEDB")
        cursor.execute(f"GRANT TRUNCATE, TRIGGER ON responsibility_signature TO {role}")
        cursor.execute(f"GRANT CREATE ON SCHEMA public TO {role}")

    output = _grant(role)

    assert f"{role} (existing)" in output
    assert _rows(
        "SELECT rolcreatedb, has_table_privilege(%s, 'responsibility_signature', 'TRUNCATE'), "
        "has_table_privilege(%s, 'responsibility_signature', 'TRIGGER'), "
        "has_schema_privilege(%s, 'public', 'CREATE') FROM pg_roles WHERE rolname = %s",
        [role, role, role, role],
    ) == [(False, False, False, False)]


@postgresql_only
def test_grant_database_roles_refuses_the_owner_itself(role):
    owner = _rows("SELECT current_user")[0][0]

    with pytest.raises(CommandError, match="the application needs its own role"):
        _grant(owner)


@postgresql_only
def test_grant_database_roles_refuses_a_role_that_owns_tables(role):
    _grant(role)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE responsibility_reminder OWNER TO {role}")

    with pytest.raises(CommandError, match="REASSIGN OWNED BY"):
        _grant(role)


@postgresql_only
def test_grant_database_roles_refuses_a_strange_role_name(role):
    with pytest.raises(CommandError, match="not a plain role name"):
        _grant('app"; DROP TABLE responsibility_letter; --')


def test_grant_database_roles_needs_the_password(monkeypatch):
    monkeypatch.delenv("POSTGRES_APP_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="Set POSTGRES_APP_PASSWORD"):
        _grant("letters_app")


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the SQLite answer")
def test_grant_database_roles_says_sqlite_has_no_roles(monkeypatch):
    monkeypatch.setenv("POSTGRES_APP_PASSWORD", "x")

    with pytest.raises(CommandError, match="PostgreSQL only"):
        _grant("letters_app")


# The deployment check (manage.py check --deploy).


@postgresql_only
def test_deploy_check_warns_while_connected_as_a_superuser():
    # the test connection is the postgres superuser
    warnings = database_role_check(None)

    assert [warning.id for warning in warnings] == ["accounts.W002"]
    assert "postgres" in warnings[0].msg


@postgresql_only
def test_deploy_check_is_quiet_for_the_application_role(role):
    _grant(role)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        warnings = database_role_check(None)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")

    assert warnings == []


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the SQLite answer")
def test_deploy_check_has_nothing_to_say_on_sqlite():
    assert database_role_check(None) == []
