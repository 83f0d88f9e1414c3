import base64
import dataclasses
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from guardian.shortcuts import assign_perm
from PIL import Image, ImageDraw

from accounts.models import User
from core.errors import ApplicationError, TransitionNotAllowed
from responsibility.letters.audit import audit_chain_verify
from responsibility.letters.models.letters import (
    Letter,
    LetterEvent,
    LetterStatus,
    Signature,
    SignatureMethod,
    SignatureRole,
)
from responsibility.letters.services.letters import letter_sign, letter_void
from responsibility.letters.signing import CONSENT_TEXT, signature_mark_from_drawing
from tests.conftest import attestation_for

pytestmark = pytest.mark.django_db


def _fresh(instance):
    return type(instance).objects.get(pk=instance.pk)  # and, for users, a fresh permission cache


def _assert_unsigned(letter: Letter, events_before: int) -> None:
    stored = _fresh(letter)
    assert stored.status == LetterStatus.ISSUED
    assert stored.signed_at is None
    assert Signature.objects.filter(letter=letter).count() == 0
    assert LetterEvent.objects.count() == events_before
    assert audit_chain_verify() is None


def test_letter_sign_stores_the_signature_with_everything_the_signer_proved(issued_letter, time_machine):
    # given the signer confirmed their password two minutes ago
    now = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    time_machine.move_to(now, tick=False)
    attestation = dataclasses.replace(
        attestation_for(issued_letter, name="张主任", confirmed_at=now - timedelta(minutes=2)),
        ip_address="192.0.2.10",
        user_agent="Mozilla/5.0 (iPhone)",
    )

    # when
    letter = letter_sign(letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation)

    # then
    signature = Signature.objects.get(letter=issued_letter)
    assert signature.role == SignatureRole.SIGNER
    assert signature.signed_by == issued_letter.signer
    assert signature.signed_at == now
    assert signature.method == SignatureMethod.TYPED
    assert signature.typed_name == "张主任"
    assert signature.image_png is None
    assert signature.reauthenticated_at == now - timedelta(minutes=2)
    assert signature.ip_address == "192.0.2.10"
    assert signature.user_agent == "Mozilla/5.0 (iPhone)"
    assert signature.consent_text == CONSENT_TEXT
    assert signature.content_hash == issued_letter.content_hash
    stored = _fresh(letter)
    assert stored.status == LetterStatus.SIGNED
    assert stored.signed_at == now
    event = LetterEvent.objects.get(letter=issued_letter, kind="signed")
    assert (event.from_status, event.to_status, event.actor) == ("issued", "signed", issued_letter.signer)
    assert (event.ip_address, event.content_hash) == ("192.0.2.10", issued_letter.content_hash)
    assert audit_chain_verify() is None


