"""What was issued or signed never changes: the model guards refuse it on every database, and on
PostgreSQL the triggers refuse it even to raw SQL (ADR 0002)."""

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from core.errors import FrozenRecordError
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.content import letter_stored_content_hash
from responsibility.letters.models.letters import (
    ClauseCategory,
    Letter,
    LetterClause,
    LetterEvent,
    LetterStatus,
    Signature,
)
from responsibility.letters.services.letters import letter_archive, letter_void

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the refusing triggers exist on PostgreSQL only"
)


def _fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def _snapshot(letter: Letter) -> tuple:
    """Everything a signer agreed to, as stored."""
    stored = _fresh(letter)
    return (
        stored.status,
        stored.title,
        stored.preamble,
        stored.reference,
        stored.signed_at,
        stored.content_hash,
        [(c.pk, c.number, c.category, c.text) for c in stored.clauses.all()],
    )


# Through the ORM: the model guards (every database).


@pytest.mark.parametrize("fixture", ["issued_letter", "signed_letter", "countersigned_letter"])
def test_letter_save_refuses_to_change_the_text_of_a_letter_that_left_draft(request, fixture):
    # given
    letter = request.getfixturevalue(fixture)
    before = _snapshot(letter)
    letter = _fresh(letter)

    # when someone edits the title and saves the whole row
    letter.title = "篡改后的标题"
    with pytest.raises(FrozenRecordError):
        letter.save()

    # then
    assert _snapshot(letter) == before


def test_letter_save_refuses_a_change_named_in_update_fields(issued_letter):
    before = _snapshot(issued_letter)
    letter = _fresh(issued_letter)
    letter.preamble = "新的序言"
    with pytest.raises(FrozenRecordError):
        letter.save(update_fields=["preamble"])
    assert _snapshot(issued_letter) == before


@pytest.mark.parametrize("field", ["title", "preamble", "content_hash", "reference"])
def test_letter_queryset_update_refuses_to_change_an_issued_letters_text(issued_letter, field):
    before = _snapshot(issued_letter)
    with pytest.raises(FrozenRecordError):
        Letter.objects.filter(pk=issued_letter.pk).update(**{field: "x"})
    assert _snapshot(issued_letter) == before


def test_letter_queryset_bulk_update_refuses_to_change_issued_letters(issued_letters):
    before = [_snapshot(letter) for letter in issued_letters]
    for letter in issued_letters:
        letter.title = "批量篡改"
    with pytest.raises(FrozenRecordError), transaction.atomic():
        Letter.objects.bulk_update(issued_letters, ["title"])
    assert [_snapshot(letter) for letter in issued_letters] == before


@pytest.mark.parametrize("how", ["save", "update"])
def test_letter_refuses_to_go_back_to_draft(issued_letter, how):
    # given moving an issued letter back to draft would unfreeze its text
    before = _snapshot(issued_letter)

    # when / then
    with pytest.raises(FrozenRecordError):
        if how == "save":
            letter = _fresh(issued_letter)
            letter.status = LetterStatus.DRAFT
            letter.save(update_fields=["status"])
        else:
            Letter.objects.filter(pk=issued_letter.pk).update(status=LetterStatus.DRAFT)
    assert _snapshot(issued_letter) == before


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_letter_delete_refuses_an_issued_letter(issued_letter, how):
    with pytest.raises(FrozenRecordError):
        if how == "instance":
            _fresh(issued_letter).delete()
        else:
            Letter.objects.filter(pk=issued_letter.pk).delete()
    assert Letter.objects.filter(pk=issued_letter.pk).exists()
    assert LetterClause.objects.filter(letter=issued_letter).count() == 3


def test_letter_delete_refuses_a_voided_letter(org, issued_letter):
    letter_void(letter=issued_letter, voided_by=org.office_admin, reason="人事调整")
    with pytest.raises(FrozenRecordError):
        Letter.objects.all().delete()
    assert Letter.objects.count() == 2


def test_letter_clause_save_refuses_a_change_to_an_issued_letters_clause(signed_letter):
    before = _snapshot(signed_letter)
    clause = signed_letter.clauses.first()
    clause.text = "删去廉洁自律要求"
    with pytest.raises(FrozenRecordError):
        clause.save()
    assert _snapshot(signed_letter) == before


