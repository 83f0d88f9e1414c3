"""The letter's content fields and the PostgreSQL trigger that freezes them name the same columns.

`Letter.CONTENT_FIELDS` is what the ORM guards refuse to change once a letter left draft; the trigger of
migration 0002 is what the database refuses. A field added to one and not the other would be guarded
on one side only: this test reads both and fails on any difference, on SQLite as on PostgreSQL.
"""

import importlib
import re

from responsibility.letters.models.letters import Letter

# Columns the trigger freezes besides the content: the moment of issue, and of signature once signed.
TIMESTAMPS_FROZEN = {"issued_at", "signed_at"}


def _trigger_columns() -> set[str]:
    migration = importlib.import_module("responsibility.migrations.0002_integrity_triggers")
    guard = migration.POSTGRES_FORWARD.split("responsibility_letter_guard()", 1)[1]
    new_tuple = re.search(r"OR \((NEW\..*?)\)\s+IS DISTINCT FROM", guard, flags=re.S).group(1)
    return set(re.findall(r"NEW\.(\w+)", new_tuple))


def test_the_trigger_freezes_every_content_field_and_nothing_else():
    content_columns = {Letter._meta.get_field(name).column for name in Letter.CONTENT_FIELDS}

    assert _trigger_columns() == content_columns | TIMESTAMPS_FROZEN


def test_every_content_field_is_a_column_of_the_letter():
    columns = {field.column for field in Letter._meta.concrete_fields}

    assert set(Letter.CONTENT_FIELDS) <= {field.name for field in Letter._meta.concrete_fields}
    assert _trigger_columns() <= columns
