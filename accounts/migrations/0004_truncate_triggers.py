"""On PostgreSQL, the security log cannot be emptied and its chain head cannot move back.

0003 refuses UPDATE and DELETE of a security event row by row; TRUNCATE passes row triggers, so a
statement trigger refuses it on the events and on the chain head. The head itself moves only
forward: its last sequence never goes back, its last hash changes only with it, and it is never
deleted. SQLite relies on the model guard alone.
"""

from django.db import migrations

POSTGRES_FORWARD = r"""
CREATE OR REPLACE FUNCTION accounts_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'TRUNCATE on % is refused: the security log is permanent', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION accounts_chain_head_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'DELETE on % is refused: the head of an audit chain is never removed', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.id <> OLD.id
        OR NEW.last_sequence < OLD.last_sequence
        OR (NEW.last_sequence = OLD.last_sequence AND NEW.last_hash IS DISTINCT FROM OLD.last_hash)
    THEN
        RAISE EXCEPTION 'the head of % moves only forward: #% cannot become #% with another hash',
            TG_TABLE_NAME, OLD.last_sequence, NEW.last_sequence
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_securityevent_no_truncate
    BEFORE TRUNCATE ON accounts_securityevent
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_refuse_truncate();
CREATE TRIGGER accounts_securityaudithead_no_truncate
    BEFORE TRUNCATE ON accounts_securityaudithead
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_refuse_truncate();
CREATE TRIGGER accounts_securityaudithead_forward_only
    BEFORE UPDATE OR DELETE ON accounts_securityaudithead
    FOR EACH ROW EXECUTE FUNCTION accounts_chain_head_guard();
"""

POSTGRES_REVERSE = r"""
DROP TRIGGER IF EXISTS accounts_securityaudithead_forward_only ON accounts_securityaudithead;
DROP TRIGGER IF EXISTS accounts_securityaudithead_no_truncate ON accounts_securityaudithead;
DROP TRIGGER IF EXISTS accounts_securityevent_no_truncate ON accounts_securityevent;
DROP FUNCTION IF EXISTS accounts_chain_head_guard();
DROP FUNCTION IF EXISTS accounts_refuse_truncate();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_security_log_trigger")]

    operations = [migrations.RunPython(forward, reverse)]
