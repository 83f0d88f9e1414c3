"""Confirming one's identity at the identity platform before signing, for a person with no password here
(accounts.sso.oidc_reauth), against the real provider of tests/accounts/sso/conftest.py."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.reauth import reauthenticated_at, reauthentication_is_fresh
from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.sso.oidc import OidcBackend
from core import clock
from responsibility.letters.models.letters import LetterStatus, Signature, SignatureMethod
from tests.accounts.sso.conftest import PROVIDER_PASSWORD, UNUSED_PROVIDER
from tests.accounts.sso.test_oidc import provider_sign_in, sign_in_start, with_query
from tests.accounts.two_factor.conftest import enrol
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("sso")]

BUTTON = "Confirm your identity at the unified identity authentication platform"
TIMEOUT = 10


@pytest.fixture
def signer(issued_letter):
    """The letter's signer, who is E1001 at the identity platform and has no password here."""
    signer = issued_letter.signer
    signer.username = "E1001"
    signer.set_unusable_password()
    signer.save(update_fields=["username", "password"])
    return signer


def letter_url(letter) -> str:
    return reverse("responsibility:letter-detail", args=[letter.pk])


def reauthenticate_start(client, letter) -> str:
    """Press the button on the letter's page: the provider's authorisation address we are sent to."""
    page = client.get(letter_url(letter)).content.decode()
    href = re.search(r'href="([^"]*/accounts/oidc/reauthenticate/[^"]*)"', page)[1].replace("&amp;", "&")
    response = client.get(href)
    assert response.status_code == 302
    return response["Location"]


def provider_visit(browser: requests.Session, authorize_url: str, *, username: str) -> tuple[str, int]:
    """Follow the provider in a browser that may be signed in there already; returns the address it sends
    the browser back to, and how many times it asked for the password."""
    location, logins = authorize_url, 0
    while not location.startswith("http://testserver/"):
        response = browser.get(location, allow_redirects=False, timeout=TIMEOUT)
        if response.status_code == 200:  # the provider's login page
            logins += 1
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)[1]
            response = browser.post(
                location,
                data={
                    "csrfmiddlewaretoken": token,
                    "username": username,
                    "password": PROVIDER_PASSWORD,
                    "next": parse_qs(urlsplit(location).query)["next"][0],
                },
                allow_redirects=False,
                timeout=TIMEOUT,
            )
        assert response.status_code == 302, response.text[:500]
        location = urljoin(location, response.headers["Location"])
    return location, logins


def sign_post(letter) -> dict:
    """The signing form with no password: typed name and consent."""
    return {
        "consent": "on",
        "method": SignatureMethod.TYPED,
        "typed_name": letter.signer.get_full_name(),
        "drawing": "",
        "content_hash": letter.content_hash,
    }


def refusals(reason: str) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, payload__reason=reason))


def window_open(client, user) -> bool:
    """Whether this browser's session may sign now without confirming its identity again."""
    request = type("Request", (), {"session": client.session, "user": user})()
    return reauthentication_is_fresh(reauthenticated_at(request))


# --- confirmed -----------------------------------------------------------------------------------------


def test_a_fresh_sign_in_at_the_provider_confirms_the_identity_and_the_letter_is_signed_without_a_password(
    client, oidc_configured, issued_letter, signer
):
    # given the signer signed in through the identity platform, whose session there is still open
    with requests.Session() as browser:
        returned, _logins = provider_visit(browser, sign_in_start(client), username="E1001")
        client.get(returned)
        assert client.session[SESSION_KEY] == str(signer.pk)
        page = client.get(letter_url(issued_letter)).content.decode()
        assert BUTTON in page
        assert 'name="password"' not in page

        # when they press the button, sign in again at the provider and come back
        authorize_url = reauthenticate_start(client, issued_letter)
        returned, logins = provider_visit(browser, authorize_url, username="E1001")
        callback = client.get(returned)

    # then the provider was asked for a fresh sign-in, and did ask for the password although signed in there
    query = parse_qs(urlsplit(authorize_url).query)
    assert (query["prompt"], query["max_age"]) == (["login"], ["0"])
    assert query["nonce"][0] and query["state"][0] and query["code_challenge_method"] == ["S256"]
    assert logins >= 1
    # and we are back on the letter, still the same person, with the window open
    assert callback.status_code == 302
    assert callback["Location"] == letter_url(issued_letter)
    assert client.session[SESSION_KEY] == str(signer.pk)
    assert window_open(client, signer)
    assert "data-reauth-fresh" in client.get(letter_url(issued_letter)).content.decode()

    # when the signer signs with no password
    response = client.post(
        reverse("responsibility:letter-sign", args=[issued_letter.pk]), sign_post(issued_letter)
    )

    # then the letter is signed, recording when the identity was confirmed
    assert response.status_code == 302, response.content.decode()[:2000]
    issued_letter.refresh_from_db()
    assert issued_letter.status == LetterStatus.SIGNED
    signature = Signature.objects.get(letter=issued_letter)
    assert timezone.now() - signature.reauthenticated_at < timedelta(minutes=1)


