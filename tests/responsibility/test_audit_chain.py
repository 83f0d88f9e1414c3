"""The audit chain: every letter event is hashed with the one before it, so a changed or missing
event shows, and on PostgreSQL the database refuses the change in the first place."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, InternalError, connection, transaction

from core.audit import CHAIN_FORMAT_NOTE, GENESIS_HASH, event_digest, event_time
from responsibility.letters.audit import LETTER_CHAIN, audit_chain_verify, letter_events_append
from responsibility.letters.models.letters import LetterAuditHead, LetterEvent

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the refusing triggers exist on PostgreSQL only"
)


@pytest.fixture
def events(countersigned_letter, issued_letters) -> list[LetterEvent]:
    """Two letters issued, one of them signed and countersigned: four events."""
    return list(LetterEvent.objects.order_by("sequence"))


def _tamper(sql: str, params: list) -> None:
    """Change the events table behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only a superuser can switch the refusing triggers off; the chain must still tell.
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:
                pytest.skip("bypassing the triggers needs a PostgreSQL superuser")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_letter_events_form_one_chain_from_the_genesis_hash(events):
    # then sequences run 1..N and every event points at the hash of the one before
    assert [event.sequence for event in events] == [1, 2, 3, 4]
    assert [event.kind for event in events] == ["issued", "issued", "signed", "countersigned"]
    assert events[0].previous_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.previous_hash == before.hash
    assert all(re.fullmatch(r"[0-9a-f]{64}", event.hash) for event in events)
    assert len({event.hash for event in events}) == 4
    head = LetterAuditHead.objects.get(pk=1)
    assert (head.last_sequence, head.last_hash) == (4, events[-1].hash)


def test_audit_chain_verify_finds_an_intact_chain(events):
    assert audit_chain_verify() is None


def test_audit_chain_verify_finds_an_empty_chain_intact(db):
    assert LetterEvent.objects.count() == 0
    assert audit_chain_verify() is None


def test_audit_chain_verify_reads_the_chain_in_small_batches(events):
    assert audit_chain_verify(batch_size=1) is None


def test_audit_chain_verify_names_an_event_whose_note_was_changed(events):
    # given someone rewrote the third event's note in the database
    target = events[2]
    _tamper("UPDATE responsibility_letterevent SET note = %s WHERE id = %s", ["无异议", target.pk])

    # when
    broken = audit_chain_verify()

    # then
    assert broken is not None
    assert (broken.sequence, broken.event_id) == (3, target.pk)
    assert broken.reason == "其内容与记录摘要不符"


@pytest.mark.parametrize(
    ("column", "value"),
    [("actor_id", None), ("to_status", "archived"), ("content_hash", "0" * 64), ("ip_address", "8.8.8.8")],
)
def test_audit_chain_verify_names_an_event_whose_facts_were_changed(org, events, column, value):
    # given the first event was changed in one column
    value = org.outsider.pk if column == "actor_id" else value
    _tamper(f"UPDATE responsibility_letterevent SET {column} = %s WHERE id = %s", [value, events[0].pk])

    # when / then
    broken = audit_chain_verify()
    assert (broken.sequence, broken.event_id) == (1, events[0].pk)


def test_audit_chain_verify_names_the_next_event_when_one_was_rewritten_with_a_fresh_hash(events):
    # given someone changed the second event and recomputed its own hash
    forged = events[1]
    forged.note = "伪造"
    forged_hash = LETTER_CHAIN.event_hash(forged)
    _tamper(
        "UPDATE responsibility_letterevent SET note = %s, hash = %s WHERE id = %s",
        [forged.note, forged_hash, forged.pk],
    )

    # when
    broken = audit_chain_verify()

    # then the event after it no longer links to it
    assert (broken.sequence, broken.event_id) == (3, events[2].pk)
    assert broken.reason == "其所载上一条记录摘要与上一条记录不符"


