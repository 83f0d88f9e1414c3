"""On PostgreSQL the database itself refuses rewrites of the evidence records (migration 0013), and the
application's role (accounts.database_roles) can neither switch that off nor get around it.

The test connection is the `postgres` superuser: the refusals below hold even for it, because a trigger
fires for every role. Only the owner or a superuser could drop or disable a trigger; the application
role is neither, as the last tests show under `SET ROLE`.
"""

import datetime
import importlib
import io
import re
import uuid

import pytest
from django.core.management import call_command
from django.db import IntegrityError, ProgrammingError, connection, transaction

from accounts.models import User
from responsibility.letters.models.documents import LetterDocument
from responsibility.letters.models.letters import Letter, LetterAuditHead, LetterStatus
from responsibility.letters.services.letters import letter_sign
from responsibility.letters.workflow import TRANSITIONS
from tests.conftest import attestation_for

# One worker takes the whole module, so the demo (the module-scoped `seeded`) is loaded once, not once
# for every run of its tests a worker happens to be given between other modules.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("database_protection")]

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="the refusing triggers and database roles exist on PostgreSQL only (CI runs it: DATABASE_URL)",
)

# What must never be emptied or have a row deleted (the specification; migration 0013 implements it).
EVIDENCE_TABLES = (
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
    "responsibility_problemsource",
    "responsibility_problembatch",
    "responsibility_measure",
    "responsibility_recheck",
    "responsibility_recheckresult",
    "responsibility_assessmentround",
    "responsibility_unitassessment",
    "responsibility_itemscore",
    "responsibility_assessmentevent",
    "responsibility_assessmentaudithead",
    "responsibility_objection",
)


def _sql(statement: str, params: list | None = None) -> None:
    # In a savepoint, so that the test's transaction survives the refusal.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def _value(statement: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


def _count(table: str) -> int:
    return _value(f"SELECT count(*) FROM {table}")


def _a_letter(status: LetterStatus) -> Letter:
    """A letter of the demo (the `seeded` fixture) in that state, with an active signer."""
    return Letter.objects.filter(status=status, signer__is_active=True).order_by("pk").first()


# The letter workflow in the trigger is the workflow table (every database: it reads the migration).


def _trigger_status_moves() -> set[tuple[str, str]]:
    migration = importlib.import_module("responsibility.migrations.0013_protection_triggers")
    guard = migration.POSTGRES_FORWARD.split("responsibility_letter_status_guard()", 1)[1]
    pairs = re.search(r"NOT IN \((.*?)\) THEN", guard, flags=re.S).group(1)
    return set(re.findall(r"\('(\w+)', '(\w+)'\)", pairs))


def test_the_letter_trigger_allows_exactly_the_moves_of_the_workflow_table():
    workflow = {
        (current.value, target.value) for current, targets in TRANSITIONS.items() for target in targets
    }

    assert _trigger_status_moves() == workflow


def test_the_migrations_guard_every_evidence_table():
    first = importlib.import_module("responsibility.migrations.0013_protection_triggers")
    batches = importlib.import_module("responsibility.migrations.0022_problem_batches")
    measures = importlib.import_module("responsibility.migrations.0023_measures")
    rechecks = importlib.import_module("responsibility.migrations.0026_rechecks")
    rounds = importlib.import_module("responsibility.migrations.0032_assessment_rounds")
    objections = importlib.import_module("responsibility.migrations.0033_assessment_objections")
    guarded = (
        first.TRUNCATE_REFUSED,
        batches.PROTECTED,
        measures.PROTECTED,
        rechecks.PROTECTED,
        rounds.PROTECTED,
        objections.PROTECTED,
    )

    assert set().union(*guarded) == set(EVIDENCE_TABLES)


# TRUNCATE: a statement trigger on every evidence table (row triggers never see it).


@postgresql_only
@pytest.mark.parametrize("table", EVIDENCE_TABLES)
def test_database_refuses_to_truncate_an_evidence_table(table):
    with pytest.raises(IntegrityError, match="TRUNCATE on .* is refused"):
        _sql(f"TRUNCATE {table} CASCADE")