def test_without_the_confirmation_the_letter_is_not_signed(client, oidc_configured, issued_letter, signer):
    client.force_login(signer)

    response = client.post(
        reverse("responsibility:letter-sign", args=[issued_letter.pk]), sign_post(issued_letter)
    )

    assert response.status_code == 400
    assert (
        "Please confirm your identity at unified identity authentication first" in response.content.decode()
    )
    assert not Signature.objects.exists()


# --- refused -------------------------------------------------------------------------------------------


def test_another_persons_sign_in_at_the_provider_is_refused_and_the_session_is_unchanged(
    client, oidc_configured, issued_letter, signer
):
    # given someone else with an account here, who signs in at the provider in the signer's browser
    UserFactory(username="X9999", full_name="外单位人员")
    client.force_login(signer)
    session_key = client.session.session_key

    # when
    callback = client.get(provider_sign_in(reauthenticate_start(client, issued_letter), username="X9999"))

    # then
    assert callback["Location"] == letter_url(issued_letter)
    assert (client.session.session_key, client.session[SESSION_KEY]) == (session_key, str(signer.pk))
    assert not window_open(client, signer)
    assert [(event.username, event.subject) for event in refusals("oidc_reauth_other_person")] == [
        ("X9999", signer)
    ]
    assert "as another person (X9999)" in client.get(callback["Location"]).content.decode()


def test_a_sign_in_at_the_provider_that_is_not_fresh_is_refused(
    client, oidc_configured, issued_letter, signer
):
    client.force_login(signer)
    returned = provider_sign_in(reauthenticate_start(client, issued_letter), username="E1001")

    # when the answer is checked six minutes after the person signed in at the provider
    with clock.at(timezone.now() + timedelta(minutes=6)):
        callback = client.get(returned)

    assert callback["Location"] == letter_url(issued_letter)
    assert client.session[SESSION_KEY] == str(signer.pk)
    assert not window_open(client, signer)
    assert len(refusals("oidc_reauth_stale")) == 1


def test_a_forged_state_is_refused_and_changes_nothing(client, oidc_configured, issued_letter, signer):
    client.force_login(signer)
    returned = provider_sign_in(reauthenticate_start(client, issued_letter), username="E1001")

    response = client.get(with_query(returned, state="forged-state"))

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(signer.pk)
    assert not window_open(client, signer)
    assert len(refusals("oidc_state")) == 1
    # and the genuine answer still works afterwards: the forged one used up nothing
    assert client.get(returned)["Location"] == letter_url(issued_letter)
    assert window_open(client, signer)


def test_an_id_token_with_another_nonce_is_refused(client, oidc_configured, issued_letter, signer):
    client.force_login(signer)
    authorize_url = with_query(reauthenticate_start(client, issued_letter), nonce="nonce-of-another-request")

    callback = client.get(provider_sign_in(authorize_url, username="E1001"))

    assert callback["Location"] == letter_url(issued_letter)
    assert client.session[SESSION_KEY] == str(signer.pk)
    assert not window_open(client, signer)
    assert len(refusals("oidc_nonce")) == 1


def test_the_answer_replayed_is_refused(client, oidc_configured, issued_letter, signer):
    client.force_login(signer)
    returned = provider_sign_in(reauthenticate_start(client, issued_letter), username="E1001")
    client.get(returned)
    session = client.session
    session.pop("reauthenticated_at")
    session.save()

    client.get(returned)

    assert client.session[SESSION_KEY] == str(signer.pk)
    assert not window_open(client, signer)


# --- who is offered it ---------------------------------------------------------------------------------


