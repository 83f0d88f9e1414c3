"""The security administrator resets a lost phone's second factor: only they, never their own."""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.security.services import password_reset_start
from accounts.two_factor.services import second_factor_reset
from core.errors import ApplicationError
from responsibility.reminders.models import Notification
from tests.accounts.two_factor.conftest import START, STEP, enrol, role_group, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user).exists() or StaticDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("security administrator", True),
        ("security administrator on themselves", False),
        ("office administrator", False),
        ("audit administrator", False),
        ("superuser without the role", False),
        ("no role", False),
    ],
)
def test_second_factor_reset_matrix(
    who, allowed, enrolled, security_admin, clock, django_capture_on_commit_callbacks
):
    # given someone with an app, and someone asking to reset it
    subject = enrolled
    if who == "security administrator":
        reset_by = security_admin
    elif who == "security administrator on themselves":
        enrol(security_admin)
        clock.move_to(START + 2 * STEP)
        subject = reset_by = security_admin
    elif who == "office administrator":
        reset_by = UserFactory()
        reset_by.groups.add(role_group("office_admin"))
    elif who == "audit administrator":
        reset_by = UserFactory()
        reset_by.groups.add(role_group("audit_admin"))
    elif who == "superuser without the role":
        reset_by = UserFactory(is_staff=True, is_superuser=True)
    else:
        reset_by = UserFactory()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        if allowed:
            second_factor_reset(user=subject, reset_by=reset_by)
        else:
            with pytest.raises(ApplicationError):
                second_factor_reset(user=subject, reset_by=reset_by)

    # then
    assert has_second_factor(subject) is not allowed
    resets = SecurityEvent.objects.filter(kind=SecurityEventKind.SECOND_FACTOR_RESET)
    refusals = SecurityEvent.objects.filter(kind=SecurityEventKind.REFUSED, actor=reset_by, subject=subject)
    if allowed:
        assert [(event.actor, event.subject) for event in resets] == [(reset_by, subject)]
        assert Notification.objects.filter(
            recipient=subject, title="Your two-step verification was reset"
        ).exists()
        assert [(message.subject, message.to) for message in mail.outbox] == [
            ("Your two-step verification was reset", [subject.email])
        ]
    else:
        assert not resets.exists()
        assert refusals.count() == 1  # the audit administrator sees who tried
        assert not mail.outbox


def test_the_refusal_for_oneself_says_to_ask_another_administrator(security_admin, clock):
    enrol(security_admin)

    with pytest.raises(ApplicationError, match="ask another security administrator"):
        second_factor_reset(user=security_admin, reset_by=security_admin)


def test_after_a_reset_a_required_role_sets_up_a_new_app_at_the_next_sign_in(
    client, enrolled, security_admin, required_roles
):
    enrolled.groups.add(role_group("party_group"))
    second_factor_reset(user=enrolled, reset_by=security_admin)

    sign_in(client, enrolled)
    response = client.get(reverse("responsibility:todo"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two-factor-enrol"))


def test_the_administrator_who_made_a_one_time_code_cannot_also_reset_the_second_factor(
    enrolled, security_admin
):
    # given a one-time code made for the person (no email) by this security administrator
    enrolled.email = ""
    enrolled.save(update_fields=["email"])
    password_reset_start(user=enrolled, started_by=security_admin)
    other_admin = UserFactory(full_name="另一位安全管理员")
    other_admin.groups.add(role_group("security_admin"))

    # when the same administrator resets the second factor too, then another one does
    with pytest.raises(ApplicationError, match="Another security administrator must do this"):
        second_factor_reset(user=enrolled, reset_by=security_admin)
    assert has_second_factor(enrolled)
    second_factor_reset(user=enrolled, reset_by=other_admin)

    # then only the second administrator's reset happened
    assert not has_second_factor(enrolled)
    resets = SecurityEvent.objects.filter(kind=SecurityEventKind.SECOND_FACTOR_RESET)
    assert list(resets.values_list("actor", flat=True)) == [other_admin.pk]
