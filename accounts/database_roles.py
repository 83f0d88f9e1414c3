"""The PostgreSQL roles: the owner migrates, the application runs as a role that owns nothing.

The triggers that refuse rewrites of the evidence (responsibility migrations 0002, 0007, 0013;
accounts 0003, 0004) hold only against a role that cannot drop or disable them. Only a table's owner
(or a superuser) can do that, and only a superuser can switch triggers off for a session
(`session_replication_role`). So the application connects as a role that is neither: it may read and
write rows, and nothing else. README, "Database roles".

`database_role_grant` runs these statements as the owner, in one transaction; they are idempotent (run
after every migrate, so that new tables are granted too):

    CREATE ROLE <app> LOGIN PASSWORD '…' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION
        (or ALTER ROLE … with the same attributes when it exists; REVOKE <role> FROM <app> for any
        role it is a member of)
    REVOKE ALL ON DATABASE <db> FROM <app>;            GRANT CONNECT ON DATABASE <db> TO <app>;
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    REVOKE ALL ON SCHEMA public FROM <app>;            GRANT USAGE ON SCHEMA public TO <app>;
    REVOKE ALL ON ALL TABLES IN SCHEMA public FROM <app>;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO <app>;
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM <app>;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO <app>;

No TRUNCATE, TRIGGER or REFERENCES: the application never empties a table, never creates a trigger
and never creates a table that references another. DELETE is granted because the application deletes
rows of its own working tables (sessions, reset codes, a draft letter); the evidence tables refuse it
by trigger.
"""

import re
from dataclasses import dataclass

from django.db import connection, transaction

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

ROLE_ATTRIBUTES = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION"


class DatabaseRoleError(Exception):
    """The role cannot be made safe as asked: the message says why and what to do."""


@dataclass(frozen=True)
class GrantSummary:
    role: str
    created: bool
    database: str
    tables: int
    sequences: int


@dataclass(frozen=True)
class ConnectedRole:
    """Who the application is connected as, and what it could do to the triggers."""

    name: str
    is_superuser: bool
    tables_owned: int


def database_role_grant(*, role: str, password: str) -> GrantSummary:
    """Create or correct the application role and grant it exactly row access (see the module docstring).

    Runs as the owner of the tables; refuses a role name that is not a plain lower-case identifier,
    the connected role itself, an empty password, and a role that owns anything in the database.
    """
    if connection.vendor != "postgresql":
        raise DatabaseRoleError("Database roles exist on PostgreSQL only; this database is not.")
    if not ROLE_NAME.fullmatch(role):
        raise DatabaseRoleError(f"{role!r} is not a plain role name (lower-case letters, digits, _).")
    if not password:
        raise DatabaseRoleError(f"No password for the role {role}.")
    quoted = connection.ops.quote_name(role)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        owner, database = cursor.fetchone()
        if role == owner:
            raise DatabaseRoleError(
                f"{role} is the role running this command (the owner); the application needs its own role."
            )
        cursor.execute("SELECT oid FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(f"CREATE ROLE {quoted} LOGIN PASSWORD %s {ROLE_ATTRIBUTES}", [password])
        else:
            _role_correct(cursor, role=role, oid=row[0], password=password)
        database_quoted = connection.ops.quote_name(database)
        statements = [
            f"REVOKE ALL ON DATABASE {database_quoted} FROM {quoted}",
            f"GRANT CONNECT ON DATABASE {database_quoted} TO {quoted}",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            f"REVOKE ALL ON SCHEMA public FROM {quoted}",
            f"GRANT USAGE ON SCHEMA public TO {quoted}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        ]
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(
            "SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p')), count(*) FILTER (WHERE c.relkind = 'S') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
        )
        tables, sequences = cursor.fetchone()
    return GrantSummary(role=role, created=row is None, database=database, tables=tables, sequences=sequences)


def _role_correct(cursor, *, role: str, oid: int, password: str) -> None:
    """An existing role: owns nothing here, has no power beyond LOGIN, belongs to no other role."""
    quoted = connection.ops.quote_name(role)
    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relowner = %s AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
        [oid],
    )
    owned = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM pg_database WHERE datdba = %s AND datname = current_database()", [oid]
    )
    owned += cursor.fetchone()[0]
    if owned:
        raise DatabaseRoleError(
            f"{role} owns {owned} object(s) of this database, so it could drop or disable the triggers. "
            f"Give them to the owner first: REASSIGN OWNED BY {role} TO current_user "
            "(and ALTER DATABASE … OWNER TO the owner)."
        )
    # Only the attributes to take away are named: a non-superuser owner may not name SUPERUSER at all.
    cursor.execute(
        "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication "
        "FROM pg_roles WHERE oid = %s",
        [oid],
    )
    powers = zip(ROLE_ATTRIBUTES.split(), cursor.fetchone(), strict=True)
    taken_away = " ".join(attribute for attribute, held in powers if held)
    cursor.execute(f"ALTER ROLE {quoted} LOGIN PASSWORD %s {taken_away}", [password])
    cursor.execute(
        "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = %s",
        [oid],
    )
    for (member_of,) in cursor.fetchall():
        cursor.execute(f"REVOKE {connection.ops.quote_name(member_of)} FROM {quoted}")


def connected_role() -> ConnectedRole | None:
    """The role this connection runs as (PostgreSQL only; None elsewhere)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, r.rolsuper, "
            "(SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user) "
            "FROM pg_roles r WHERE r.rolname = current_user"
        )
        name, is_superuser, tables_owned = cursor.fetchone()
    return ConnectedRole(name=name, is_superuser=is_superuser, tables_owned=tables_owned)