def test_a_person_with_a_usable_local_password_is_asked_for_it_not_sent_to_the_provider(
    client, sso_configure, issued_letter
):
    sso_configure(**UNUSED_PROVIDER)
    signer = issued_letter.signer
    signer.set_password(TEST_PASSWORD)
    signer.save(update_fields=["password"])
    client.force_login(signer)

    page = client.get(letter_url(issued_letter)).content.decode()

    assert BUTTON not in page
    assert 'name="password"' in page
    assert client.get(reverse("accounts:oidc-reauthenticate")).status_code == 404


def test_a_person_with_no_password_is_offered_the_provider_only_when_it_is_configured(
    client, sso_configure, issued_letter, signer
):
    sso_configure()
    client.force_login(signer)
    assert BUTTON not in client.get(letter_url(issued_letter)).content.decode()

    sso_configure(**UNUSED_PROVIDER)
    client.force_login(signer)  # the sign-in's backend changed with the settings
    page = client.get(letter_url(issued_letter)).content.decode()
    assert BUTTON in page
    assert (
        f'href="{reverse("accounts:oidc-reauthenticate")}?next={letter_url(issued_letter)}"'
        in page.replace("%2F", "/")
    )


def test_the_batch_countersign_page_offers_the_provider_too(client, sso_configure, signed_letter):
    sso_configure(**UNUSED_PROVIDER)
    issuer = signed_letter.issuer
    issuer.set_unusable_password()
    issuer.save(update_fields=["password"])
    client.force_login(issuer)

    page = client.get(reverse("responsibility:letter-countersign-batch")).content.decode()

    assert BUTTON in page
    assert 'name="password"' not in page


def test_a_signer_with_an_app_still_gives_its_code_after_confirming_at_the_provider(
    client, oidc_configured, issued_letter, signer
):
    # given a signer with an authenticator app, who confirmed their identity at the provider
    device, recovery_codes = enrol(signer)
    client.force_login(signer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # verified with the app at sign-in
    session.save()
    client.get(provider_sign_in(reauthenticate_start(client, issued_letter), username="E1001"))
    assert not window_open(client, signer)  # the platform's sign-in alone is not enough for them
    sign_url = reverse("responsibility:letter-sign", args=[issued_letter.pk])

    # when they sign without the code, then with it
    without = client.post(sign_url, sign_post(issued_letter))
    with_code = client.post(sign_url, {**sign_post(issued_letter), "second_factor_code": recovery_codes[0]})

    # then only the second is accepted
    assert without.status_code == 400
    assert "Enter the code from your authenticator app as well" in without.content.decode()
    assert with_code.status_code == 302
    issued_letter.refresh_from_db()
    assert issued_letter.status == LetterStatus.SIGNED


def test_a_refusal_by_the_provider_keeps_the_session_and_returns_only_to_this_site(
    client, sso_configure, issued_letter, signer
):
    # given a re-authentication started with a return address on another site
    sso_configure(**UNUSED_PROVIDER)
    client.force_login(signer)
    start = client.get(reverse("accounts:oidc-reauthenticate"), {"next": "https://evil.example/"})
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    # when the person cancels at the provider
    response = client.get(reverse("accounts:oidc-callback"), {"error": "access_denied", "state": state})

    # then they are still signed in here, back on this site, and the state is used up
    assert response["Location"] == reverse("responsibility:todo")
    assert client.session[SESSION_KEY] == str(signer.pk)
    assert not window_open(client, signer)
    assert state not in client.session.get("oidc_states", {})
    assert len(refusals("oidc_provider_error")) == 1


def test_an_id_token_without_auth_time_is_refused(
    client, oidc_configured, issued_letter, signer, monkeypatch
):
    # given a provider that leaves auth_time out of its (otherwise valid) ID tokens
    verify_token = OidcBackend.verify_token

    def without_auth_time(backend, token, **kwargs):
        payload = verify_token(backend, token, **kwargs)
        payload.pop("auth_time")
        return payload

    monkeypatch.setattr(OidcBackend, "verify_token", without_auth_time)
    client.force_login(signer)

    callback = client.get(provider_sign_in(reauthenticate_start(client, issued_letter), username="E1001"))

    assert callback["Location"] == letter_url(issued_letter)
    assert not window_open(client, signer)
    assert len(refusals("oidc_reauth_stale")) == 1
