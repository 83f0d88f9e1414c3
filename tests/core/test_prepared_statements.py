"""PostgreSQL plans a query a connection runs often once: parameters are bound on the server, so the
text is the same for every user, and psycopg prepares it after 5 runs (config/settings/base.py)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import User

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no prepared statements to turn on"
)


@postgresql_only
@pytest.mark.django_db
def test_a_query_run_often_is_prepared_once_for_every_user():
    connection.ensure_connection()
    for username in [f"prepared-{number}" for number in range(8)]:
        list(User.objects.filter(username=username))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "accounts_user" WHERE "accounts_user"."username" = $1%'],
        )
        assert cursor.fetchone()[0] == 1


def _options_with(environment: dict) -> str:
    """The database OPTIONS the settings give for a PostgreSQL address, read in a fresh process."""
    code = "from django.conf import settings; print(sorted(settings.DATABASES['default']['OPTIONS'].items()))"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/letters",
            **environment,
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_prepared_statements_can_be_turned_off_for_an_old_pooler():
    """Two fresh processes (the settings are read once per process): about 2 s."""
    assert "('prepare_threshold', 5), ('server_side_binding', True)" in _options_with({})
    off = _options_with({"DJANGO_DB_PREPARED_STATEMENTS": "false"})
    assert "('prepare_threshold', None), ('server_side_binding', True)" in off


def test_sqlite_has_no_such_options():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite run's settings")
    assert "server_side_binding" not in settings.DATABASES["default"]["OPTIONS"]
