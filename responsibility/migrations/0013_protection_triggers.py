"""On PostgreSQL, the database itself refuses rewrites of the evidence records (ADR 0002, continued).

Migrations 0002 and 0007 refuse changes to signatures, audit events, draws and signed letters row by
row. Here the rest of what the records prove is guarded, so that neither raw SQL nor a slip in a
service can rewrite it:

- TRUNCATE (which row triggers never see) is refused on every table below, by a statement trigger.
- DELETE is refused on every one of them; letters and their clauses keep 0002's rule (a draft may
  be deleted with its clauses, nothing else).
- A letter's status moves only along the workflow table (responsibility/letters/workflow.py
  TRANSITIONS), or stays; the pairs below were written from that table, and a test holds them equal.
- An evidence file's content (the file, its hash, size, type, name, uploader, time, owner) never changes.
- The head of an audit chain moves only forward: its last sequence never goes back, its last hash
  changes only with it, and it is never deleted.
- Findings, rectifications, performance records and duty assignments change only with their version
  step (`version = version + 1`, the services' optimistic lock), so no row changes silently.

The application's database role owns none of these tables, so it can neither drop nor disable the
triggers (README, "Database roles"). SQLite relies on the model guards and services alone.
"""

from django.db import migrations

# Every table whose rows are evidence: TRUNCATE is refused on all of them.
TRUNCATE_REFUSED = (
    "responsibility_campaign",
    "responsibility_letter",
    "responsibility_letterclause",
    "responsibility_signature",
    "responsibility_letterdocument",
    "responsibility_letterevent",
    "responsibility_letteraudithead",
    "responsibility_inspectionplan",
    "responsibility_checkpoint",
    "responsibility_spotcheckdraw",
    "responsibility_inspection",
    "responsibility_checkresult",
    "responsibility_finding",
    "responsibility_rectification",
    "responsibility_inspectionevent",
    "responsibility_inspectionaudithead",
    "responsibility_evidencefile",
    "responsibility_dutyassignment",
    "responsibility_dutytask",
    "responsibility_taskoccurrence",
    "responsibility_performancerecord",
    "responsibility_posthandover",
    "responsibility_dutyevent",
    "responsibility_dutyaudithead",
)

# Tables whose DELETE no earlier trigger refuses (0002 guards letter, letterclause, signature and
# letterevent; 0007 spotcheckdraw and inspectionevent; the heads and evidence files have their own guard).
DELETE_REFUSED = (
    "responsibility_campaign",
    "responsibility_letterdocument",
    "responsibility_inspectionplan",
    "responsibility_checkpoint",
    "responsibility_inspection",
    "responsibility_checkresult",
    "responsibility_finding",
    "responsibility_rectification",
    "responsibility_dutyassignment",
    "responsibility_dutytask",
    "responsibility_taskoccurrence",
    "responsibility_performancerecord",
    "responsibility_posthandover",
)

# Append-only like the other audit events (0002, 0007): no UPDATE, no DELETE.
EVENTS_PERMANENT = ("responsibility_dutyevent",)

# Changed only by a service that steps the version (core.versions, the optimistic lock).
VERSIONED = (
    "responsibility_finding",
    "responsibility_rectification",
    "responsibility_performancerecord",
    "responsibility_dutyassignment",
)

CHAIN_HEADS = (
    "responsibility_letteraudithead",
    "responsibility_inspectionaudithead",
    "responsibility_dutyaudithead",
)

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION responsibility_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'TRUNCATE on % is refused: its rows are evidence and are never removed', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION responsibility_refuse_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'DELETE on % is refused: its rows are evidence and are never removed', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION responsibility_version_step() RETURNS trigger AS $$
BEGIN
    IF NEW.version IS DISTINCT FROM OLD.version + 1 THEN
        RAISE EXCEPTION '% row % changed without its version step (version % to %, not %)',
            TG_TABLE_NAME, OLD.id, OLD.version, NEW.version, OLD.version + 1
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION responsibility_chain_head_guard() RETURNS trigger AS $$
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

