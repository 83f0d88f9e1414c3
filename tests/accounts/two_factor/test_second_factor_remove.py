"""Turning two-step verification off: only where no role requires it, with the password, and told."""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.two_factor.services import second_factor_remove
from core.errors import ApplicationError
from tests.accounts.two_factor.conftest import code_now, role_group, sign_in, verify
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_a_person_whose_role_does_not_require_it_may_turn_it_off(
    client, enrolled, required_roles, django_capture_on_commit_callbacks
):
    sign_in(client, enrolled)
    verify(client, code_now(enrolled.device))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:two-factor-remove"), {"password": TEST_PASSWORD})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    assert not StaticDevice.objects.filter(user=enrolled).exists()
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.SECOND_FACTOR_REMOVED, subject=enrolled
    ).exists()
    assert [message.subject for message in mail.outbox] == ["Two-step verification was turned off"]
    assert client.get(reverse("responsibility:todo")).status_code == 200  # and the session goes on


def test_a_role_that_requires_it_cannot_turn_it_off(enrolled, required_roles):
    enrolled.groups.add(role_group("inspection_team"))

    with pytest.raises(ApplicationError, match="requires two-step verification"):
        second_factor_remove(user=enrolled)

    assert TOTPDevice.objects.filter(user=enrolled, confirmed=True).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.SECOND_FACTOR_REMOVED).exists()


def test_turning_it_off_needs_the_password(client, enrolled):
    sign_in(client, enrolled)
    verify(client, code_now(enrolled.device))

    response = client.post(reverse("accounts:two-factor-remove"), {"password": "wrong"})

    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=enrolled, confirmed=True).exists()
