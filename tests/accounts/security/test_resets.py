"""Password resets never pass through another person: one's own link by email, or a one-time code the
security administrator hands over, after which the person must choose their own password before anything
else (signing included)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.security.services import ResetMethod, password_reset_start
from core import clock
from responsibility.reminders.models import Notification

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qingfeng-2026-zhengqi"


def _link(mailoutbox) -> str:
    (link,) = {
        match
        for message in mailoutbox
        for match in re.findall(r"https?://\S+/password/reset/\S+/", message.body)
    }
    return link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _set_password_via(client, link: str):
    page = client.get(link, follow=True)  # Django moves the token into the session, then shows the form
    return client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )


def test_a_person_resets_their_own_password_by_the_emailed_link(ask_reset, client, cadre, mailoutbox):
    response = ask_reset(cadre.username)

    assert response.status_code == 302
    link = _link(mailoutbox)
    done = _set_password_via(client, link)
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password-reset-complete")
    cadre.refresh_from_db()
    assert cadre.check_password(NEW_PASSWORD)
    kinds = list(SecurityEvent.objects.filter(subject=cadre).values_list("kind", flat=True))
    assert SecurityEventKind.RESET_REQUESTED in kinds and SecurityEventKind.RESET_COMPLETED in kinds
    assert Notification.objects.filter(recipient=cadre, title="Your password was changed").exists()


def test_a_reset_link_works_once(ask_reset, client, cadre, mailoutbox):
    ask_reset(cadre.email)
    link = _link(mailoutbox)
    _set_password_via(client, link)

    again = client.get(link, follow=True)

    assert "cannot be used" in again.content.decode()
    assert 'name="new_password1"' not in again.content.decode()


def test_a_reset_link_expires(ask_reset, client, cadre, mailoutbox, settings):
    asked = clock.now()  # both moments under time-machine: Django's token counts naive local seconds
    with time_machine.travel(asked, tick=False):
        ask_reset(cadre.username)
    link = _link(mailoutbox)

    with time_machine.travel(asked + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60), tick=False):
        page = client.get(link, follow=True)

    assert "cannot be used" in page.content.decode()
    cadre.refresh_from_db()
    assert not cadre.check_password(NEW_PASSWORD)


def test_the_answer_never_says_whether_an_account_exists(ask_reset, cadre, mailoutbox):
    known = ask_reset(cadre.username)
    unknown = ask_reset("nobody-here")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mailoutbox) == 1


def test_reset_requests_are_limited_per_account(ask_reset, cadre, mailoutbox, settings):
    for _ in range(settings.RESET_REQUESTS_PER_ACCOUNT):
        ask_reset(cadre.username, REMOTE_ADDR="10.0.0.1")

    refused = ask_reset(cadre.username, REMOTE_ADDR="10.0.0.2")

    assert refused.status_code == 429
    assert "Too many reset requests" in refused.content.decode()
    assert len(mailoutbox) == settings.RESET_REQUESTS_PER_ACCOUNT


def test_reset_requests_are_limited_per_address(ask_reset, settings):
    for n in range(settings.RESET_REQUESTS_PER_ADDRESS):
        ask_reset(f"someone{n}", REMOTE_ADDR="10.0.0.9")

    refused = ask_reset("another", REMOTE_ADDR="10.0.0.9")

    assert refused.status_code == 429


# -- a one-time code handed over in person ------------------------------------------------------------


@pytest.fixture
def no_email_cadre(cadre):
    cadre.email = ""
    cadre.save(update_fields=["email"])
    return cadre


def test_a_code_signs_in_once_and_the_person_must_choose_their_own_password(
    client, security_admin, no_email_cadre
):
    method, code = password_reset_start(user=no_email_cadre, started_by=security_admin)
    assert method == ResetMethod.CODE and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)

    signed_in = client.post(
        reverse("accounts:reset-code-login"),
        {"username": no_email_cadre.username, "reset_code": code.lower()},
    )
    assert signed_in["Location"] == reverse("accounts:password-set")

    # every other page leads back to choosing a password: nothing can be signed meanwhile
    for path in (reverse("responsibility:todo"), reverse("responsibility:letter-list"), "/admin/"):
        assert client.get(path)["Location"] == reverse("accounts:password-set"), path

    client.post(
        reverse("accounts:password-set"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    no_email_cadre.refresh_from_db()
    assert no_email_cadre.check_password(NEW_PASSWORD) and not no_email_cadre.password_must_change
    assert client.get(reverse("responsibility:todo")).status_code == 200

    client.logout()
    again = client.post(
        reverse("accounts:reset-code-login"), {"username": no_email_cadre.username, "reset_code": code}
    )
    assert again.status_code == 400 and client.session.get(SESSION_KEY) is None
    kinds = set(SecurityEvent.objects.filter(subject=no_email_cadre).values_list("kind", flat=True))
    assert {
        SecurityEventKind.RESET_STARTED,
        SecurityEventKind.RESET_CODE_USED,
        SecurityEventKind.RESET_COMPLETED,
    } <= kinds


def test_an_expired_code_does_not_sign_in(client, security_admin, no_email_cadre, settings):
    _method, code = password_reset_start(user=no_email_cadre, started_by=security_admin)

    with time_machine.travel(clock.now() + timedelta(hours=settings.RESET_CODE_HOURS, minutes=1)):
        response = client.post(
            reverse("accounts:reset-code-login"), {"username": no_email_cadre.username, "reset_code": code}
        )

    assert response.status_code == 400
    assert "not correct, or the code has expired" in response.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_a_new_reset_kills_the_earlier_code(client, security_admin, no_email_cadre):
    _method, first = password_reset_start(user=no_email_cadre, started_by=security_admin)
    password_reset_start(user=no_email_cadre, started_by=security_admin)

    response = client.post(
        reverse("accounts:reset-code-login"), {"username": no_email_cadre.username, "reset_code": first}
    )

    assert response.status_code == 400


def test_the_security_administrator_sees_the_code_once(client, security_admin, no_email_cadre):
    client.force_login(security_admin)

    response = client.post(reverse("accounts:security-reset", args=[no_email_cadre.pk]))

    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"].startswith("no-store")
    assert re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", body)
    later = client.get(reverse("accounts:security-account", args=[no_email_cadre.pk])).content.decode()
    assert not re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", later)
