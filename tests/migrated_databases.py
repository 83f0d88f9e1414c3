"""Databases migrated once for their migrations, then copied: the test suite's and the benchmarks'.

Migrating an empty database replays every migration: about 22 s of a core on this machine, nearly all
of it Django rendering its models' states again after each operation. The test suite makes one such
database per worker and pass, and each benchmark one more; all are the same while the migrations are.
So the first one made is kept as a template, under a key of what decides its content (Django's version,
the engine, every migration file of the project), and the next ones are copies of it: a file copied on
SQLite (in the machine's temporary folder), `CREATE DATABASE … TEMPLATE` on PostgreSQL (a database
beside the test databases). `migrate` still runs on every copy: it finds nothing to apply and runs the
post_migrate handlers (the role groups, the audit chain heads, the talk kinds) with the code at hand.

A change to a migration makes a new template, and the old one is removed. Parallel processes share the
templates: one makes a missing template while the others wait for it (a lock file per engine).
"""

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project's apps with migrations; Django's own apps' migrations are keyed by its version.
_MIGRATION_FOLDERS = ("accounts/migrations", "responsibility/migrations")
_FOLDER = Path(tempfile.gettempdir()) / f"letters-migrated-databases-{os.getuid()}"
# One PostgreSQL template for every test database name on a server; its comment holds its key.
_POSTGRESQL_TEMPLATE = "letters_migrated_template"


def migrations_key(vendor: str) -> str:
    """What decides a migrated database's content: Django's version, the engine and the migration files."""
    import django

    digest = hashlib.sha256(f"{django.get_version()}\n{vendor}\n".encode())
    for folder in _MIGRATION_FOLDERS:
        for path in sorted((ROOT / folder).glob("*.py")):
            digest.update(f"{folder}/{path.name}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


@contextlib.contextmanager
def _templates_locked(vendor: str) -> Iterator[None]:
    """One maker of an engine's template at a time (each engine has its own)."""
    _FOLDER.mkdir(parents=True, exist_ok=True)
    with open(_FOLDER / f".lock-{vendor}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


# --- SQLite: a file per key -------------------------------------------------------------------------------


def _sqlite_template(key: str) -> Path:
    return _FOLDER / f"{key}.sqlite3"


def _sqlite_remove(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        name.unlink(missing_ok=True)


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of the database file `source` (WAL included) at `target`, written whole or not."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(source)) as origin,
        contextlib.closing(sqlite3.connect(partial)) as copy,
    ):
        origin.backup(copy)
    _sqlite_remove(target)
    os.replace(partial, target)


def _sqlite_save(database: Path, key: str) -> None:
    _sqlite_copy(database, _sqlite_template(key))
    for old in _FOLDER.glob("*.sqlite3"):
        if old != _sqlite_template(key):
            old.unlink(missing_ok=True)


# --- PostgreSQL: one template database, its key in its comment ---------------------------------------------


def _postgresql_template_key(cursor) -> str | None:
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [_POSTGRESQL_TEMPLATE],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def _postgresql_save(cursor, database: str, key: str) -> None:
    cursor.execute(f'DROP DATABASE IF EXISTS "{_POSTGRESQL_TEMPLATE}"')
    cursor.execute(f'CREATE DATABASE "{_POSTGRESQL_TEMPLATE}" TEMPLATE "{database}"')
    cursor.execute(f"COMMENT ON DATABASE \"{_POSTGRESQL_TEMPLATE}\" IS '{key}'")


def _postgresql_copy(cursor, database: str) -> None:
    cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
    cursor.execute(f'CREATE DATABASE "{database}" TEMPLATE "{_POSTGRESQL_TEMPLATE}"')


# --- The test databases -------------------------------------------------------------------------------------


def databases_setup_from_template(*, verbosity: int, aliases, serialized_aliases, keepdb: bool):
    """Django's setup_databases, with a new default test database copied from the template when there is
    one (and the template made from it when there is none); with `keepdb`, a test database that is already
    there is kept and migrated, as Django does. Returns what teardown_databases takes."""
    from django.db import connection, connections
    from django.test.utils import setup_databases

    def setup(*, keepdb: bool):
        return setup_databases(
            verbosity=verbosity,
            interactive=False,
            keepdb=keepdb,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
        )

    database = connection.creation._get_test_db_name()
    in_memory = connection.vendor == "sqlite" and connection.creation.is_in_memory_db(database)
    if connection.vendor not in ("sqlite", "postgresql") or in_memory:
        return setup(keepdb=keepdb)
    if keepdb and _test_database_exists(connection, database):
        return setup(keepdb=True)
    key = migrations_key(connection.vendor)
    with _templates_locked(connection.vendor):
        if connection.vendor == "sqlite":
            made = _sqlite_template(key).is_file()
            if made:
                _sqlite_copy(_sqlite_template(key), Path(database))
        else:
            with connection.creation._nodb_cursor() as cursor:
                made = _postgresql_template_key(cursor) == key
                if made:
                    _postgresql_copy(cursor, database)
        if not made:
            config = setup(keepdb=False)  # migrates it, as Django does
            if connection.vendor == "sqlite":
                _sqlite_save(Path(database), key)
            else:
                connections.close_all()  # a template must have no one connected
                with connection.creation._nodb_cursor() as cursor:
                    _postgresql_save(cursor, database, key)
            return config
    return setup(keepdb=True)  # finds the copy: migrate applies nothing, post_migrate runs


def _test_database_exists(connection, database: str) -> bool:
    if connection.vendor == "sqlite":
        return Path(database).is_file() and Path(database).stat().st_size > 0
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        return cursor.fetchone() is not None


# --- The benchmarks' databases ------------------------------------------------------------------------------


def database_migrate() -> None:
    """`migrate` the default database; a new SQLite file is first copied from the template (or, when there
    is none, the template is copied from it once migrated)."""
    from django.core.management import call_command
    from django.db import connection

    path = Path(connection.settings_dict["NAME"])
    fresh = connection.vendor == "sqlite" and (not path.exists() or path.stat().st_size == 0)
    if not fresh:
        call_command("migrate", verbosity=0)
        return
    key = migrations_key(connection.vendor)
    with _templates_locked(connection.vendor):
        if _sqlite_template(key).is_file():
            connection.close()
            _sqlite_copy(_sqlite_template(key), path)
        else:
            call_command("migrate", verbosity=0)
            _sqlite_save(path, key)
            return
    call_command("migrate", verbosity=0)


def main() -> None:
    """Make the template for DATABASE_URL (SQLite by default) under the test settings, if it is missing.

    CI runs this beside its checks, so that neither test pass starts by migrating."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.test.utils import teardown_databases

    config = databases_setup_from_template(
        verbosity=0, aliases={"default"}, serialized_aliases=set(), keepdb=False
    )
    teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
