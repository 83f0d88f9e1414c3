"""Changing one's password: a wrong old password counts for lockout; a change is logged and told."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.security.models import SecurityEvent, SecurityEventKind
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-2026-secret"


def change(client, old: str):
    return client.post(
        reverse("accounts:password-change"),
        {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def test_a_password_change_is_logged_and_told(client, person, django_capture_on_commit_callbacks):
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        response = change(client, TEST_PASSWORD)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, subject=person).count() == 1
    assert [message.subject for message in mail.outbox] == ["Your password was changed"]
    assert client.get(reverse("responsibility:todo")).status_code == 200  # still signed in


def test_a_wrong_old_password_changes_nothing_and_counts(client, person):
    client.force_login(person)

    response = change(client, "wrong")

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    person.refresh_from_db()
    assert person.check_password(TEST_PASSWORD)
    assert (
        SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CONFIRM_FAILED, subject=person).count()
        == 1
    )
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED).exists()


def test_wrong_old_passwords_lock_the_account_at_the_limit(client, person, settings):
    settings.LOCKOUT_ACCOUNT_FAILURES = settings.AXES_FAILURE_LIMIT = 2
    client.force_login(person)

    change(client, "wrong")
    at_limit = change(client, "wrong")

    assert at_limit.status_code == 429
    assert "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert person.check_password(TEST_PASSWORD)
