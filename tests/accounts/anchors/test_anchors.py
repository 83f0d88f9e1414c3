"""Chain anchors (链头存证): a rewrite of any audit record, even with every later hash recomputed, and a
chain emptied and begun again, are reported once an anchor recorded the head; the anchors hold against
rewriting too (their own links, their digests, the authority's signature, copies kept elsewhere)."""

import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.anchors.models import AnchorReason, ChainAnchor
from accounts.anchors.services import anchor_digest, anchor_export, chains_anchor
from accounts.anchors.timestamps import timestamp_token_check
from accounts.anchors.verify import ExternalAnchor, Severity, external_anchors_read, integrity_report
from accounts.roles import Role
from core.audit import AUDIT_CHAINS, chain_verify
from responsibility.letters.audit import LETTER_CHAIN
from responsibility.tasks import audit_chains_anchor
from tests.accounts.anchors.conftest import chain_empty, chain_rewrite, raw_sql
from tests.factories import role_user

pytestmark = pytest.mark.django_db


def broken(report) -> list[str]:
    return [f"{f.subject}: {f.reason}" for f in report.findings if f.severity == Severity.BROKEN]


def test_an_anchor_records_every_chain_head_and_its_digest(countersigned_letter, english):
    # When the chains are anchored
    anchor = chains_anchor(reason=AnchorReason.MANUAL)

    # Then it holds every registered chain's head, and its digest covers that statement
    assert set(anchor.heads) == set(AUDIT_CHAINS)
    head = LETTER_CHAIN.head_model.objects.get(pk=1)
    assert anchor.heads["letter"] == {"sequence": head.last_sequence, "hash": head.last_hash}
    assert anchor.number == 1 and anchor.previous_digest == "0" * 64
    assert anchor.digest == anchor_digest(anchor)
    # without a service configured it is a dated record without a token, and the report says so
    assert not anchor.is_timestamped
    report = integrity_report()
    assert report.intact
    assert any("no timestamp" in f.reason for f in report.findings if f.severity == Severity.WARNING)

    # And the next anchor names this one
    second = chains_anchor(reason=AnchorReason.MANUAL)
    assert (second.number, second.previous_digest) == (2, anchor.digest)


def test_a_rewrite_with_every_later_hash_recomputed_is_caught_by_the_anchor(countersigned_letter, english):
    # Given the chains anchored after four letter events
    chains_anchor(reason=AnchorReason.MANUAL)

    # When someone with the database rewrites event #2 and recomputes every later hash and the head
    chain_rewrite(LETTER_CHAIN, sequence=2, note="伪造的备注")

    # Then the chain alone still verifies (this is the attack) …
    assert chain_verify(LETTER_CHAIN) is None
    # … but held to the anchor it does not
    report = integrity_report()
    assert not report.intact
    [problem] = [p for p in broken(report) if "letter" in p.lower()]
    assert "rewritten" in problem and "anchor #1" in problem


def test_a_chain_emptied_and_its_head_reset_is_caught_by_the_anchor(countersigned_letter, english):
    # Given an anchor
    chains_anchor(reason=AnchorReason.MANUAL)

    # When the events table is emptied and its head reset, as TRUNCATE would
    chain_empty(LETTER_CHAIN)

    # Then the chain alone is "intact" but the anchor reports the events removed
    assert chain_verify(LETTER_CHAIN) is None
    report = integrity_report()
    assert any("no longer in the chain" in problem for problem in broken(report))


def test_rewriting_the_anchor_too_breaks_its_links(countersigned_letter, english):
    # Given two anchors, then the chain rewritten
    chains_anchor(reason=AnchorReason.MANUAL)
    chains_anchor(reason=AnchorReason.MANUAL)
    chain_rewrite(LETTER_CHAIN, sequence=1, note="伪造")

    # When the forger rewrites both anchors' letter heads to the new hash, and their digests to match
    first = ChainAnchor.objects.get(number=1)
    head = LETTER_CHAIN.head_model.objects.get(pk=1)
    heads = {**first.heads, "letter": {"sequence": head.last_sequence, "hash": head.last_hash}}
    first.heads = heads
    digest = anchor_digest(first)
    raw_sql(
        "UPDATE accounts_chainanchor SET heads = %s, digest = %s WHERE number = 1",
        [json.dumps(heads), digest],
    )

    # Then the second anchor no longer names the first, and still records the old hash of that event
    report = integrity_report()
    assert any("does not name the digest of the anchor before it" in p for p in broken(report))
    assert any("records a different hash for event #4 than anchor #1" in p for p in broken(report))


