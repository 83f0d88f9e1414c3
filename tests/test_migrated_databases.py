"""The test databases are copies of a migrated template (tests/migrated_databases.py): they must be what
migrating makes, and a template must never outlive the migrations it was made from."""

import shutil

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import migrated_databases


@pytest.mark.django_db
def test_the_test_database_has_every_migration_applied_and_nothing_to_change():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    applied = executor.loader.applied_migrations
    assert ("responsibility", "0001_initial") in applied
    assert set(executor.loader.graph.leaf_nodes()) <= set(applied)


def test_the_template_key_changes_with_any_migration_file_and_with_the_engine(tmp_path, monkeypatch):
    for folder in migrated_databases._MIGRATION_FOLDERS:
        shutil.copytree(migrated_databases.ROOT / folder, tmp_path / folder)
    monkeypatch.setattr(migrated_databases, "ROOT", tmp_path)
    key = migrated_databases.migrations_key("sqlite")
    assert migrated_databases.migrations_key("sqlite") == key
    assert migrated_databases.migrations_key("postgresql") != key

    migration = sorted((tmp_path / "responsibility/migrations").glob("0*.py"))[-1]
    migration.write_text(migration.read_text() + "\n# edited\n")
    edited = migrated_databases.migrations_key("sqlite")
    assert edited != key

    (tmp_path / "accounts/migrations/0009_new.py").write_text("# a new migration\n")
    assert migrated_databases.migrations_key("sqlite") not in (key, edited)