def test_letter_sign_stores_a_drawn_signature_as_png(issued_letter):
    # given a signature drawn on the canvas
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 80), (120, 20), (290, 70)], fill=(0, 0, 0, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    png = buffer.getvalue()
    mark = signature_mark_from_drawing("data:image/png;base64," + base64.b64encode(png).decode())

    # when
    letter_sign(
        letter=issued_letter,
        signed_by=issued_letter.signer,
        attestation=dataclasses.replace(attestation_for(issued_letter), mark=mark),
    )

    # then
    signature = Signature.objects.get(letter=issued_letter)
    assert signature.method == SignatureMethod.DRAWN
    assert bytes(signature.image_png) == png
    assert signature.typed_name == ""


def test_letter_sign_cuts_an_overlong_user_agent(issued_letter):
    attestation = dataclasses.replace(attestation_for(issued_letter), user_agent="x" * 2000)
    letter_sign(letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation)
    assert len(Signature.objects.get(letter=issued_letter).user_agent) == 512


@pytest.mark.parametrize("grant", ["none", "model-level", "this letter"])
def test_letter_sign_refuses_anyone_but_the_signer_whatever_they_were_granted(org, issued_letter, grant):
    # given another user, with no grant, a global grant, or even a grant on this very letter
    if grant == "model-level":
        assign_perm("responsibility.sign_letter", org.outsider)
    elif grant == "this letter":
        assign_perm("responsibility.sign_letter", org.outsider, issued_letter)
    outsider = _fresh(org.outsider)  # Django caches permissions per user instance
    assert outsider.has_perm(
        "responsibility.sign_letter", None if grant == "model-level" else issued_letter
    ) is (grant != "none")
    events_before = LetterEvent.objects.count()

    # when / then
    with pytest.raises(PermissionDenied):
        letter_sign(letter=issued_letter, signed_by=outsider, attestation=attestation_for(issued_letter))
    _assert_unsigned(issued_letter, events_before)


@pytest.mark.parametrize("who", ["issuer", "office_admin", "other_head"])
def test_letter_sign_refuses_the_other_parties(org, issued_letter, who):
    user = {"issuer": org.secretary, "office_admin": org.office_admin, "other_head": org.heads[1]}[who]
    events_before = LetterEvent.objects.count()
    with pytest.raises(PermissionDenied):
        letter_sign(letter=issued_letter, signed_by=user, attestation=attestation_for(issued_letter))
    _assert_unsigned(issued_letter, events_before)


def test_letter_sign_refuses_a_signer_whose_account_was_deactivated(issued_letter):
    User.objects.filter(pk=issued_letter.signer_id).update(is_active=False)
    events_before = LetterEvent.objects.count()
    with pytest.raises(PermissionDenied):
        letter_sign(
            letter=issued_letter,
            signed_by=_fresh(issued_letter.signer),
            attestation=attestation_for(issued_letter),
        )
    _assert_unsigned(issued_letter, events_before)


def test_letter_sign_twice_is_refused_and_leaves_one_signature_and_one_event(issued_letter):
    # given the signer signed; their page (the caller's copy) still says "issued"
    letter_sign(
        letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation_for(issued_letter)
    )
    assert issued_letter.status == LetterStatus.ISSUED

    # when they press "sign" again
    with pytest.raises(TransitionNotAllowed) as refusal:
        letter_sign(
            letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation_for(issued_letter)
        )

    # then
    assert refusal.value.code == "signed_to_signed"
    assert Signature.objects.filter(letter=issued_letter).count() == 1
    assert LetterEvent.objects.filter(letter=issued_letter, kind="signed").count() == 1
    assert audit_chain_verify() is None


def test_letter_sign_refuses_a_voided_letter(org, issued_letter):
    # given
    letter_void(letter=issued_letter, voided_by=org.office_admin, reason="岗位调整")
    events_before = LetterEvent.objects.count()

    # when / then
    with pytest.raises(TransitionNotAllowed):
        letter_sign(
            letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation_for(issued_letter)
        )
    assert Signature.objects.count() == 0
    assert LetterEvent.objects.count() == events_before
    assert _fresh(issued_letter).status == LetterStatus.VOIDED


# Each bad attestation: how to spoil a good one, and the code of the refusal.
BAD_ATTESTATIONS = {
    "no consent": ({"consent_text": ""}, "consent_missing"),
    "other consent wording": ({"consent_text": "我同意"}, "consent_missing"),
    "no re-authentication": ({"reauthenticated_at": None}, "reauth_missing"),
    "no content hash": ({"content_hash_shown": ""}, "hash_missing"),
    "another content hash": ({"content_hash_shown": "0" * 64}, "content_changed"),
}


@pytest.mark.parametrize("case", BAD_ATTESTATIONS)
def test_letter_sign_refuses_an_incomplete_attestation_and_changes_nothing(issued_letter, case):
    # given
    spoil, code = BAD_ATTESTATIONS[case]
    attestation = dataclasses.replace(attestation_for(issued_letter), **spoil)
    events_before = LetterEvent.objects.count()

    # when
    with pytest.raises(ApplicationError) as refusal:
        letter_sign(letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation)

    # then
    assert refusal.value.code == code
    _assert_unsigned(issued_letter, events_before)


def test_letter_sign_says_the_letter_changed_since_it_was_opened(issued_letter):
    attestation = dataclasses.replace(attestation_for(issued_letter), content_hash_shown="f" * 64)
    with pytest.raises(ApplicationError, match="changed since you opened it"):
        letter_sign(letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation)


def test_letter_sign_refuses_a_re_authentication_older_than_five_minutes(issued_letter, time_machine):
    # given the signer confirmed their password six minutes ago
    now = timezone.now() + timedelta(hours=1)
    time_machine.move_to(now, tick=False)
    attestation = attestation_for(issued_letter, confirmed_at=now - timedelta(minutes=6))
    events_before = LetterEvent.objects.count()

    # when
    with pytest.raises(ApplicationError, match="expired") as refusal:
        letter_sign(letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation)

    # then
    assert refusal.value.code == "reauth_expired"
    _assert_unsigned(issued_letter, events_before)


def test_letter_sign_accepts_a_re_authentication_just_inside_five_minutes(issued_letter, time_machine):
    # given
    now = timezone.now() + timedelta(hours=1)
    time_machine.move_to(now, tick=False)
    attestation = attestation_for(issued_letter, confirmed_at=now - timedelta(minutes=4, seconds=59))

    # when
    letter_sign(letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation)

    # then
    assert _fresh(issued_letter).status == LetterStatus.SIGNED


def test_letter_sign_the_re_authentication_expires_while_the_signer_reads(issued_letter, time_machine):
    # given the signer confirmed their password, then read the letter for six minutes
    start = timezone.now() + timedelta(hours=1)
    time_machine.move_to(start, tick=False)
    attestation = attestation_for(issued_letter)
    time_machine.move_to(start + timedelta(minutes=6), tick=False)

    # when / then
    with pytest.raises(ApplicationError) as refusal:
        letter_sign(letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation)
    assert refusal.value.code == "reauth_expired"
    assert Signature.objects.count() == 0