def test_audit_chain_verify_finds_an_event_deleted_from_the_middle(events):
    # given the second event was deleted
    _tamper("DELETE FROM responsibility_letterevent WHERE id = %s", [events[1].pk])

    # when
    broken = audit_chain_verify()

    # then the gap is named: #2 is missing where the event after it stands
    assert (broken.sequence, broken.event_id) == (2, events[2].pk)
    assert broken.reason == "记录 #2 缺失"


def test_audit_chain_verify_finds_the_last_event_deleted(events):
    # given the newest event was deleted
    _tamper("DELETE FROM responsibility_letterevent WHERE id = %s", [events[-1].pk])

    # when
    broken = audit_chain_verify()

    # then the head still remembers four events
    assert broken is not None
    assert broken.sequence == 4
    assert broken.reason == "记录链末尾的记录缺失"


def test_verify_audit_chain_command_reports_an_intact_chain(events):
    # when
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)

    # then it ends normally (exit status 0) and counts the events
    assert "责任书签署记录链：4 条事件" in out.getvalue()
    assert "全部记录完整，未被改动。" in out.getvalue()


def test_verify_audit_chain_command_fails_on_a_broken_chain(events):
    # given
    _tamper("UPDATE responsibility_letterevent SET note = %s WHERE id = %s", ["篡改", events[2].pk])

    # when
    stderr = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit_chain", stdout=io.StringIO(), stderr=stderr)

    # then manage.py would print the break to stderr and exit with status 1
    assert failure.value.returncode == 1
    message = stderr.getvalue()
    assert "第 3 条事件" in message
    assert str(events[2].pk) in message
    assert "其内容与记录摘要不符" in message


def test_verify_audit_chain_command_exits_non_zero_from_the_command_line(events):
    # given
    _tamper("DELETE FROM responsibility_letterevent WHERE id = %s", [events[0].pk])

    # when run as `manage.py verify_audit_chain` would (BaseCommand.run_from_argv)
    from responsibility.management.commands.verify_audit_chain import Command

    stderr = io.StringIO()
    command = Command(stdout=io.StringIO(), stderr=stderr)
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(["manage.py", "verify_audit_chain"])

    # then
    assert exit_.value.code == 1
    assert "#1" in stderr.getvalue()


def _raw_sql(sql: str, params: list) -> None:
    # In a savepoint, so that the test's transaction survives the refusal.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@postgresql_only
def test_database_refuses_to_update_an_audit_event(events):
    # when
    with pytest.raises((IntegrityError, InternalError), match="permanent"):
        _raw_sql("UPDATE responsibility_letterevent SET note = %s WHERE id = %s", ["篡改", events[2].pk])

    # then
    assert LetterEvent.objects.get(pk=events[2].pk).note == events[2].note
    assert audit_chain_verify() is None


@postgresql_only
def test_database_refuses_to_delete_an_audit_event(events):
    with pytest.raises((IntegrityError, InternalError), match="permanent"):
        _raw_sql("DELETE FROM responsibility_letterevent WHERE id = %s", [events[1].pk])
    assert LetterEvent.objects.count() == 4
    assert audit_chain_verify() is None


@postgresql_only
def test_database_refuses_to_empty_the_audit_log(events):
    with pytest.raises((IntegrityError, InternalError), match="permanent"):
        _raw_sql("DELETE FROM responsibility_letterevent", [])
    assert LetterEvent.objects.count() == 4


# --- Chain formats: events written before payloads (1) and with them (2) -------------------------


def _hash_as_before_payloads(event: LetterEvent) -> str:
    """The letter event hash as it was computed before payloads existed, written out."""
    return event_digest(
        {
            "sequence": event.sequence,
            "letter": event.letter_id,
            "kind": event.kind,
            "from": event.from_status,
            "to": event.to_status,
            "actor": event.actor_id,
            "note": event.note,
            "ip": event.ip_address,
            "content_hash": event.content_hash,
            "at": event_time(event),
            "previous": event.previous_hash,
        }
    )


