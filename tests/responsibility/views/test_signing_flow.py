"""The signing flow (issue 14): checks that need no password first, a refused form that keeps the signer's
work and opens at what is wrong, the completion page, and one password hash per request."""

import re
from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from accounts.security.models import SecurityEvent
from responsibility.letters.models.letters import Signature
from tests.factories import TEST_PASSWORD, UserFactory
from tests.responsibility.views.test_letter_views import drawn_signature, sign_post

pytestmark = pytest.mark.django_db


def sign_url(letter) -> str:
    return reverse("responsibility:letter-sign", args=[letter.pk])


def signed_url(letter) -> str:
    return reverse("responsibility:letter-signed", args=[letter.pk])


@pytest.fixture
def hashes():
    """Counts every password hash computed by the test settings' hasher (verifying one computes one)."""
    counter = {"count": 0}
    encode = MD5PasswordHasher.encode

    def counted_encode(self, password, salt):
        counter["count"] += 1
        return encode(self, password, salt)

    with mock.patch.object(MD5PasswordHasher, "encode", counted_encode):
        yield counter


def test_a_missing_tick_is_reported_before_the_password_is_checked(client, issued_letter, hashes):
    client.force_login(issued_letter.signer)
    events_before = SecurityEvent.objects.count()

    # when the consent is not ticked and the password is wrong as well
    response = client.post(
        sign_url(issued_letter), sign_post(issued_letter, consent="", password="wrong-one")
    )

    # then only what needs no password is reported: the password was not hashed, and not counted
    page = response.content.decode()
    assert response.status_code == 400
    assert "请勾选" in page or "Please tick the consent" in page
    assert "密码不正确" not in page and "The password is not correct" not in page
    assert hashes["count"] == 0
    assert SecurityEvent.objects.count() == events_before
    assert not Signature.objects.exists()


def test_a_refused_form_keeps_the_drawing_and_the_tick_and_opens_at_the_summary(client, issued_letter):
    client.force_login(issued_letter.signer)
    drawing = drawn_signature()

    # when the password is wrong
    response = client.post(sign_url(issued_letter), sign_post(issued_letter, drawing=drawing, password="x"))

    # then the drawing goes back to the page to be drawn again, the tick stays, the summary comes first
    page = response.content.decode()
    assert response.status_code == 400
    assert f'value="{drawing}"' in page
    assert re.search(r'<input type="checkbox" name="consent"[^>]* checked', page)
    assert page.index("data-errors-focus") < page.index('name="method"')
    assert 'role="alert"' in page
    # and the banner says what is wrong
    assert "密码不正确" in page or "The password is not correct" in page


def test_a_refused_typed_name_keeps_what_was_typed(client, issued_letter):
    client.force_login(issued_letter.signer)

    response = client.post(
        sign_url(issued_letter), sign_post(issued_letter, method="typed", typed_name="别人的名字", drawing="")
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="别人的名字"' in page
    assert 'value="typed" checked' in page


def test_an_unusable_drawing_is_not_sent_back_to_the_page(client, issued_letter):
    client.force_login(issued_letter.signer)
    damaged = "data:image/png;base64,not-base64!!"

    response = client.post(sign_url(issued_letter), sign_post(issued_letter, drawing=damaged))

    page = response.content.decode()
    assert response.status_code == 400
    assert "not-base64" not in page


def test_an_oversized_drawing_gets_a_clear_message(client, issued_letter):
    client.force_login(issued_letter.signer)

    response = client.post(
        sign_url(issued_letter), sign_post(issued_letter, drawing="data:image/png;base64," + "A" * 500_000)
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "签名图片过大" in page or "The signature drawing is too large" in page
    assert "A" * 1000 not in page
    assert not Signature.objects.exists()


def test_signing_leads_to_the_completion_page_that_says_who_countersigns(client, issued_letter):
    client.force_login(issued_letter.signer)

    response = client.post(sign_url(issued_letter), sign_post(issued_letter), follow=True)

    page = response.content.decode()
    assert response.redirect_chain == [(signed_url(issued_letter), 302)]
    assert issued_letter.issuer.get_full_name() in page
    assert issued_letter.reference in page
    assert reverse("responsibility:letter-detail", args=[issued_letter.pk]) in page
    assert "data-sign-steps" in page


def test_countersigning_leads_to_the_completion_page_with_the_pdf_panel(client, signed_letter):
    client.force_login(signed_letter.issuer)

    response = client.post(
        reverse("responsibility:letter-countersign", args=[signed_letter.pk]),
        sign_post(signed_letter),
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain == [(signed_url(signed_letter), 302)]
    assert 'id="pdf"' in page  # the sealed PDF: being prepared, or ready to download
    assert signed_letter.signer.get_full_name() in page


def test_the_completion_page_is_a_404_for_someone_who_did_not_sign(client, signed_letter, org):
    client.force_login(signed_letter.issuer)  # may see the letter, has not countersigned it yet

    assert client.get(signed_url(signed_letter)).status_code == 404


def test_signing_hashes_the_password_once(client, issued_letter, hashes):
    client.force_login(issued_letter.signer)

    response = client.post(sign_url(issued_letter), sign_post(issued_letter))

    assert response.status_code == 302
    assert hashes["count"] == 1


@pytest.mark.parametrize("password", [TEST_PASSWORD, "not-the-password"])
def test_signing_in_hashes_the_password_once(client, hashes, password):
    UserFactory(username="wangwei", full_name="王伟")
    hashes["count"] = 0

    client.post(reverse("accounts:login"), {"username": "wangwei", "password": password})

    assert hashes["count"] == 1


def test_signing_in_as_nobody_hashes_once_as_well(client, hashes):
    """An unknown name costs one hash too, so that timing does not tell which names exist."""
    client.post(reverse("accounts:login"), {"username": "nobody", "password": "whatever-1"})

    assert hashes["count"] == 1