@postgresql_only
def test_database_refuses_to_truncate_the_signatures_of_the_demo(seeded):
    # The demo was written in this test's transaction: check its foreign keys now, as a commit
    # would, or PostgreSQL refuses the TRUNCATE for those pending checks before any trigger runs.
    _sql("SET CONSTRAINTS ALL IMMEDIATE")

    before = _count("responsibility_signature")

    with pytest.raises(IntegrityError, match="TRUNCATE on responsibility_signature is refused"):
        _sql("TRUNCATE responsibility_signature")

    assert _count("responsibility_signature") == before > 0


# DELETE: refused on every evidence table (letters and clauses: unless draft, as 0002 has it).


def _a_row_of(table: str) -> int:
    """The first row of a table of the demo; the two tables the demo leaves empty get one."""
    row = _value(f"SELECT min(id) FROM {table}")
    if row is not None:
        return row
    if table == "responsibility_letterdocument":
        letter = Letter.objects.filter(status=LetterStatus.COUNTERSIGNED, document__isnull=True).first()
        return LetterDocument.objects.create(letter=letter).pk
    if table == "responsibility_posthandover":
        from responsibility.duties.models import PostHandover

        holder, successor = User.objects.filter(is_active=True).order_by("pk")[:2]
        return PostHandover.objects.create(
            post=holder.posts.first() or successor.posts.first(),
            previous_holder=holder,
            new_holder=successor,
            handed_over_on=datetime.date(2026, 3, 1),
            handed_over_by=holder,
        ).pk
    raise AssertionError(f"the demo left {table} empty")


@postgresql_only
@pytest.mark.parametrize(
    "table",
    [
        table
        for table in EVIDENCE_TABLES
        if table not in {"responsibility_letter", "responsibility_letterclause"}  # refused unless draft: 0002
    ],
)
def test_database_refuses_to_delete_a_row_of_an_evidence_table(seeded, table):
    row = _a_row_of(table)
    before = _count(table)

    with pytest.raises(IntegrityError, match="refused|never"):
        _sql(f"DELETE FROM {table} WHERE id = %s", [row])

    assert _count(table) == before


# Letter status: only along the workflow table.


@postgresql_only
def test_database_refuses_to_move_a_countersigned_letter_back_to_signed(seeded):
    countersigned_letter = _a_letter(LetterStatus.COUNTERSIGNED)
    with pytest.raises(IntegrityError, match="cannot move from countersigned to signed"):
        _sql("UPDATE responsibility_letter SET status = 'signed' WHERE id = %s", [countersigned_letter.pk])

    assert Letter.objects.get(pk=countersigned_letter.pk).status == LetterStatus.COUNTERSIGNED


@postgresql_only
def test_database_refuses_to_archive_a_letter_that_was_never_countersigned(seeded):
    signed_letter = _a_letter(LetterStatus.SIGNED)
    with pytest.raises(IntegrityError, match="cannot move from signed to archived"):
        _sql(
            "UPDATE responsibility_letter SET status = 'archived', archived_at = now() WHERE id = %s",
            [signed_letter.pk],
        )

    assert Letter.objects.get(pk=signed_letter.pk).status == LetterStatus.SIGNED


@postgresql_only
def test_database_lets_raw_sql_take_a_step_of_the_workflow(seeded):
    """signed → countersigned is a step of the table, so the trigger lets it pass even without the
    service: what betrays it is elsewhere (no countersignature, no audit event, the anchors)."""
    signed_letter = _a_letter(LetterStatus.SIGNED)
    _sql(
        "UPDATE responsibility_letter SET status = 'countersigned', countersigned_at = now() WHERE id = %s",
        [signed_letter.pk],
    )

    stored = Letter.objects.get(pk=signed_letter.pk)
    assert stored.status == LetterStatus.COUNTERSIGNED
    assert not stored.signatures.filter(role="countersigner").exists()


# Chain heads, evidence files, versioned records.


@postgresql_only
def test_database_refuses_to_move_the_letter_chain_head_back(seeded):
    head = LetterAuditHead.objects.get(pk=1)

    with pytest.raises(IntegrityError, match="moves only forward"):
        _sql("UPDATE responsibility_letteraudithead SET last_sequence = last_sequence - 1 WHERE id = 1")
    with pytest.raises(IntegrityError, match="moves only forward"):
        _sql("UPDATE responsibility_letteraudithead SET last_hash = %s WHERE id = 1", ["0" * 64])

    assert LetterAuditHead.objects.get(pk=1).last_sequence == head.last_sequence
    assert LetterAuditHead.objects.get(pk=1).last_hash == head.last_hash