@pytest.fixture
def legacy_event(org, events) -> LetterEvent:
    """A format-1 event, built as events were before payloads (the reason of a revision in its note), on
    the letter that is still issued (so its last event's status is the letter's)."""
    letter = events[1].letter
    [event] = letter_events_append(
        events=[
            LetterEvent(
                letter=letter,
                kind="revised",
                from_status="draft",
                to_status="issued",
                actor=org.secretary,
                note="人常廉责〔2025〕1号的修订版",
                ip_address="10.1.1.1",
                content_hash=letter.content_hash,
                chain_format=CHAIN_FORMAT_NOTE,
            )
        ]
    )
    return LetterEvent.objects.get(pk=event.pk)


def _payload_sql() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def test_a_format_1_event_hashes_as_before_and_verifies_beside_format_2_events(events, legacy_event):
    # then the events written by the services are format 2, with their payload
    assert [event.chain_format for event in events] == [2, 2, 2, 2]
    assert events[0].payload == {"reference": events[0].letter.reference}
    # and the format-1 event's hash is exactly the hash of before
    assert legacy_event.chain_format == 1
    assert legacy_event.payload == {}
    assert legacy_event.hash == _hash_as_before_payloads(legacy_event)
    # and a format-2 event's hash is not: it covers the payload and the format
    assert events[0].hash != _hash_as_before_payloads(events[0])
    # and the chain of both verifies
    assert audit_chain_verify() is None
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "责任书签署记录链：5 条事件" in out.getvalue()


def test_audit_chain_verify_names_an_event_whose_payload_was_changed(events):
    # given someone rewrote the first event's payload in the database
    target = events[0]
    _tamper(
        f"UPDATE responsibility_letterevent SET payload = {_payload_sql()} WHERE id = %s",
        ['{"reference": "人常廉责〔2026〕99号"}', target.pk],
    )

    # when
    broken = audit_chain_verify()

    # then
    assert (broken.sequence, broken.event_id) == (1, target.pk)
    assert broken.reason == "其内容与记录摘要不符"


def test_verify_audit_chain_command_fails_on_a_changed_payload(events):
    # given
    _tamper(
        f"UPDATE responsibility_letterevent SET payload = {_payload_sql()} WHERE id = %s",
        ['{"reference": "伪造"}', events[1].pk],
    )

    # when
    stderr = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit_chain", stdout=io.StringIO(), stderr=stderr)

    # then
    assert failure.value.returncode == 1
    assert "第 2 条事件" in stderr.getvalue()
    assert "其内容与记录摘要不符" in stderr.getvalue()


@pytest.mark.parametrize("chain_format", [1, 3])
def test_audit_chain_verify_names_an_event_whose_chain_format_was_changed(events, chain_format):
    # given a format-2 event set to the format of before (its payload outside the hash), or an unknown one
    _tamper(
        "UPDATE responsibility_letterevent SET chain_format = %s WHERE id = %s", [chain_format, events[2].pk]
    )

    # when / then
    broken = audit_chain_verify()
    assert (broken.sequence, broken.event_id) == (3, events[2].pk)


def test_audit_chain_verify_names_a_format_1_event_given_a_payload(events, legacy_event):
    # given a payload slipped into an event whose hash (format 1) does not cover payloads
    _tamper(
        f"UPDATE responsibility_letterevent SET payload = {_payload_sql()} WHERE id = %s",
        ['{"reference": "伪造"}', legacy_event.pk],
    )

    # when / then
    broken = audit_chain_verify()
    assert (broken.sequence, broken.event_id) == (5, legacy_event.pk)
    assert broken.reason == "其内容与记录摘要不符"


@postgresql_only
def test_database_refuses_to_update_an_audit_events_payload_or_format(events):
    # when
    with pytest.raises((IntegrityError, InternalError), match="permanent"):
        _raw_sql(
            "UPDATE responsibility_letterevent SET payload = CAST(%s AS jsonb) WHERE id = %s",
            ['{"reference": "篡改"}', events[0].pk],
        )
    with pytest.raises((IntegrityError, InternalError), match="permanent"):
        _raw_sql("UPDATE responsibility_letterevent SET chain_format = 1 WHERE id = %s", [events[0].pk])

    # then
    stored = LetterEvent.objects.get(pk=events[0].pk)
    assert (stored.payload, stored.chain_format) == (events[0].payload, 2)
    assert audit_chain_verify() is None
