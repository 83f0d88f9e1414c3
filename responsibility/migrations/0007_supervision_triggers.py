"""On PostgreSQL, the database refuses changes to spot-check draws and supervision audit events too.

Same function as 0002 (responsibility_refuse_change); SQLite relies on the model guards alone.
"""

from django.db import migrations

POSTGRES_FORWARD = r"""
CREATE TRIGGER responsibility_spotcheckdraw_permanent
    BEFORE UPDATE OR DELETE ON responsibility_spotcheckdraw
    FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_change();
CREATE TRIGGER responsibility_inspectionevent_permanent
    BEFORE UPDATE OR DELETE ON responsibility_inspectionevent
    FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_change();
"""

POSTGRES_REVERSE = r"""
DROP TRIGGER IF EXISTS responsibility_inspectionevent_permanent ON responsibility_inspectionevent;
DROP TRIGGER IF EXISTS responsibility_spotcheckdraw_permanent ON responsibility_spotcheckdraw;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("responsibility", "0006_rectification_reminders")]

    operations = [migrations.RunPython(forward, reverse)]