CREATE OR REPLACE FUNCTION responsibility_evidencefile_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'DELETE on % is refused: evidence files are never removed', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.id, NEW.file, NEW.original_name, NEW.content_type, NEW.size, NEW.sha256, NEW.check_result_id,
        NEW.finding_id, NEW.rectification_id, NEW.performance_record_id, NEW.uploaded_by_id,
        NEW.uploaded_at)
       IS DISTINCT FROM
       (OLD.id, OLD.file, OLD.original_name, OLD.content_type, OLD.size, OLD.sha256, OLD.check_result_id,
        OLD.finding_id, OLD.rectification_id, OLD.performance_record_id, OLD.uploaded_by_id,
        OLD.uploaded_at)
    THEN
        RAISE EXCEPTION 'evidence file % cannot change: what was uploaded is permanent', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

-- The pairs are responsibility/letters/workflow.py TRANSITIONS when this was written
-- (tests/responsibility/test_database_protection.py holds them equal).
CREATE OR REPLACE FUNCTION responsibility_letter_status_guard() RETURNS trigger AS $$
BEGIN
    IF (OLD.status, NEW.status) NOT IN (
        ('draft', 'issued'), ('draft', 'voided'),
        ('issued', 'signed'), ('issued', 'returned'), ('issued', 'voided'),
        ('signed', 'countersigned'), ('signed', 'voided'),
        ('countersigned', 'archived'), ('countersigned', 'voided')
    ) THEN
        RAISE EXCEPTION 'letter % cannot move from % to %: not a step of the workflow',
            OLD.reference, OLD.status, NEW.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER responsibility_letter_status_moves
    BEFORE UPDATE ON responsibility_letter
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION responsibility_letter_status_guard();

CREATE TRIGGER responsibility_evidencefile_permanent
    BEFORE UPDATE OR DELETE ON responsibility_evidencefile
    FOR EACH ROW EXECUTE FUNCTION responsibility_evidencefile_guard();
"""


def _table_triggers() -> str:
    statements = []
    for table in TRUNCATE_REFUSED:
        statements.append(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION responsibility_refuse_truncate();"
        )
    for table in DELETE_REFUSED:
        statements.append(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_delete();"
        )
    for table in EVENTS_PERMANENT:
        statements.append(
            f"CREATE TRIGGER {table}_permanent BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_change();"
        )
    for table in VERSIONED:
        statements.append(
            f"CREATE TRIGGER {table}_version_step BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION responsibility_version_step();"
        )
    for table in CHAIN_HEADS:
        statements.append(
            f"CREATE TRIGGER {table}_forward_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION responsibility_chain_head_guard();"
        )
    return "\n".join(statements)


def _table_triggers_drop() -> str:
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table};"
        for suffix, tables in (
            ("no_truncate", TRUNCATE_REFUSED),
            ("no_delete", DELETE_REFUSED),
            ("permanent", EVENTS_PERMANENT),
            ("version_step", VERSIONED),
            ("forward_only", CHAIN_HEADS),
        )
        for table in tables
    ]
    return "\n".join(statements)


POSTGRES_FORWARD = FUNCTIONS + _table_triggers()

POSTGRES_REVERSE = (
    _table_triggers_drop()
    + r"""
DROP TRIGGER IF EXISTS responsibility_evidencefile_permanent ON responsibility_evidencefile;
DROP TRIGGER IF EXISTS responsibility_letter_status_moves ON responsibility_letter;
DROP FUNCTION IF EXISTS responsibility_letter_status_guard();
DROP FUNCTION IF EXISTS responsibility_evidencefile_guard();
DROP FUNCTION IF EXISTS responsibility_chain_head_guard();
DROP FUNCTION IF EXISTS responsibility_version_step();
DROP FUNCTION IF EXISTS responsibility_refuse_delete();
DROP FUNCTION IF EXISTS responsibility_refuse_truncate();
"""
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("responsibility", "0012_duty_events")]

    operations = [migrations.RunPython(forward, reverse)]