def test_letter_clause_queryset_update_refuses_an_issued_letters_clauses(issued_letter):
    before = _snapshot(issued_letter)
    with pytest.raises(FrozenRecordError):
        LetterClause.objects.filter(letter=issued_letter).update(text="改")
    assert _snapshot(issued_letter) == before


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_letter_clause_delete_refuses_an_issued_letters_clause(issued_letter, how):
    before = _snapshot(issued_letter)
    with pytest.raises(FrozenRecordError):
        if how == "instance":
            issued_letter.clauses.first().delete()
        else:
            LetterClause.objects.filter(letter=issued_letter).delete()
    assert _snapshot(issued_letter) == before


def test_letter_clause_create_refuses_a_new_clause_in_an_issued_letter(issued_letter):
    before = _snapshot(issued_letter)
    with pytest.raises(FrozenRecordError):
        LetterClause.objects.create(
            letter=issued_letter, number=4, category=ClauseCategory.RULES, text="新增条款"
        )
    assert _snapshot(issued_letter) == before
    assert letter_stored_content_hash(letter=_fresh(issued_letter)) == issued_letter.content_hash


def test_letter_clause_save_refuses_to_move_a_clause_out_of_an_issued_letter(issued_letters):
    # given a clause of the first letter is re-pointed at the second one
    first, second = issued_letters
    before = (_snapshot(first), _snapshot(second))
    clause = first.clauses.first()
    clause.letter = second
    clause.number = 9

    # when / then
    with pytest.raises(FrozenRecordError):
        clause.save()
    assert (_snapshot(first), _snapshot(second)) == before


def test_signature_refuses_change_and_deletion(signed_letter):
    # given
    signature = Signature.objects.get(letter=signed_letter)
    original = (signature.typed_name, signature.content_hash)

    # when / then
    signature.typed_name = "他人"
    with pytest.raises(FrozenRecordError):
        signature.save()
    with pytest.raises(FrozenRecordError):
        signature.delete()
    with pytest.raises(FrozenRecordError):
        Signature.objects.filter(pk=signature.pk).update(content_hash="0" * 64)
    with pytest.raises(FrozenRecordError):
        Signature.objects.filter(pk=signature.pk).delete()
    stored = Signature.objects.get(pk=signature.pk)
    assert (stored.typed_name, stored.content_hash) == original


def test_letter_event_refuses_change_and_deletion(signed_letter):
    # given
    event = LetterEvent.objects.get(letter=signed_letter, kind="signed")

    # when / then
    event.note = "篡改"
    with pytest.raises(FrozenRecordError):
        event.save()
    with pytest.raises(FrozenRecordError):
        event.delete()
    with pytest.raises(FrozenRecordError):
        LetterEvent.objects.filter(pk=event.pk).update(note="篡改")
    with pytest.raises(FrozenRecordError):
        LetterEvent.objects.all().delete()
    assert LetterEvent.objects.get(pk=event.pk).note == ""
    assert LetterEvent.objects.count() == 3
    assert audit_chain_verify() is None


def test_status_moves_through_the_services_still_work(org, countersigned_letter):
    # given a frozen, countersigned letter
    before = _snapshot(countersigned_letter)

    # when the office archives it
    letter_archive(letter=countersigned_letter, archived_by=org.office_admin)

    # then only the status and its time changed
    stored = _fresh(countersigned_letter)
    assert stored.status == LetterStatus.ARCHIVED
    assert stored.archived_at is not None
    assert _snapshot(countersigned_letter)[1:] == before[1:]
    assert audit_chain_verify() is None


def test_voiding_a_signed_letter_through_the_service_still_works(org, signed_letter):
    letter_void(letter=signed_letter, voided_by=org.office_admin, reason="机构调整")
    stored = _fresh(signed_letter)
    assert (stored.status, stored.void_reason) == (LetterStatus.VOIDED, "机构调整")
    assert stored.signed_at is not None


# Raw SQL: only the PostgreSQL triggers stand in the way.

REFUSED = (IntegrityError, InternalError)


def _raw_sql(sql: str, params: list) -> None:
    # In a savepoint, so that the test's transaction survives the refusal.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@postgresql_only
