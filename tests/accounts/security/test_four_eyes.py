"""Four eyes: one security administrator alone cannot take over an account in two allowed steps (redirect
the email, then send the reset link there; or make a one-time code and also reset the second factor).
The second step, within a day, must be another security administrator's."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from accounts.security.models import SecurityEvent, SecurityEventKind
from accounts.security.services import ResetMethod, account_email_change, password_reset_start
from core import clock
from core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_the_administrator_who_changed_the_email_cannot_send_the_reset_link(
    security_admin, other_security_admin, secretary, django_capture_on_commit_callbacks
):
    account_email_change(user=secretary, email="elsewhere@example.org", changed_by=security_admin)

    with pytest.raises(ApplicationError, match="Another security administrator"):
        password_reset_start(user=secretary, started_by=security_admin)
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.RESET_STARTED).exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        method, _code = password_reset_start(user=secretary, started_by=other_security_admin)
    assert method == ResetMethod.LINK
    assert any("elsewhere@example.org" in message.to for message in mail.outbox)


def test_after_a_day_the_same_administrator_may(security_admin, secretary):
    account_email_change(user=secretary, email="elsewhere@example.org", changed_by=security_admin)

    with time_machine.travel(clock.now() + timedelta(hours=25)):
        method, _code = password_reset_start(user=secretary, started_by=security_admin)

    assert method == ResetMethod.LINK
