"""On PostgreSQL, the database itself refuses changes to the security log (as to the other audit chains).

SQLite relies on the model guard alone (its test-database flush deletes rows one by one).
"""

from django.db import migrations

POSTGRES_FORWARD = r"""
CREATE OR REPLACE FUNCTION accounts_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % is refused: the security log is permanent', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_securityevent_permanent
    BEFORE UPDATE OR DELETE ON accounts_securityevent
    FOR EACH ROW EXECUTE FUNCTION accounts_refuse_change();
"""

POSTGRES_REVERSE = r"""
DROP TRIGGER IF EXISTS accounts_securityevent_permanent ON accounts_securityevent;
DROP FUNCTION IF EXISTS accounts_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_security_log")]

    operations = [migrations.RunPython(forward, reverse)]