def test_database_refuses_to_update_an_issued_letters_preamble(issued_letter):
    before = _snapshot(issued_letter)
    with pytest.raises(REFUSED, match="content cannot change"):
        _raw_sql("UPDATE responsibility_letter SET preamble = %s WHERE id = %s", ["篡改", issued_letter.pk])
    assert _snapshot(issued_letter) == before


@postgresql_only
@pytest.mark.parametrize(
    ("column", "value"),
    [("status", "draft"), ("signer_id", None), ("signed_at", None), ("issued_at", None)],
)
def test_database_refuses_to_rewrite_a_signed_letters_facts(org, signed_letter, column, value):
    value = org.outsider.pk if column == "signer_id" else value
    before = _snapshot(signed_letter)
    with pytest.raises(REFUSED):
        _raw_sql(f"UPDATE responsibility_letter SET {column} = %s WHERE id = %s", [value, signed_letter.pk])
    assert _snapshot(signed_letter) == before


@postgresql_only
def test_database_refuses_to_delete_a_signed_letter(signed_letter):
    with pytest.raises(REFUSED, match="never deleted"):
        _raw_sql("DELETE FROM responsibility_letter WHERE id = %s", [signed_letter.pk])
    assert Letter.objects.filter(pk=signed_letter.pk).exists()


@postgresql_only
def test_database_refuses_to_update_a_clause_of_an_issued_letter(issued_letter):
    before = _snapshot(issued_letter)
    clause = issued_letter.clauses.first()
    with pytest.raises(REFUSED, match="clauses"):
        _raw_sql("UPDATE responsibility_letterclause SET text = %s WHERE id = %s", ["改", clause.pk])
    assert _snapshot(issued_letter) == before


@postgresql_only
def test_database_refuses_to_delete_a_clause_of_an_issued_letter(issued_letter):
    before = _snapshot(issued_letter)
    with pytest.raises(REFUSED, match="clauses"):
        _raw_sql("DELETE FROM responsibility_letterclause WHERE letter_id = %s", [issued_letter.pk])
    assert _snapshot(issued_letter) == before


@postgresql_only
def test_database_refuses_to_insert_a_clause_into_an_issued_letter(issued_letter):
    before = _snapshot(issued_letter)
    with pytest.raises(REFUSED, match="clauses"):
        _raw_sql(
            "INSERT INTO responsibility_letterclause (letter_id, number, category, text) "
            "VALUES (%s, %s, %s, %s)",
            [issued_letter.pk, 4, ClauseCategory.RULES, "新增条款"],
        )
    assert _snapshot(issued_letter) == before


@postgresql_only
def test_database_refuses_to_update_a_signature(signed_letter):
    signature = Signature.objects.get(letter=signed_letter)
    with pytest.raises(REFUSED, match="permanent"):
        _raw_sql(
            "UPDATE responsibility_signature SET content_hash = %s WHERE id = %s", ["0" * 64, signature.pk]
        )
    assert Signature.objects.get(pk=signature.pk).content_hash == signed_letter.content_hash


@postgresql_only
def test_database_refuses_to_delete_a_signature(signed_letter):
    with pytest.raises(REFUSED, match="permanent"):
        _raw_sql("DELETE FROM responsibility_signature WHERE letter_id = %s", [signed_letter.pk])
    assert Signature.objects.filter(letter=signed_letter).count() == 1


@postgresql_only
def test_database_lets_the_services_status_moves_through(org, countersigned_letter):
    # the triggers refuse content changes, not the workflow: a raw status move to archived passes
    _raw_sql(
        "UPDATE responsibility_letter SET status = 'archived', archived_at = now() WHERE id = %s",
        [countersigned_letter.pk],
    )
    assert _fresh(countersigned_letter).status == LetterStatus.ARCHIVED


def test_letter_event_refuses_a_change_of_its_payload_or_chain_format(issued_letter):
    # given
    event = LetterEvent.objects.get(letter=issued_letter, kind="issued")

    # when / then
    event.payload = {"reference": "篡改"}
    with pytest.raises(FrozenRecordError):
        event.save()
    with pytest.raises(FrozenRecordError):
        LetterEvent.objects.filter(pk=event.pk).update(payload={}, chain_format=1)
    stored = LetterEvent.objects.get(pk=event.pk)
    assert (stored.payload, stored.chain_format) == ({"reference": issued_letter.reference}, 2)
    assert audit_chain_verify() is None
