"""SQLite's query planner statistics, refreshed by beat every hour (core.dbstats); PostgreSQL keeps its
own."""

import pytest
from django.conf import settings
from django.db import connection

from core.dbstats import database_statistics_refresh
from responsibility import tasks

pytestmark = pytest.mark.django_db


def _tables_with_statistics() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return set()
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: PostgreSQL analyses by itself")
def test_sqlite_gets_statistics_of_the_tables_that_hold_rows(org):
    # given an organisation (units, posts, people) and no statistics yet
    assert "accounts_orgunit" not in _tables_with_statistics()

    # when beat's hourly task runs
    refreshed = tasks.database_statistics_refresh()

    # then the planner knows the tables' sizes
    assert refreshed is True
    assert {"accounts_orgunit", "accounts_user", "accounts_post"} <= _tables_with_statistics()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_is_left_to_autovacuum():
    assert database_statistics_refresh() is False


def test_beat_refreshes_the_statistics_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["database-statistics-refresh"]

    assert entry["task"] == tasks.database_statistics_refresh.name
    assert entry["schedule"].minute == {40} and len(entry["schedule"].hour) == 24