def test_a_deleted_anchor_shows_against_a_copy_kept_outside(
    countersigned_letter, english, tmp_path, django_capture_on_commit_callbacks
):
    # Given an anchor mailed to the audit administrator (a copy outside the database)
    auditor = role_user(Role.AUDIT_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        audit_chains_anchor()
    [message] = mail.outbox
    assert message.to == [auditor.email]
    [(name, body, mimetype)] = message.attachments
    assert name == "anchor-000001.json" and mimetype == "application/json"
    kept = tmp_path / name
    kept.write_text(body, encoding="utf-8")

    # When the anchor and the events after it are removed from the database
    raw_sql("DELETE FROM accounts_chainanchor")
    chain_empty(LETTER_CHAIN)

    # Then the report given the kept copy says so, and the command fails
    report = integrity_report(external=external_anchors_read(kept))
    assert any("no longer holds this anchor" in p for p in broken(report))
    assert any("no longer in the chain" in p for p in broken(report))
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", anchors=[kept], stdout=None)


def test_a_kept_copy_that_was_altered_is_not_trusted(countersigned_letter, english):
    anchor = chains_anchor(reason=AnchorReason.MANUAL)
    exported = anchor_export(anchor)
    statement = {
        key: exported[key] for key in ("format", "number", "previous", "at", "reason", "subject", "heads")
    }
    statement["heads"]["letter"]["sequence"] = 99

    report = integrity_report(external=[ExternalAnchor("forged.json", statement, anchor.digest, b"")])

    assert any("does not match its digest" in p for p in broken(report))


def test_the_daily_anchor_is_mailed_to_every_active_audit_administrator_only(
    countersigned_letter, english, django_capture_on_commit_callbacks
):
    first, second = role_user(Role.AUDIT_ADMIN), role_user(Role.AUDIT_ADMIN)
    role_user(Role.AUDIT_ADMIN, is_active=False)
    role_user(Role.SECURITY_ADMIN)

    with django_capture_on_commit_callbacks(execute=True):
        number = audit_chains_anchor()

    [message] = mail.outbox
    assert sorted(message.to) == sorted([first.email, second.email])
    assert f"#{number}" in message.subject
    anchor = ChainAnchor.objects.get(number=number)
    assert anchor.reason == AnchorReason.SCHEDULED
    assert anchor.digest in message.body
    [(_, body, _)] = message.attachments
    assert json.loads(body)["digest"] == anchor.digest


def test_anchors_are_permanent_through_the_application(countersigned_letter):
    from core.errors import FrozenRecordError

    anchor = chains_anchor(reason=AnchorReason.MANUAL)
    with pytest.raises(FrozenRecordError):
        anchor.delete()
    with pytest.raises(FrozenRecordError):
        ChainAnchor.objects.filter(pk=anchor.pk).update(subject="x")


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the refusing triggers exist on PostgreSQL only"
)
def test_postgresql_refuses_changing_deleting_or_truncating_anchors(countersigned_letter):
    from django.db import IntegrityError, NotSupportedError, transaction

    chains_anchor(reason=AnchorReason.MANUAL)
    for statement in (
        "UPDATE accounts_chainanchor SET subject = 'x'",
        "DELETE FROM accounts_chainanchor",
        "TRUNCATE accounts_chainanchor",
    ):
        # TRUNCATE meets the year-end reports' foreign key to their anchors first, or the trigger
        refused = (IntegrityError, NotSupportedError) if statement.startswith("TRUNCATE") else IntegrityError
        with pytest.raises(refused), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert ChainAnchor.objects.count() == 1


# --- With a real time-stamping authority (scripts/tsa-server) -----------------------------------------


def test_an_anchor_is_timestamped_by_the_configured_authority(countersigned_letter, timestamping, english):
    anchor = chains_anchor(reason=AnchorReason.MANUAL)

    assert anchor.is_timestamped and anchor.timestamp_url == timestamping["DJANGO_ANCHOR_TIMESTAMP_URL"]
    assert abs((anchor.timestamped_at - anchor.created_at).total_seconds()) < 60
    assert timestamp_token_check(
        token=bytes(anchor.timestamp_token), digest=bytes.fromhex(anchor.digest)
    ).valid
    report = integrity_report()
    assert report.intact and report.anchors_timestamped == 1
    assert not [f for f in report.findings if "timestamp" in f.reason]


def test_a_rewritten_anchor_no_longer_matches_its_timestamp(countersigned_letter, timestamping, english):
    # Given a timestamped anchor
    anchor = chains_anchor(reason=AnchorReason.MANUAL)

    # When the forger recomputes its digest over rewritten heads (the token stays: it cannot be re-signed)
    anchor.heads = {**anchor.heads, "letter": {"sequence": 1, "hash": "f" * 64}}
    digest = anchor_digest(anchor)
    raw_sql(
        "UPDATE accounts_chainanchor SET heads = %s, digest = %s WHERE id = %s",
        [json.dumps(anchor.heads), digest, anchor.pk],
    )

    # Then its timestamp does not verify
    report = integrity_report()
    assert any("timestamp does not verify" in p for p in broken(report))


def test_a_token_from_an_authority_not_trusted_here_fails(
    countersigned_letter, timestamping, seal_settings, settings
):
    # Given an anchor timestamped by the running authority
    anchor = chains_anchor(reason=AnchorReason.MANUAL)

    # When the deployment trusts another certificate only (the organisation's seal root)
    settings.ANCHOR_TIMESTAMP_CERTIFICATES = [str(seal_settings.root_pem)]
    check = timestamp_token_check(token=bytes(anchor.timestamp_token), digest=bytes.fromhex(anchor.digest))

    # Then the token does not verify, and with no certificate at all it says so
    assert not check.valid
    settings.ANCHOR_TIMESTAMP_CERTIFICATES = []
    check = timestamp_token_check(token=bytes(anchor.timestamp_token), digest=bytes.fromhex(anchor.digest))
    assert not check.valid and "no trusted" in check.reason


def test_an_unreachable_authority_leaves_an_untimestamped_anchor_and_says_why(countersigned_letter, settings):
    settings.ANCHOR_TIMESTAMP_URL = "http://127.0.0.1:9/"  # the discard port: nothing listens

    anchor = chains_anchor(reason=AnchorReason.MANUAL)

    assert not anchor.is_timestamped
    assert anchor.timestamp_error
    assert ChainAnchor.objects.filter(pk=anchor.pk).exists()