@postgresql_only
@pytest.mark.parametrize(
    ("column", "value"),
    [("sha256", "0" * 64), ("size", 1), ("file", "evidence/other.pdf"), ("uploaded_at", "2020-01-01")],
)
def test_database_refuses_to_change_an_evidence_file(seeded, column, value):
    row = _a_row_of("responsibility_evidencefile")
    before = _value(f"SELECT {column}::text FROM responsibility_evidencefile WHERE id = %s", [row])

    with pytest.raises(IntegrityError, match="cannot change"):
        _sql(f"UPDATE responsibility_evidencefile SET {column} = %s WHERE id = %s", [value, row])

    assert _value(f"SELECT {column}::text FROM responsibility_evidencefile WHERE id = %s", [row]) == before


@postgresql_only
def test_database_refuses_to_move_an_evidence_file_to_a_measure(seeded):
    row = _a_row_of("responsibility_evidencefile")
    measure = _value("SELECT min(id) FROM responsibility_measure", [])

    with pytest.raises(IntegrityError, match="cannot change"):
        _sql(
            "UPDATE responsibility_evidencefile SET measure_id = %s, finding_id = NULL, "
            "rectification_id = NULL, check_result_id = NULL, performance_record_id = NULL WHERE id = %s",
            [measure, row],
        )

    assert _value("SELECT measure_id FROM responsibility_evidencefile WHERE id = %s", [row]) is None


@postgresql_only
def test_database_refuses_to_move_an_evidence_file_to_a_problem_list(seeded):
    """A list's documents are evidence files too (migration 0027): none is moved to or from a list."""
    row = _value("SELECT min(id) FROM responsibility_evidencefile WHERE batch_id IS NULL", [])
    batch = _value("SELECT min(id) FROM responsibility_problembatch", [])

    with pytest.raises(IntegrityError, match="cannot change"):
        _sql(
            "UPDATE responsibility_evidencefile SET batch_id = %s, finding_id = NULL, measure_id = NULL, "
            "rectification_id = NULL, check_result_id = NULL, performance_record_id = NULL WHERE id = %s",
            [batch, row],
        )

    assert _value("SELECT batch_id FROM responsibility_evidencefile WHERE id = %s", [row]) is None


@postgresql_only
@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("responsibility_finding", "title"),
        ("responsibility_rectification", "measures"),
        ("responsibility_performancerecord", "summary"),
        ("responsibility_dutyassignment", "integrity_duties"),
        ("responsibility_problembatch", "title"),
        ("responsibility_measure", "action"),
    ],
)
def test_database_refuses_a_change_without_the_version_step(seeded, table, column):
    row = _a_row_of(table)
    before = _value(f"SELECT {column} FROM {table} WHERE id = %s", [row])

    with pytest.raises(IntegrityError, match="without its version step"):
        _sql(f"UPDATE {table} SET {column} = '改写' WHERE id = %s", [row])
    assert _value(f"SELECT {column} FROM {table} WHERE id = %s", [row]) == before

    # the same change with the step passes: the services' optimistic lock moves the version
    _sql(f"UPDATE {table} SET {column} = '改写', version = version + 1 WHERE id = %s", [row])
    assert _value(f"SELECT {column} FROM {table} WHERE id = %s", [row]) == "改写"


# Assessment rounds: an approved round never changes; an open one only with the version step.


def _round_rows(status: str) -> dict[str, int]:
    """A round of the demo in that state, one of its cards and one of that card's item scores."""
    round_id = _value("SELECT min(id) FROM responsibility_assessmentround WHERE status = %s", [status])
    card = _value("SELECT min(id) FROM responsibility_unitassessment WHERE round_id = %s", [round_id])
    score = _value("SELECT min(id) FROM responsibility_itemscore WHERE unit_assessment_id = %s", [card])
    return {
        "responsibility_assessmentround": round_id,
        "responsibility_unitassessment": card,
        "responsibility_itemscore": score,
    }


