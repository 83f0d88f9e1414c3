"""Signing asks for the second factor too, where the signer has one; wrong passwords count for lockout."""

import pytest
from django.urls import reverse

from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.two_factor.selectors import totp_device_pending
from responsibility.letters.models.letters import LetterStatus, Signature, SignatureMethod
from responsibility.letters.signing import CONSENT_TEXT
from tests.accounts.two_factor.conftest import START, STEP, code_now, enrol, sign_in, verify
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def sign_post(letter, **overrides) -> dict:
    """The signing form as the signer fills it in: typed name, consent, password."""
    data = {
        "password": TEST_PASSWORD,
        "consent": "on",
        "method": SignatureMethod.TYPED,
        "typed_name": letter.signer.get_full_name(),
        "drawing": "",
        "content_hash": letter.content_hash,
    }
    data.update(overrides)
    return data


@pytest.fixture
def signer_with_app(client, issued_letter, clock):
    """The letter's signer has an app and is signed in with it (the sign-in code spent one step ago)."""
    signer = issued_letter.signer
    device, _codes = enrol(signer)
    clock.move_to(START + STEP)
    sign_in(client, signer)
    verify(client, code_now(device))
    clock.move_to(START + 2 * STEP)
    signer.device = device
    return signer


def sign_url(letter) -> str:
    return reverse("responsibility:letter-sign", args=[letter.pk])


def test_the_signing_form_asks_for_the_code_of_a_signer_with_an_app(client, issued_letter, signer_with_app):
    page = client.get(reverse("responsibility:letter-detail", args=[issued_letter.pk]))

    assert 'name="second_factor_code"' in page.content.decode()


def test_the_signing_form_asks_no_code_of_a_signer_without_one(client, issued_letter):
    client.force_login(issued_letter.signer)

    page = client.get(reverse("responsibility:letter-detail", args=[issued_letter.pk]))

    assert 'name="second_factor_code"' not in page.content.decode()


def test_a_signer_with_an_app_cannot_sign_with_the_password_alone(client, issued_letter, signer_with_app):
    response = client.post(sign_url(issued_letter), sign_post(issued_letter))

    assert response.status_code == 400
    assert "Enter the code from your authenticator app as well" in response.content.decode()
    assert not Signature.objects.exists()
    # nor a moment later with nothing typed: the password alone opened no re-authentication window
    again = client.post(sign_url(issued_letter), sign_post(issued_letter, password=""))
    assert again.status_code == 400
    assert not Signature.objects.exists()


def test_a_signer_with_an_app_signs_with_the_password_and_the_code(client, issued_letter, signer_with_app):
    response = client.post(
        sign_url(issued_letter), sign_post(issued_letter, second_factor_code=code_now(signer_with_app.device))
    )

    assert response.status_code == 302
    issued_letter.refresh_from_db()
    assert issued_letter.status == LetterStatus.SIGNED
    assert Signature.objects.get(letter=issued_letter).consent_text == CONSENT_TEXT


def test_a_wrong_code_when_signing_is_refused_and_counted(client, issued_letter, signer_with_app):
    wrong = f"{(int(code_now(signer_with_app.device)) + 1) % 1_000_000:06d}"

    response = client.post(sign_url(issued_letter), sign_post(issued_letter, second_factor_code=wrong))

    assert response.status_code == 400
    assert not Signature.objects.exists()
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.SECOND_FACTOR_FAILED, subject=signer_with_app
    ).exists()


def test_a_form_refused_before_the_password_spends_neither_the_password_nor_the_code(
    client, issued_letter, signer_with_app
):
    # given password and code right, but no consent ticked
    code = code_now(signer_with_app.device)
    events_before = SecurityEvent.objects.filter(subject=signer_with_app).count()
    first = client.post(
        sign_url(issued_letter), sign_post(issued_letter, consent="", second_factor_code=code)
    )
    assert first.status_code == 400
    # then nothing about the identity was checked: no attempt counted, the code not used
    assert SecurityEvent.objects.filter(subject=signer_with_app).count() == events_before

    # when the signer ticks it and sends the same password and code again
    second = client.post(sign_url(issued_letter), sign_post(issued_letter, second_factor_code=code))

    # then
    assert second.status_code == 302
    assert Signature.objects.filter(letter=issued_letter).exists()


def test_a_confirmed_identity_survives_a_refused_letter_so_the_code_is_not_asked_twice(
    client, issued_letter, signer_with_app
):
    # given password and code right, but the letter changed while it was open
    first = client.post(
        sign_url(issued_letter),
        sign_post(issued_letter, content_hash="0" * 64, second_factor_code=code_now(signer_with_app.device)),
    )
    assert first.status_code == 400

    # when the signer reloads and sends again, without retyping either (within the window)
    second = client.post(sign_url(issued_letter), sign_post(issued_letter, password=""))

    # then
    assert second.status_code == 302
    assert Signature.objects.filter(letter=issued_letter).exists()


def test_a_password_confirmed_before_setting_up_the_app_no_longer_counts(client, issued_letter, clock):
    signer = issued_letter.signer
    client.force_login(signer)
    # a password confirmed (refused for another reason: no consent), then the app set up
    client.post(sign_url(issued_letter), sign_post(issued_letter, consent=""))
    client.get(reverse("accounts:two-factor-enrol"))
    confirmed = client.post(
        reverse("accounts:two-factor-enrol"), {"code": code_now(totp_device_pending(user=signer))}
    )
    assert confirmed.status_code == 302
    clock.move_to(START + STEP)

    response = client.post(sign_url(issued_letter), sign_post(issued_letter, password=""))

    assert response.status_code == 400
    assert "Please enter your password to confirm it is you" in response.content.decode()
    assert not Signature.objects.exists()


def test_wrong_signing_passwords_lock_the_account_at_the_limit(client, issued_letter, settings):
    settings.LOCKOUT_ACCOUNT_FAILURES = settings.AXES_FAILURE_LIMIT = 3
    client.force_login(issued_letter.signer)

    statuses = [
        client.post(sign_url(issued_letter), sign_post(issued_letter, password="wrong")).status_code
        for _ in range(3)
    ]

    assert statuses[:2] == [400, 400]
    assert statuses[2] == 429  # the lockout page; the session has ended
    assert "_auth_user_id" not in client.session
    assert (
        SecurityEvent.objects.filter(
            kind=SecurityEventKind.PASSWORD_CONFIRM_FAILED, subject=issued_letter.signer
        ).count()
        == 3
    )
    assert not Signature.objects.exists()


def test_batch_countersigning_asks_for_the_code_too(client, signed_letter, clock):
    secretary = signed_letter.issuer
    device, _codes = enrol(secretary)
    clock.move_to(START + STEP)
    sign_in(client, secretary)
    verify(client, code_now(device))
    clock.move_to(START + 2 * STEP)
    url = reverse("responsibility:letter-countersign-batch")
    data = {
        "letters": [signed_letter.pk],
        f"hash_{signed_letter.pk}": signed_letter.content_hash,
        "password": TEST_PASSWORD,
        "consent": "on",
        "method": SignatureMethod.TYPED,
        "typed_name": secretary.get_full_name(),
    }

    without_code = client.post(url, data)
    with_code = client.post(url, {**data, "second_factor_code": code_now(device)})

    assert without_code.status_code == 400
    assert with_code.status_code == 302
    signed_letter.refresh_from_db()
    assert signed_letter.status == LetterStatus.COUNTERSIGNED
