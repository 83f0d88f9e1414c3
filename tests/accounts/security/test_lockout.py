"""Lockout: wrong passwords lock the account (from anywhere) and the address (on any accounts); the
message says how long to wait and reads the same for an account that does not exist."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.security.services import lock_lift
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _fail(client, username, times, address="10.1.1.1"):
    for _ in range(times):
        client.post(
            reverse("accounts:login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=address
        )


def test_the_account_is_locked_after_the_limit_even_with_the_right_password(client, cadre, settings):
    _fail(client, cadre.username, settings.LOCKOUT_ACCOUNT_FAILURES)

    response = client.post(
        reverse("accounts:login"),
        {"username": cadre.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )

    assert response.status_code == 429
    assert f"{settings.LOCKOUT_MINUTES} minutes" in response.content.decode()
    assert client.session.get(SESSION_KEY) is None
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, subject=cadre).count() >= 5
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT, username=cadre.username).exists()


def test_an_unknown_account_name_is_answered_exactly_like_a_known_one(client, cadre, settings):
    _fail(client, cadre.username, settings.LOCKOUT_ACCOUNT_FAILURES, address="10.2.2.2")
    _fail(client, "no-such-person", settings.LOCKOUT_ACCOUNT_FAILURES, address="10.3.3.3")

    known = client.post(
        reverse("accounts:login"), {"username": cadre.username, "password": "x"}, REMOTE_ADDR="10.4.4.4"
    )
    unknown = client.post(
        reverse("accounts:login"), {"username": "no-such-person", "password": "x"}, REMOTE_ADDR="10.5.5.5"
    )

    assert known.status_code == unknown.status_code == 429
    assert _alert(known) == _alert(unknown) and "minutes" in _alert(known)


def _alert(response) -> str:
    return response.content.decode().split('role="alert">', 1)[1].split("<", 1)[0]


def test_below_the_limit_the_right_password_still_works(client, cadre, settings):
    _fail(client, cadre.username, settings.LOCKOUT_ACCOUNT_FAILURES - 1)

    response = client.post(reverse("accounts:login"), {"username": cadre.username, "password": TEST_PASSWORD})

    assert response.status_code == 302 and client.session.get(SESSION_KEY) == str(cadre.pk)


def test_an_address_is_locked_after_its_own_higher_limit(client, cadre, settings):
    settings.LOCKOUT_ADDRESS_FAILURES = 8
    for n in range(8):  # eight different names, one failure each: no account reaches its limit
        _fail(client, f"guess{n}", 1, address="10.6.6.6")

    from_there = client.post(
        reverse("accounts:login"),
        {"username": cadre.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.6.6.6",
    )
    elsewhere = client.post(
        reverse("accounts:login"),
        {"username": cadre.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.7.7.7",
    )

    assert from_there.status_code == 429
    assert elsewhere.status_code == 302


def test_the_administration_sign_in_is_locked_too(client, system_admin, settings):
    for _ in range(settings.LOCKOUT_ACCOUNT_FAILURES):
        client.post("/admin/login/", {"username": system_admin.username, "password": "wrong"})

    response = client.post("/admin/login/", {"username": system_admin.username, "password": TEST_PASSWORD})

    assert response.status_code == 429 and client.session.get(SESSION_KEY) is None


def test_the_security_administrator_lifts_a_lock(client, cadre, security_admin, settings):
    _fail(client, cadre.username, settings.LOCKOUT_ACCOUNT_FAILURES)

    lock_lift(user=cadre, lifted_by=security_admin)

    response = client.post(reverse("accounts:login"), {"username": cadre.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.LOCK_LIFTED, subject=cadre, actor=security_admin
    ).exists()


def test_the_accounts_page_shows_the_lock(client, cadre, security_admin, settings):
    _fail(client, cadre.username, settings.LOCKOUT_ACCOUNT_FAILURES)
    client.force_login(security_admin)

    listing = client.get(reverse("accounts:security-accounts"), {"q": cadre.username}).content.decode()
    detail = client.get(reverse("accounts:security-account", args=[cadre.pk])).content.decode()

    assert "Locked" in listing and "Lift the lock" in detail


def test_a_correct_sign_in_is_logged_with_address_and_browser(client, cadre):
    client.post(
        reverse("accounts:login"),
        {"username": cadre.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.8.8.8",
        HTTP_USER_AGENT="Mozilla/5.0 test",
    )

    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_SUCCEEDED)
    assert (event.subject, event.ip_address, event.user_agent, event.payload) == (
        cadre,
        "10.8.8.8",
        "Mozilla/5.0 test",
        {"backend": "password"},
    )


def test_other_accounts_are_unaffected(client, cadre, settings):
    other = UserFactory(username="lisi")
    _fail(client, cadre.username, settings.LOCKOUT_ACCOUNT_FAILURES, address="10.10.0.1")

    response = client.post(
        reverse("accounts:login"),
        {"username": other.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.10.0.2",
    )

    assert response.status_code == 302