@postgresql_only
@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("responsibility_assessmentround", "name"),
        ("responsibility_unitassessment", "status"),
        ("responsibility_itemscore", "explanation"),
    ],
)
def test_database_refuses_any_change_to_an_approved_assessment_round(seeded, table, column):
    row = _round_rows("approved")[table]
    before = _value(f"SELECT {column} FROM {table} WHERE id = %s", [row])

    with pytest.raises(IntegrityError, match="approved assessment round"):
        _sql(f"UPDATE {table} SET {column} = 'drafting', version = version + 1 WHERE id = %s", [row])

    assert _value(f"SELECT {column} FROM {table} WHERE id = %s", [row]) == before


@postgresql_only
def test_database_lets_an_open_rounds_score_change_only_with_its_version_step(seeded):
    row = _round_rows("open")["responsibility_itemscore"]

    with pytest.raises(IntegrityError, match="without its version step"):
        _sql("UPDATE responsibility_itemscore SET explanation = '改写' WHERE id = %s", [row])
    _sql(
        "UPDATE responsibility_itemscore SET explanation = '改写', version = version + 1 WHERE id = %s", [row]
    )

    assert _value("SELECT explanation FROM responsibility_itemscore WHERE id = %s", [row]) == "改写"


@postgresql_only
def test_database_refuses_to_change_an_answered_objection(seeded):
    row = _value("SELECT min(id) FROM responsibility_objection WHERE status <> 'pending'")

    with pytest.raises(IntegrityError, match="the answer is final"):
        _sql("UPDATE responsibility_objection SET reply = '改写', version = version + 1 WHERE id = %s", [row])


@postgresql_only
def test_database_refuses_to_rewrite_an_assessment_event(seeded):
    row = _a_row_of("responsibility_assessmentevent")

    with pytest.raises(IntegrityError, match="permanent"):
        _sql("UPDATE responsibility_assessmentevent SET note = '改写' WHERE id = %s", [row])


# The application's role: row access, nothing more.


@pytest.fixture
def app_role(monkeypatch, db) -> str:
    """The application role, made by the grant command inside the test's transaction (rolled back with it).
    A name of its own per test: roles belong to the whole server, not to one test database."""
    role = f"letters_app_test_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("POSTGRES_APP_PASSWORD", uuid.uuid4().hex)
    call_command("grant_database_roles", role, stdout=io.StringIO())
    return role


@pytest.fixture
def as_app_role(app_role):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {app_role}")
    try:
        yield app_role
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "DROP TRIGGER responsibility_letter_frozen ON responsibility_letter",
        "ALTER TABLE responsibility_letter DISABLE TRIGGER ALL",
        "ALTER TABLE responsibility_signature DISABLE TRIGGER responsibility_signature_permanent",
        "TRUNCATE responsibility_signature",
        "TRUNCATE responsibility_reminder",  # not an evidence table: still no TRUNCATE privilege
        "SET session_replication_role = replica",
        "CREATE TABLE public.letters_app_table (id integer)",
        "CREATE FUNCTION public.letters_app_function() RETURNS integer AS 'SELECT 1' LANGUAGE sql",
        "DROP FUNCTION responsibility_letter_guard() CASCADE",
        "ALTER TABLE responsibility_letter ADD COLUMN note text",
    ],
)
def test_the_application_role_cannot_get_around_the_triggers(seeded, as_app_role, statement):
    with pytest.raises(ProgrammingError, match="permission denied|must be owner"):
        _sql(statement)

    assert _value("SELECT current_user") == as_app_role
    assert _value("SHOW session_replication_role") == "origin"


@postgresql_only
def test_the_application_role_signs_a_letter_through_the_service(seeded, as_app_role):
    # given a letter of the demo awaiting its signature
    issued_letter = _a_letter(LetterStatus.ISSUED)
    events_before = LetterAuditHead.objects.get(pk=1).last_sequence

    # when the signer signs, with the application connected as its own role
    signed = letter_sign(
        letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation_for(issued_letter)
    )

    # then the letter, its signature, the event and the chain head were written by that role
    assert _value("SELECT current_user") == as_app_role
    assert Letter.objects.get(pk=signed.pk).status == LetterStatus.SIGNED
    assert signed.signatures.count() == 1
    assert LetterAuditHead.objects.get(pk=1).last_sequence == events_before + 1
    # and it may still not rewrite what it wrote
    with pytest.raises(IntegrityError):
        _sql("DELETE FROM responsibility_signature WHERE letter_id = %s", [signed.pk])
