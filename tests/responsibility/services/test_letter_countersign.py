import dataclasses
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import User
from core.errors import ApplicationError, TransitionNotAllowed
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import Letter, LetterEvent, LetterStatus, Signature, SignatureRole
from responsibility.letters.services.issuing import letter_issue_to_staff
from responsibility.letters.services.letters import (
    letter_countersign,
    letter_sign,
    letter_void,
    letters_countersign,
)
from tests.conftest import attestation_for

pytestmark = pytest.mark.django_db


def _fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def _sign(letter: Letter) -> Letter:
    return letter_sign(letter=letter, signed_by=letter.signer, attestation=attestation_for(letter))


@pytest.fixture
def signed_letters(issued_letters) -> list[Letter]:
    return [_sign(letter) for letter in issued_letters]


def test_letter_countersign_puts_the_letter_in_force_with_the_issuers_signature(org, signed_letter):
    # when
    letter = letter_countersign(
        letter=signed_letter, countersigned_by=org.secretary, attestation=attestation_for(signed_letter)
    )

    # then
    stored = _fresh(letter)
    assert stored.status == LetterStatus.COUNTERSIGNED
    assert stored.countersigned_at is not None
    signature = Signature.objects.get(letter=signed_letter, role=SignatureRole.ISSUER)
    assert signature.signed_by == org.secretary
    assert signature.content_hash == signed_letter.content_hash
    assert Signature.objects.filter(letter=signed_letter).count() == 2
    event = LetterEvent.objects.get(letter=signed_letter, kind="countersigned")
    assert (event.from_status, event.to_status, event.actor) == ("signed", "countersigned", org.secretary)
    assert audit_chain_verify() is None


@pytest.mark.parametrize("who", ["signer", "office_admin", "inspector", "other_head"])
def test_letter_countersign_refuses_anyone_but_the_issuer(org, signed_letter, who):
    # given
    user = {
        "signer": signed_letter.signer,
        "office_admin": org.office_admin,
        "inspector": org.inspector,
        "other_head": org.heads[1],
    }[who]

    # when / then
    with pytest.raises(PermissionDenied):
        letter_countersign(
            letter=signed_letter, countersigned_by=user, attestation=attestation_for(signed_letter)
        )
    assert _fresh(signed_letter).status == LetterStatus.SIGNED
    assert not Signature.objects.filter(role=SignatureRole.ISSUER).exists()


def test_letter_countersign_refuses_a_global_countersign_grant_for_someone_not_named(org, signed_letter):
    # given a Party Group member holds countersign_letter globally and on this letter
    assign_perm("responsibility.countersign_letter", org.outsider)
    assign_perm("responsibility.countersign_letter", org.outsider, signed_letter)
    outsider = User.objects.get(pk=org.outsider.pk)

    # when / then: countersigning is personal to the issuer named on the letter
    with pytest.raises(PermissionDenied):
        letter_countersign(
            letter=signed_letter, countersigned_by=outsider, attestation=attestation_for(signed_letter)
        )
    assert _fresh(signed_letter).status == LetterStatus.SIGNED


def test_letter_countersign_refuses_before_the_signer_signed(org, issued_letter):
    # given the letter still waits for the signer
    events_before = LetterEvent.objects.count()

    # when / then
    with pytest.raises(TransitionNotAllowed) as refusal:
        letter_countersign(
            letter=issued_letter, countersigned_by=org.secretary, attestation=attestation_for(issued_letter)
        )
    assert refusal.value.code == "issued_to_countersigned"
    assert _fresh(issued_letter).status == LetterStatus.ISSUED
    assert Signature.objects.count() == 0
    assert LetterEvent.objects.count() == events_before


def test_letter_countersign_twice_is_refused(org, countersigned_letter):
    with pytest.raises(TransitionNotAllowed):
        letter_countersign(
            letter=countersigned_letter,
            countersigned_by=org.secretary,
            attestation=attestation_for(countersigned_letter),
        )
    assert Signature.objects.filter(letter=countersigned_letter, role=SignatureRole.ISSUER).count() == 1
    assert LetterEvent.objects.filter(kind="countersigned").count() == 1


def test_letter_countersign_refuses_an_expired_re_authentication(org, signed_letter):
    attestation = attestation_for(signed_letter, confirmed_at=timezone.now() - timedelta(minutes=6))
    with pytest.raises(ApplicationError) as refusal:
        letter_countersign(letter=signed_letter, countersigned_by=org.secretary, attestation=attestation)
    assert refusal.value.code == "reauth_expired"
    assert _fresh(signed_letter).status == LetterStatus.SIGNED


def test_letter_countersign_refuses_a_content_hash_other_than_the_letters(org, signed_letter):
    attestation = dataclasses.replace(attestation_for(signed_letter), content_hash_shown="a" * 64)
    with pytest.raises(ApplicationError) as refusal:
        letter_countersign(letter=signed_letter, countersigned_by=org.secretary, attestation=attestation)
    assert refusal.value.code == "content_changed"
    assert not Signature.objects.filter(role=SignatureRole.ISSUER).exists()


