"""On PostgreSQL, the database itself refuses changes to what was signed (ADR 0002).

SQLite relies on the model guards alone: its test-database flush deletes rows one by one, which
row triggers would refuse.
"""

from django.db import migrations

POSTGRES_FORWARD = r"""
CREATE OR REPLACE FUNCTION responsibility_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % is refused: audit records and signatures are permanent', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER responsibility_signature_permanent
    BEFORE UPDATE OR DELETE ON responsibility_signature
    FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_change();
CREATE TRIGGER responsibility_letterevent_permanent
    BEFORE UPDATE OR DELETE ON responsibility_letterevent
    FOR EACH ROW EXECUTE FUNCTION responsibility_refuse_change();

CREATE OR REPLACE FUNCTION responsibility_letter_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'letter % is %: it is never deleted', OLD.reference, OLD.status
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.status = 'draft'
        OR (NEW.campaign_id, NEW.number, NEW.version, NEW.reference, NEW.parent_id, NEW.root_id,
            NEW.previous_version_id, NEW.template_id, NEW.title, NEW.preamble, NEW.closing,
            NEW.issuer_label, NEW.signer_label, NEW.issuer_id, NEW.issuer_post_id, NEW.signer_id,
            NEW.signer_post_id, NEW.signer_unit_id, NEW.content_hash, NEW.issued_at, NEW.signed_at)
        IS DISTINCT FROM
           (OLD.campaign_id, OLD.number, OLD.version, OLD.reference, OLD.parent_id, OLD.root_id,
            OLD.previous_version_id, OLD.template_id, OLD.title, OLD.preamble, OLD.closing,
            OLD.issuer_label, OLD.signer_label, OLD.issuer_id, OLD.issuer_post_id, OLD.signer_id,
            OLD.signer_post_id, OLD.signer_unit_id, OLD.content_hash, OLD.issued_at,
            CASE WHEN OLD.status = 'issued' THEN NEW.signed_at ELSE OLD.signed_at END)
    ) THEN
        RAISE EXCEPTION 'letter % is %: its content cannot change', OLD.reference, OLD.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER responsibility_letter_frozen
    BEFORE UPDATE OR DELETE ON responsibility_letter
    FOR EACH ROW EXECUTE FUNCTION responsibility_letter_guard();

CREATE OR REPLACE FUNCTION responsibility_letterclause_guard() RETURNS trigger AS $$
DECLARE
    letter_status text;
BEGIN
    SELECT status INTO letter_status FROM responsibility_letter
        WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.letter_id ELSE NEW.letter_id END;
    IF letter_status IS DISTINCT FROM 'draft' THEN
        RAISE EXCEPTION 'clauses of a % letter cannot change', letter_status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.letter_id <> NEW.letter_id THEN
        SELECT status INTO letter_status FROM responsibility_letter WHERE id = OLD.letter_id;
        IF letter_status <> 'draft' THEN
            RAISE EXCEPTION 'clauses of a % letter cannot change', letter_status
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER responsibility_letterclause_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON responsibility_letterclause
    FOR EACH ROW EXECUTE FUNCTION responsibility_letterclause_guard();
"""

POSTGRES_REVERSE = r"""
DROP TRIGGER IF EXISTS responsibility_letterclause_frozen ON responsibility_letterclause;
DROP TRIGGER IF EXISTS responsibility_letter_frozen ON responsibility_letter;
DROP TRIGGER IF EXISTS responsibility_letterevent_permanent ON responsibility_letterevent;
DROP TRIGGER IF EXISTS responsibility_signature_permanent ON responsibility_signature;
DROP FUNCTION IF EXISTS responsibility_letterclause_guard();
DROP FUNCTION IF EXISTS responsibility_letter_guard();
DROP FUNCTION IF EXISTS responsibility_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("responsibility", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
