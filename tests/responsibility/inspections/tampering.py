"""Change stored draws and events behind the application's back, as someone with database access could.

The models are append-only (their querysets refuse `update`), so tampering goes through raw SQL.
Values are converted by the field itself, so JSON and time columns work on SQLite and PostgreSQL.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from responsibility.supervision.models import InspectionEvent, SpotCheckDraw


def _raw_update(model, pk: int, **values) -> None:
    fields = [model._meta.get_field(name) for name in values]
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    params = [field.get_db_prep_value(values[field.name], connection) for field in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The refusing triggers (migration 0007) can only be bypassed by a superuser.
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:
                pytest.skip("bypassing the triggers needs a PostgreSQL superuser")
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(model._meta.db_table)} SET {assignments} WHERE id = %s",
            [*params, pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def draw_tamper(draw: SpotCheckDraw, **values) -> SpotCheckDraw:
    """Overwrite columns of a stored draw; returns the draw as now read from the database."""
    _raw_update(SpotCheckDraw, draw.pk, **values)
    return SpotCheckDraw.objects.get(pk=draw.pk)


def draw_event_tamper(draw: SpotCheckDraw, **values) -> None:
    """Overwrite columns of the audit event that recorded the draw."""
    event = InspectionEvent.objects.get(subject=f"draw:{draw.pk}")
    _raw_update(InspectionEvent, event.pk, **values)