def test_letters_countersign_countersigns_every_letter_with_one_identity_check(org, signed_letters):
    # when the secretary countersigns both letters at the meeting
    result = letters_countersign(
        letters=signed_letters,
        countersigned_by=org.secretary,
        attestation=attestation_for(signed_letters[0]),
        content_hashes_shown={letter.pk: letter.content_hash for letter in signed_letters},
    )

    # then
    assert [letter.pk for letter in result.countersigned] == [letter.pk for letter in signed_letters]
    assert result.refused == []
    for letter in signed_letters:
        assert _fresh(letter).status == LetterStatus.COUNTERSIGNED
        signature = Signature.objects.get(letter=letter, role=SignatureRole.ISSUER)
        assert signature.content_hash == letter.content_hash  # each letter's own hash, not the first's
    assert audit_chain_verify() is None


def test_letters_countersign_reports_a_letter_voided_meanwhile_and_countersigns_the_others(
    org, signed_letters
):
    # given the secretary opened the batch, then the office voided one letter
    kept, voided = signed_letters
    letter_void(letter=voided, voided_by=org.office_admin, reason="任职变动")

    # when
    result = letters_countersign(
        letters=[kept, voided],
        countersigned_by=org.secretary,
        attestation=attestation_for(kept),
        content_hashes_shown={letter.pk: letter.content_hash for letter in signed_letters},
    )

    # then the voided one is reported; the other one went through and stays countersigned
    assert [letter.pk for letter in result.countersigned] == [kept.pk]
    assert [letter.pk for letter, _reason in result.refused] == [voided.pk]
    assert "voided" in result.refused[0][1].lower()
    assert _fresh(kept).status == LetterStatus.COUNTERSIGNED
    assert _fresh(voided).status == LetterStatus.VOIDED
    assert not Signature.objects.filter(letter=voided, role=SignatureRole.ISSUER).exists()
    assert audit_chain_verify() is None


def test_letters_countersign_reports_unsigned_and_foreign_letters_and_countersigns_the_rest(
    org, signed_letter, issued_letters
):
    # given a letter ready for the secretary, one its head has not signed yet, and a staff letter
    # that the head (not the secretary) issued and that its signer has signed
    unsigned = issued_letters[1]
    foreign = letter_issue_to_staff(
        parent=signed_letter,
        template=org.unit_template,
        signer_posts=org.staff_posts[:1],
        issued_by=org.heads[0],
    ).issued[0]
    foreign = _sign(foreign)
    batch = [signed_letter, unsigned, foreign]

    # when the secretary countersigns the batch
    result = letters_countersign(
        letters=batch,
        countersigned_by=org.secretary,
        attestation=attestation_for(signed_letter),
        content_hashes_shown={letter.pk: letter.content_hash for letter in batch},
    )

    # then the ready one goes through; the others are reported, each with its reason, and unchanged
    assert [letter.pk for letter in result.countersigned] == [signed_letter.pk]
    refused = {letter.pk: reason for letter, reason in result.refused}
    assert set(refused) == {unsigned.pk, foreign.pk}
    assert "cannot be countersigned" in refused[unsigned.pk]
    assert "may not" in refused[foreign.pk]
    assert _fresh(signed_letter).status == LetterStatus.COUNTERSIGNED
    assert _fresh(unsigned).status == LetterStatus.ISSUED
    assert _fresh(foreign).status == LetterStatus.SIGNED


def test_letters_countersign_reports_a_letter_whose_content_hash_the_page_did_not_send(org, signed_letters):
    # when the request carries the hash of the first letter only
    result = letters_countersign(
        letters=signed_letters,
        countersigned_by=org.secretary,
        attestation=attestation_for(signed_letters[0]),
        content_hashes_shown={signed_letters[0].pk: signed_letters[0].content_hash},
    )

    # then
    assert [letter.pk for letter in result.countersigned] == [signed_letters[0].pk]
    assert [letter.pk for letter, _reason in result.refused] == [signed_letters[1].pk]
    assert _fresh(signed_letters[1]).status == LetterStatus.SIGNED


def test_letters_countersign_refuses_an_empty_batch(org):
    with pytest.raises(ApplicationError, match="at least one letter"):
        letters_countersign(
            letters=[],
            countersigned_by=org.secretary,
            attestation=attestation_for(Letter(content_hash="a" * 64)),
            content_hashes_shown={},
        )


def test_letters_countersign_refuses_the_whole_batch_when_the_re_authentication_expired(org, signed_letters):
    attestation = attestation_for(signed_letters[0], confirmed_at=timezone.now() - timedelta(minutes=6))
    with pytest.raises(ApplicationError) as refusal:
        letters_countersign(
            letters=signed_letters,
            countersigned_by=org.secretary,
            attestation=attestation,
            content_hashes_shown={letter.pk: letter.content_hash for letter in signed_letters},
        )
    assert refusal.value.code == "reauth_expired"
    assert Letter.objects.filter(status=LetterStatus.COUNTERSIGNED).count() == 0
